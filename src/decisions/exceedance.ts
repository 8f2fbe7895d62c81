/**
 * Exceedance probabilities P(loss > x) from the weighted per-run results an assessment keeps
 * (its run table): the share of the run weight whose loss is above x, with a Wilson interval on
 * the Kish effective number of runs as its Monte Carlo band. Plain functions, no framework.
 */
import { kish, wilson, type Probability } from '../engine/stats';
import type { RunTable } from '../results/result-types';
import { unprocessable } from '../common/errors/domain-error';

/** Which loss the curve is of: the run table's `<part>.lossTotal` column. */
export type ExceedancePart = 'collateral' | 'total';
export const EXCEEDANCE_PARTS: readonly ExceedancePart[] = ['collateral', 'total'];

export interface ExceedancePoint {
  thresholdUsd: number;
  /** P(loss > thresholdUsd) with its 95% Monte Carlo interval. */
  probability: Probability;
}

export interface ExceedanceCurve {
  part: ExceedancePart;
  runs: number;
  effectiveSampleSize: number;
  points: ExceedancePoint[];
}

/** Sorted losses of one part with their normalised weights (zero-weight runs dropped). */
export interface LossSample {
  values: Float64Array;
  /** tail[i] = weight of the runs with a loss above values[i] (strictly). */
  tail: Float64Array;
  nEff: number;
  runs: number;
}

export function lossSample(runs: RunTable, part: ExceedancePart): LossSample {
  const col = runs.columns.indexOf(`${part}.lossTotal`);
  const wCol = runs.columns.indexOf('weight');
  if (col < 0 || wCol < 0) {
    throw unprocessable('this result keeps no per-run losses (it was stored before they were kept): run the assessment again', [
      { field: 'runs', rule: 'hasColumn', message: `the run table has no ${part}.lossTotal or weight column` },
    ]);
  }
  const pairs = runs.rows.filter((r) => r[wCol] > 0).map((r) => [r[col], r[wCol]] as const).sort((a, b) => a[0] - b[0]);
  let sw = 0;
  let sw2 = 0;
  for (const [, w] of pairs) {
    sw += w;
    sw2 += w * w;
  }
  const values = new Float64Array(pairs.length);
  const tail = new Float64Array(pairs.length);
  let above = 0;
  for (let i = pairs.length - 1; i >= 0; i--) {
    values[i] = pairs[i][0];
    // ties: every run with the same value is not above it
    tail[i] = i + 1 < pairs.length && values[i + 1] === values[i] ? tail[i + 1] : above / (sw || 1);
    above += pairs[i][1];
  }
  return { values, tail, nEff: kish(sw, sw2), runs: runs.rows.length };
}

/** P(loss > x) with its Monte Carlo interval. */
export function exceedanceAt(s: LossSample, x: number): Probability {
  // first index with a value > x
  let lo = 0;
  let hi = s.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.values[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  const p = lo >= s.values.length ? 0 : lo === 0 ? 1 : s.tail[lo - 1];
  return wilson(Math.min(1, Math.max(0, p)), s.nEff);
}

/**
 * The curve at up to `maxPoints` thresholds: 0 and the run losses at evenly spaced ranks (each
 * a step of the weighted empirical curve), ascending.
 */
export function exceedanceCurve(s: LossSample, part: ExceedancePart, maxPoints = 60): ExceedanceCurve {
  const n = s.values.length;
  const xs = new Set<number>([0]);
  const step = Math.max(1, (n - 1) / Math.max(1, maxPoints - 1));
  for (let k = 0; k < n; k += step) xs.add(s.values[Math.floor(k)]);
  if (n) xs.add(s.values[n - 1]);
  const points = [...xs].sort((a, b) => a - b).map((x) => ({ thresholdUsd: x, probability: exceedanceAt(s, x) }));
  return { part, runs: s.runs, effectiveSampleSize: s.nEff, points };
}

/** "About 1 in N" for a probability: N = 1/p to two significant figures, and the band's N. */
export interface OneIn {
  /** Null when no run exceeded the threshold (only a bound can be said). */
  n: number | null;
  /** N for the band's ends (the higher probability gives the smaller N). */
  nLow: number | null;
  nHigh: number | null;
  wording: string;
}

const twoSig = (x: number) => Number(x.toPrecision(2));
const invert = (p: number) => (p > 0 ? twoSig(1 / p) : null);

export function oneIn(prob: Probability, what: string): OneIn {
  const n = invert(prob.p);
  const nLow = invert(prob.high);
  const nHigh = invert(prob.low);
  const pct = (p: number) => `${twoSig(100 * p)}%`;
  let wording: string;
  if (prob.p <= 0) wording = `No simulated run had ${what}: less likely than about 1 in ${nLow ?? '?'} (95% Monte Carlo bound).`;
  else if (prob.p >= 0.5) wording = `${what[0].toUpperCase()}${what.slice(1)} is more likely than not: ${pct(prob.p)} (between ${pct(prob.low)} and ${pct(prob.high)}).`;
  else wording = `About 1 in ${n} of the weighted runs had ${what} (between 1 in ${nLow} and 1 in ${nHigh ?? 'more'}; ${pct(prob.p)}).`;
  return { n, nLow, nHigh, wording };
}

export function exceedanceCsv(curves: ExceedanceCurve[]): string {
  const lines = ['part,thresholdUsd,probability,low,high'];
  for (const c of curves) for (const pt of c.points) lines.push([c.part, pt.thresholdUsd, pt.probability.p, pt.probability.low, pt.probability.high].join(','));
  return lines.join('\n') + '\n';
}
