/**
 * What runs accumulate: the headline figures per run and their columns, the group cells, and the
 * partial aggregate of a set of runs (weighted per-entity sums, per-run rows), which merges
 * exactly with the partials of other runs of the same assessment.
 */
import type { ScenarioCore } from './model';
import type { RunSettings } from './settings';

/** Headline figures per run, in column order within each split. */
export const FIGURES = [
  'entitiesInfected',
  'entitiesDisrupted',
  'unreportedInfections',
  'forecastInfections',
  'lossDirect',
  'lossIndirect',
  'lossTotal',
  'populationAffected',
  'countriesAffected',
] as const;
export const SPLITS = ['total', 'intended', 'collateral'] as const;
export const NF = FIGURES.length;
/** Column of each headline figure within a split. */
export const FIGURE = Object.fromEntries(FIGURES.map((f, i) => [f, i])) as { readonly [K in (typeof FIGURES)[number]]: number };
/** Index of each split. */
export const SPLIT = Object.fromEntries(SPLITS.map((s, i) => [s, i])) as { readonly [K in (typeof SPLITS)[number]]: number };
export const TOTALS_WIDTH = NF * SPLITS.length;

/** Column of a figure of a split in a run's totals row. */
export function totalsColumn(split: number, figure: number): number {
  return split * NF + figure;
}
/** Values kept per (run, cell) group row. */
export const GROUP_VALUES = ['entitiesInfected', 'entitiesDisrupted', 'lossUsd', 'populationAffected'] as const;
export const NG = GROUP_VALUES.length;
/** Column of each group value within a group row. */
export const GROUP_VALUE = Object.fromEntries(GROUP_VALUES.map((g, i) => [g, i])) as { readonly [K in (typeof GROUP_VALUES)[number]]: number };

/**
 * The cells of the per-run group rows: the (country, sector, part) combinations the scenario's
 * entities fall into, part = intended or collateral; a missing country or sector (-1) is a key
 * of its own. Every country, sector and country x sector group, of each part, is a union of
 * cells, so finalize derives their per-run totals from the cells. Ids follow the sorted
 * combination key: the same on every thread and in every shard of a scenario.
 */
export interface GroupCells {
  count: number;
  /** Per entity: its cell. */
  cellOf: Int32Array;
  /** Per cell: country index (-1: none), sector index (-1: none), 1 if intended. */
  country: Int32Array;
  sector: Int32Array;
  intended: Uint8Array;
}

export function groupCells(core: Pick<ScenarioCore, 'n' | 'country' | 'sector' | 'intended' | 'sectorCount'>): GroupCells {
  const S = core.sectorCount + 1;
  const keyOf = (v: number) => ((core.country[v] + 1) * S + core.sector[v] + 1) * 2 + (core.intended[v] === 1 ? 1 : 0);
  const ids = new Map<number, number>();
  for (let v = 0; v < core.n; v++) ids.set(keyOf(v), 0);
  const keys = [...ids.keys()].sort((a, b) => a - b);
  const K = keys.length;
  const cells: GroupCells = { count: K, cellOf: new Int32Array(core.n), country: new Int32Array(K), sector: new Int32Array(K), intended: new Uint8Array(K) };
  keys.forEach((key, i) => {
    ids.set(key, i);
    const pair = Math.floor(key / 2);
    cells.intended[i] = key % 2;
    cells.sector[i] = (pair % S) - 1;
    cells.country[i] = Math.floor(pair / S) - 1;
  });
  for (let v = 0; v < core.n; v++) cells.cellOf[v] = ids.get(keyOf(v))!;
  return cells;
}

