/**
 * The shapes an assessment's results are stored and served in. The engine binding
 * (engine-binding.ts) turns the simulation core's output into `EngineOutput`; result-parts.ts
 * adds what the database knows (names, reports) and splits it into stored parts.
 */

/** A figure of the weighted run distribution: mean, median and the central interval at `level`. */
export interface Range {
  mean: number;
  median: number;
  low: number;
  high: number;
  level: number;
}

/** A probability with its Monte Carlo error interval. */
export interface Probability {
  estimate: number;
  low: number;
  high: number;
}

export interface Figures {
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
  probability: number;
  norms: string[];
}

/** The summary, exactly as issue 6 shapes it (`result` of GET /v1/assessments/:id). */
export interface Summary {
  total: Figures;
  intended: Figures;
  collateral: Figures;
  protectedHits: ProtectedHit[];
  calibration: { enabled?: boolean; parameters: Record<string, Range>; effectiveSampleSize: number; [k: string]: unknown };
  monteCarloError: Record<string, unknown>;
  [k: string]: unknown;
}

/** Per-entity statistics over the weighted runs. */
export interface EntityStat {
  id: string;
  pInfected: Probability;
  pDisrupted: Probability;
  expectedLossUsd: { direct: number; indirect: number; total: number };
  expectedPopulationAffected: number;
  /** P(infected by asOf + h) at the hours of `EngineOutput.hours` (cumulative), for the early warning. */
  pInfectedBy?: number[];
  /** The infector seen most often (weighted) in the runs that infected this entity. */
  likelyInfector?: string | null;
}

export interface GroupStat {
  entitiesInfected: Range;
  lossUsd: Range;
  populationAffected: Range;
}

export interface TimelinePoint {
  at: string;
  hours: number;
  infected: Range;
}

export interface EngineOutput {
  summary: Summary;
  /** Entities infected or disrupted in at least one run. */
  entities: EntityStat[];
  /** Per-run totals by group: `country:UA`, `sector:energy`, `country:UA/sector:energy`. */
  groups: Record<string, GroupStat>;
  timeline: TimelinePoint[];
  /** Hours after asOf at which `pInfectedBy` is given. */
  hours: number[];
  runs: { columns: string[]; rows: number[][] };
}
