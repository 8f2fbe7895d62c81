/**
 * What an assessment returns: plain JSON-serialisable data (finalize.ts computes it).
 */
import type { Norm } from '../domain/vocabulary';
import type { SamplerStage } from './proposal';
import type { Probability, Range, RangeError } from './stats';

/** Figures of one split (total, intended or collateral). */
export interface FigureSet {
  entitiesInfected: Range;
  entitiesDisrupted: Range;
  unreportedInfections: Range;
  forecastInfections: Range;
  lossUsd: { direct: Range; indirect: Range; total: Range };
  populationAffected: Range;
  countriesAffected: Range;
}

export interface ProtectedHit {
  entityId: string;
  name: string;
  sector: string | null;
  /** Probability that the entity is infected or disrupted by the horizon. */
  probability: number;
  probabilityInfected: number;
  norms: Norm[];
}

/** The summary as the API returns it. */
export interface AssessmentSummary {
  total: FigureSet;
  intended: FigureSet;
  collateral: FigureSet;
  protectedHits: ProtectedHit[];
  calibration: {
    method: string;
    parameters: Record<string, Range>;
    prior: Record<string, Range>;
    effectiveSampleSize: number;
    /** Stages of the pilot that fitted the sampler's proposal: synthetic-likelihood rounds, or tempering stages of `ic` runs (absent without one). */
    stages?: SamplerStage[];
    /** Posterior predictive check of the reports (calibrated results only). */
    predictiveCheck?: PredictiveCheck;
  };
  monteCarloError: {
    runs: number;
    effectiveSampleSize: number;
    method: string;
    figures: Record<string, RangeError>;
  };
}

/**
 * Does the calibrated model reproduce the reports? Each run replicates the reports by asOf
 * from its infections (predictive-check.ts); a p-value is the weighted share of replicates at
 * least as extreme as the observed statistic, two-sided (twice the smaller tail, mid-p for ties).
 */
export interface PredictiveCheck {
  observedReports: number;
  predictedReports: Range;
  reportsPValue: number;
  /** Mean first-report time of the replicates minus the observed one (hours). */
  meanReportTimeShiftHours: Range;
  timingPValue: number;
}

export interface EntityStat {
  entityId: string;
  name: string;
  country: string | null;
  sector: string | null;
  intended: boolean;
  reported: boolean;
  protected: boolean;
  probabilityInfected: Probability;
  probabilityDisrupted: Probability;
  /** Expected direct + indirect loss of this entity, USD. */
  expectedLossUsd: number;
}

/** Which entities of a group a GroupStat covers: all of them, or its intended or its collateral ones. */
export type GroupPart = 'total' | 'intended' | 'collateral';

/** Ranges of a group's per-run totals (weighted run distribution; a run that does not touch the group counts as zero). */
export interface GroupStat {
  /** Country code, sector, or `country/sector`; 'unknown' for a missing country or sector. */
  key: string;
  /** Absent in results stored before parts existed (they hold totals only). */
  part?: GroupPart;
  entitiesInfected: Range;
  entitiesDisrupted: Range;
  lossUsd: Range;
  populationAffected: Range;
}

export interface CountrySectorStat extends GroupStat {
  country: string;
  sector: string;
}

/**
 * Per-run group ranges: every country, sector and country x sector group, each as a `total`
 * entry and an entry for each part (intended, collateral) it holds entities of; a group of one
 * part has both a total and that part's entry, with the same figures. Totals first, then by
 * expected loss.
 */
export interface AssessmentGroups {
  country: GroupStat[];
  sector: GroupStat[];
  /** Absent in results stored before it existed. */
  countrySector?: CountrySectorStat[];
}

export interface TimelineBin {
  /** Bin end, hours from origin, and as a time. */
  hours: number;
  at: string;
  /** Cumulative infections by the bin end (weighted run distribution). */
  infections: Range;
  /** Cumulative reported entities by the bin end. */
  reported: number;
}

export interface EarlyWarningEntity {
  entityId: string;
  name: string;
  country: string | null;
  sector: string | null;
  probability: Probability;
  /** Most likely path from a reported infection: entity ids from the reported source to this entity. */
  path: string[];
}

export interface EarlyWarningWindow {
  withinHours: number;
  entities: EarlyWarningEntity[];
}

export interface RunTable {
  columns: string[];
  rows: number[][];
}

export interface AssessmentResult {
  model: 'ic' | 'sir';
  seed: number;
  runCount: number;
  level: number;
  calibrated: boolean;
  origin: string;
  asOf: string;
  horizonHours: number;
  reportsUsed: number;
  reportedEntities: number;
  spectralRadius: number;
  summary: AssessmentSummary;
  /** Entities with a non-zero chance of infection or disruption, or reported; by probability of infection. */
  entities: EntityStat[];
  groups: AssessmentGroups;
  timeline: TimelineBin[];
  earlyWarning: { asOf: string; windows: EarlyWarningWindow[] };
  runs: RunTable;
  warnings: string[];
}
