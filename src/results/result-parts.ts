/**
 * The parts a finished job stores in `job_results`, by kind: an assessment's output split so
 * every read route serves one part without recomputation, and a simulation's result.
 */
import type { JobKind } from '../jobs/job-input';
import type { Audience } from '../tlp/policy';
import type { EarlyWarningWindow, GroupPart, GroupStat, Probability, RunTable, Summary, TimelineBin } from './result-types';
import type { SimulationResult } from './simulation-result';
import type { EntityIndexParts } from './entity-index';

/** One row of GET /entities, before the reader's TLP filter. */
export interface EntityRow {
  entityId: string;
  name: string;
  kind: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  protected: boolean;
  intended: boolean;
  collateral: boolean;
  reported: boolean;
  probabilityInfected: Probability;
  probabilityDisrupted: Probability;
  /** Expected direct + indirect loss, USD. */
  expectedLossUsd: number;
}

export interface StoredTimeline {
  asOf: string;
  origin: string;
  horizonHours: number;
  /** Cumulative infections by each bin end (band of the weighted run distribution) and reported entities beside. */
  points: TimelineBin[];
  /** Each reported entity's first report per audience (hours from origin): each reader's `reported` counts come from those it may see. */
  firstReports?: FirstReport[];
}

export interface FirstReport extends Audience {
  entityId: string;
  hours: number;
}

export interface WarningData {
  asOf: string;
  windows: EarlyWarningWindow[];
}

/** `Partial<EntityIndexParts>`: stored since issue 16's cold reads (entity-index.ts), absent on jobs before. */
export interface AssessmentParts extends Partial<EntityIndexParts> {
  summary: Summary;
  meta: Record<string, unknown>;
  entities: EntityRow[];
  /** groupKey(part, country, sector) -> ranges of the group's per-run totals (see groupKey). */
  groups: Record<string, GroupStat>;
  timeline: StoredTimeline;
  earlyWarning: WarningData;
  runs: RunTable;
  /**
   * Entities with no report open to every reader, and the audiences of their reports (results
   * stored before audiences were kept: the organisations of their RED or AMBER+STRICT reports).
   */
  restricted: Record<string, Array<Audience | string>>;
}

export interface SimulationParts {
  summary: SimulationResult;
}

/** The parts of each kind of job, by part name. */
export interface PartsOf {
  assessment: AssessmentParts;
  simulation: SimulationParts;
}

export type PartName<K extends JobKind> = keyof PartsOf[K] & string;

/**
 * Key of a group's ranges in the `groups` part: its country and sector segments in this order
 * (`country:UA`, `sector:energy`, `country:UA/sector:energy`; null: not a level of the group),
 * prefixed with `intended/` or `collateral/` for a part. Totals keep the keys of results stored
 * before parts and nested groups existed.
 */
export function groupKey(part: GroupPart, country: string | null, sector: string | null): string {
  const segs = [country === null ? null : `country:${country}`, sector === null ? null : `sector:${sector}`].filter((x) => x !== null);
  return [...(part === 'total' ? [] : [part]), ...segs].join('/');
}