/** Partial aggregate of a set of runs; merges exactly with others of the same assessment. */
export interface AssessmentPartial {
  format: 'spillover.partial/1';
  fingerprint: string;
  /** Run index ranges [start, end) covered, sorted and disjoint. */
  ranges: Array<[number, number]>;
  n: number;
  arcs: number;
  paramCount: number;
  bins: number;
  windows: number;
  /** Per run: log prior/proposal density ratio of its drawn parameters (absent or 0 for prior draws); weight = exp(logLik + logPriorRatio). */
  logPriorRatio?: Float64Array;
  /** Every weighted sum below is scaled by exp(-logScale) (log-sum-exp streaming). */
  logScale: number;
  sumW: number;
  sumW2: number;
  /** Per entity: weighted count of runs infecting it (by the horizon). */
  infected: Float64Array;
  /** Per entity: weighted count of runs disrupting it without infection. */
  disrupted: Float64Array;
  /** Per entity: weighted sum of its direct + indirect loss. */
  loss: Float64Array;
  /** Per entity and window (n x windows): weighted count of runs infecting it by asOf + window (unreported entities only). */
  early: Float64Array;
  /** Per arc: weighted count of runs in which the infection crossed it (null if not tracked). */
  carry: Float32Array | null;
  runIndex: Int32Array;
  logLik: Float64Array;
  params: Float64Array;
  totals: Float64Array;
  timeline: Float32Array;
  /**
   * Sparse (run, cell) rows, one per cell a run touches (see GroupCells), in run order:
   * groupId = cell id. Values in single precision: per-run sums within a cell (counts are exact).
   */
  groupCount: number;
  groupRun: Int32Array;
  groupId: Int32Array;
  /** NG values per group row (GROUP_VALUES). */
  groupValues: Float32Array;
}

/** Allocates an empty partial for up to `capacity` runs. */
export function emptyPartial(core: ScenarioCore, s: RunSettings, capacity: number, paramCount: number): AssessmentPartial {
  const n = core.n;
  const W = s.earlyWarningHours.length;
  return {
    format: 'spillover.partial/1',
    fingerprint: fingerprintOf(core, s),
    ranges: [],
    n,
    arcs: core.graph.arcs,
    paramCount,
    bins: s.timelineBins,
    windows: W,
    logScale: -Infinity,
    sumW: 0,
    sumW2: 0,
    infected: new Float64Array(n),
    disrupted: new Float64Array(n),
    loss: new Float64Array(n),
    early: new Float64Array(n * W),
    carry: s.trackPaths ? new Float32Array(core.graph.arcs) : null,
    runIndex: new Int32Array(capacity),
    logLik: new Float64Array(capacity),
    logPriorRatio: new Float64Array(capacity),
    params: new Float64Array(capacity * paramCount),
    totals: new Float64Array(capacity * TOTALS_WIDTH),
    timeline: new Float32Array(capacity * s.timelineBins),
    groupCount: 0,
    groupRun: new Int32Array(0),
    groupId: new Int32Array(0),
    groupValues: new Float32Array(0),
  };
}

/** Multiplies every weighted sum of `p` by `f`. */
export function scalePartial(p: AssessmentPartial, f: number): void {
  if (f === 1) return;
  p.sumW *= f;
  p.sumW2 *= f * f;
  for (const a of [p.infected, p.disrupted, p.loss, p.early]) for (let i = 0; i < a.length; i++) a[i] *= f;
  if (p.carry) {
    const c = p.carry;
    for (let i = 0; i < c.length; i++) c[i] *= f;
  }
}

/**
 * The weight exp(logWeight) of a run on p's scale, rescaling p's sums first when the run's log
 * weight exceeds the scale (streamed log-sum-exp).
 */
export function runWeightIn(p: AssessmentPartial, logWeight: number): number {
  if (logWeight > p.logScale) {
    if (p.logScale !== -Infinity) scalePartial(p, Math.exp(p.logScale - logWeight));
    p.logScale = logWeight;
  }
  return logWeight === -Infinity ? 0 : Math.exp(logWeight - p.logScale);
}

/** Number of runs a partial covers. */
export function countRuns(p: AssessmentPartial): number {
  let k = 0;
  for (const [a, b] of p.ranges) k += b - a;
  return k;
}

/** Adds [a,b) to a sorted list of disjoint ranges, coalescing neighbours; throws on overlap. */
export function addRange(ranges: Array<[number, number]>, a: number, b: number): void {
  let i = 0;
  while (i < ranges.length && ranges[i][1] < a) i++;
  if (i < ranges.length && ranges[i][0] < b && a < ranges[i][1]) throw new Error(`run range [${a},${b}) overlaps [${ranges[i][0]},${ranges[i][1]})`);
  if (i < ranges.length && ranges[i][1] === a) {
    ranges[i][1] = b;
    if (i + 1 < ranges.length && ranges[i + 1][0] === b) {
      ranges[i][1] = ranges[i + 1][1];
      ranges.splice(i + 1, 1);
    }
    return;
  }
  if (i < ranges.length && ranges[i][0] === b) {
    ranges[i][0] = a;
    return;
  }
  ranges.splice(i, 0, [a, b]);
}

