/**
 * Merging partial aggregates of one assessment: disjoint run ranges computed anywhere (threads,
 * shards, machines) into one partial, rescaled to a common log scale.
 */
import { addRange, countRuns, growGroups, growRuns, NG, priorRatioOf, scalePartial, TOTALS_WIDTH, trimmedView, trimPartial, type AssessmentPartial } from './partial';

/** A copy of p trimmed to its runs (merging scales and extends its inputs). */
function copyPartial(p: AssessmentPartial): AssessmentPartial {
  const t = trimPartial(p);
  return {
    ...t,
    ranges: t.ranges.map((r) => [r[0], r[1]] as [number, number]),
    infected: t.infected.slice(),
    disrupted: t.disrupted.slice(),
    loss: t.loss.slice(),
    early: t.early.slice(),
    carry: t.carry ? t.carry.slice() : null,
    runIndex: t.runIndex.slice(),
    logLik: t.logLik.slice(),
    logPriorRatio: t.logPriorRatio ? t.logPriorRatio.slice() : undefined,
    params: t.params.slice(),
    totals: t.totals.slice(),
    timeline: t.timeline.slice(),
    groupRun: t.groupRun.slice(),
    groupId: t.groupId.slice(),
    groupValues: t.groupValues.slice(),
  };
}

/**
 * a[0, aLen) followed by b[0, bLen): in a itself when it has room (a coordinator grows its run
 * arrays once, growRuns), else in a new array.
 */
function append<T extends Int32Array | Float64Array | Float32Array>(a: T, aLen: number, b: T, bLen: number): T {
  if (a.length >= aLen + bLen) {
    a.set(b.subarray(0, bLen) as never, aLen);
    return a;
  }
  const out = new (a.constructor as { new (n: number): T })(aLen + bLen);
  out.set(a.subarray(0, aLen) as never);
  out.set(b.subarray(0, bLen) as never, aLen);
  return out;
}

/**
 * Adds `b` into `acc` (both of the same assessment: same fingerprint, disjoint run ranges).
 * `b` is scaled in place; `acc` is modified and returned.
 */
function mergeInto(acc: AssessmentPartial, b: AssessmentPartial): AssessmentPartial {
  if (acc.fingerprint !== b.fingerprint) throw new Error('cannot merge partials of different assessments (model, seed or settings differ)');
  for (const [x, y] of b.ranges) addRange(acc.ranges.map((r) => [r[0], r[1]] as [number, number]), x, y); // overlap check
  const Ra = countRuns(acc);
  const Rb = countRuns(b);
  const M = Math.max(acc.logScale, b.logScale);
  if (M !== -Infinity) {
    if (acc.logScale !== -Infinity) scalePartial(acc, Math.exp(acc.logScale - M));
    if (b.logScale !== -Infinity) scalePartial(b, Math.exp(b.logScale - M));
    acc.logScale = M;
  }
  acc.sumW += b.sumW;
  acc.sumW2 += b.sumW2;
  const add = (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < x.length; i++) x[i] += y[i];
  };
  add(acc.infected, b.infected);
  add(acc.disrupted, b.disrupted);
  add(acc.loss, b.loss);
  add(acc.early, b.early);
  if (acc.carry && b.carry) for (let i = 0; i < acc.carry.length; i++) acc.carry[i] += b.carry[i];
  acc.runIndex = append(acc.runIndex, Ra, b.runIndex, Rb);
  acc.logLik = append(acc.logLik, Ra, b.logLik, Rb);
  acc.logPriorRatio = append(priorRatioOf(acc, Ra), Ra, priorRatioOf(b, Rb), Rb);
  acc.params = append(acc.params, Ra * acc.paramCount, b.params, Rb * b.paramCount);
  acc.totals = append(acc.totals, Ra * TOTALS_WIDTH, b.totals, Rb * TOTALS_WIDTH);
  acc.timeline = append(acc.timeline, Ra * acc.bins, b.timeline, Rb * b.bins);
  appendGroupRows(acc, b);
  for (const [x, y] of b.ranges) addRange(acc.ranges, x, y);
  return acc;
}

/**
 * mergeInto for a caller that merges the partials of `runs` runs one after another (a shard's
 * chunks, a coordinator's shards, mergePartials): the run arrays grow once to `runs`, the group rows to an
 * estimate from the rows per run so far (+10%), else by doubling. Growing each to the rows
 * merged so far copied the growing whole once a merge: at 10,000 runs of the scale bench's
 * scenario the group rows reach ~150 MB, and the copies took ~3 CPU s of the thread merging
 * while the runs went on. `acc` keeps room beyond its runs and rows (see trimmedView).
 */
export function foldInto(acc: AssessmentPartial, b: AssessmentPartial, runs?: number): AssessmentPartial {
  if (runs !== undefined) growRuns(acc, runs);
  const need = acc.groupCount + b.groupCount;
  if (need > acc.groupRun.length) {
    const estimate = runs === undefined ? 0 : Math.ceil((need / (countRuns(acc) + countRuns(b))) * runs * 1.1);
    growGroups(acc, Math.max(need, estimate > need ? estimate : 2 * acc.groupRun.length));
  }
  return mergeInto(acc, b);
}

function appendGroupRows(acc: AssessmentPartial, b: AssessmentPartial): void {
  if (b.groupCount === 0) return;
  const need = acc.groupCount + b.groupCount;
  if (need > acc.groupRun.length) growGroups(acc, need);
  acc.groupRun.set(b.groupRun.subarray(0, b.groupCount), acc.groupCount);
  acc.groupId.set(b.groupId.subarray(0, b.groupCount), acc.groupCount);
  acc.groupValues.set(b.groupValues.subarray(0, b.groupCount * NG), acc.groupCount * NG);
  acc.groupCount = need;
}

/**
 * Merges partials of one assessment (any order, disjoint run ranges) into a new partial.
 * Run rows are identical to a single computation of the union; weighted sums agree up to
 * floating-point rounding (bit-identical when merged in run order along the same chunk boundaries).
 */
export function mergePartials(parts: readonly AssessmentPartial[]): AssessmentPartial {
  if (parts.length === 0) throw new Error('mergePartials needs at least one partial');
  const sorted = [...parts].sort((a, b) => (a.ranges[0]?.[0] ?? 0) - (b.ranges[0]?.[0] ?? 0));
  const runs = parts.reduce((n, p) => n + countRuns(p), 0);
  const acc = copyPartial(sorted[0]);
  for (let i = 1; i < sorted.length; i++) foldInto(acc, copyPartial(sorted[i]), runs);
  return trimmedView(acc);
}