/** The per-run log prior/proposal ratios of a partial (zeros for partials written before they existed). */
export function priorRatioOf(p: AssessmentPartial, R: number): Float64Array {
  return p.logPriorRatio && p.logPriorRatio.length >= R ? p.logPriorRatio : new Float64Array(R);
}

/** Trims a partial's run arrays to the runs it holds (copies: the result owns its arrays). */
export function trimPartial(p: AssessmentPartial): AssessmentPartial {
  return cutTo(p, (a, n) => a.slice(0, n) as typeof a);
}

/**
 * trimPartial without copying: views of the arrays, for a reader that keeps none of them
 * (finalize, on a coordinator's merged partial whose run arrays have room for the job's runs).
 */
export function trimmedView(p: AssessmentPartial): AssessmentPartial {
  return cutTo(p, (a, n) => a.subarray(0, n) as typeof a);
}

type RunArray = Int32Array | Float64Array | Float32Array;

function cutTo(p: AssessmentPartial, cut: <T extends RunArray>(a: T, n: number) => T): AssessmentPartial {
  const R = countRuns(p);
  if (p.runIndex.length === R && p.groupRun.length === p.groupCount) return p;
  return {
    ...p,
    groupRun: cut(p.groupRun, p.groupCount),
    groupId: cut(p.groupId, p.groupCount),
    groupValues: cut(p.groupValues, p.groupCount * NG),
    runIndex: cut(p.runIndex, R),
    logLik: cut(p.logLik, R),
    logPriorRatio: p.logPriorRatio ? cut(p.logPriorRatio, R) : undefined,
    params: cut(p.params, R * p.paramCount),
    totals: cut(p.totals, R * TOTALS_WIDTH),
    timeline: cut(p.timeline, R * p.bins),
  };
}

/** Grows the group-row arrays to `cap` rows. */
export function growGroups(p: AssessmentPartial, cap: number): void {
  const gr = new Int32Array(cap);
  gr.set(p.groupRun.subarray(0, p.groupCount));
  const gi = new Int32Array(cap);
  gi.set(p.groupId.subarray(0, p.groupCount));
  const gv = new Float32Array(cap * NG);
  gv.set(p.groupValues.subarray(0, p.groupCount * NG));
  p.groupRun = gr;
  p.groupId = gi;
  p.groupValues = gv;
}

/**
 * Grows the run arrays to `cap` runs, so that merging the rest of a job's shards appends in place
 * (mergeInto) instead of copying the growing whole once a shard. A missing logPriorRatio becomes
 * its zeros (priorRatioOf).
 */
export function growRuns(p: AssessmentPartial, cap: number): void {
  const R = countRuns(p);
  if (cap <= p.runIndex.length) return;
  const grow = <T extends RunArray>(a: T, width: number): T => {
    const out = new (a.constructor as new (n: number) => T)(cap * width);
    out.set(a.subarray(0, R * width) as never);
    return out;
  };
  p.runIndex = grow(p.runIndex, 1);
  p.logLik = grow(p.logLik, 1);
  p.logPriorRatio = grow(priorRatioOf(p, R), 1);
  p.params = grow(p.params, p.paramCount);
  p.totals = grow(p.totals, TOTALS_WIDTH);
  p.timeline = grow(p.timeline, p.bins);
}

export function fingerprintOf(core: ScenarioCore, s: RunSettings): string {
  return JSON.stringify([
    core.n,
    core.graph.arcs,
    core.reportedCount,
    core.asOfHours,
    core.horizonEndHours,
    s.model,
    s.seed,
    s.calibrate,
    s.reportingRate,
    s.unexplainedReportProbability,
    s.reportingLagHours,
    s.reportDispersion,
    s.reportThinning !== false,
    s.disruptionThreshold,
    s.timelineBins,
    s.earlyWarningHours,
    s.trackPaths,
    ...(s.sampler === 'adaptive' ? [s.sampler, s.proposal ?? null] : []),
  ]);
}
