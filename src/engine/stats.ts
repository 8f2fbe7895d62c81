/**
 * Weighted summaries of run distributions and Monte Carlo error.
 */
import { normalQuantile } from './distributions';

/**
 * A headline range: mean, median and an interval holding `level` of the weighted run
 * distribution: the central one, but where the runs' smallest value alone carries the lower tail's
 * share (a floor such as no unreported infection, or no loss) the interval starts there and ends
 * at the `level` quantile, since [floor, q(1 - tail)] would hold more than `level` (see upperShare).
 */
export interface Range {
  mean: number;
  median: number;
  low: number;
  high: number;
  level: number;
}

/** Kish effective sample size (sum w)^2 / sum w^2. */
export function kish(sumW: number, sumW2: number): number {
  return sumW2 > 0 ? (sumW * sumW) / sumW2 : 0;
}

/** Kish's effective sample size of a vector of weights. */
export function kishOf(w: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i];
    s2 += w[i] * w[i];
  }
  return kish(s, s2);
}

/**
 * The share whose quantile ends a range at `level`: 1 - (1 - level)/2, or `level` when the lower
 * end is the smallest value (`atFloor`). A count of small outbreaks has a point mass on its floor;
 * the central interval then holds level + (mass at the floor - tail) of the runs and its truth is
 * never below it: it held 97.7% of the synthetic outbreaks with at most 10 infections at a nominal
 * 90% (docs/benchmarks-calibration.md).
 */
export function upperShare(level: number, atFloor: boolean): number {
  return atFloor ? level : 1 - (1 - level) / 2;
}

/**
 * Sorted (value, weight) pairs of a column; zero-weight runs dropped. `zeros`: runs of value 0
 * left out of the column (e.g. runs that touch no cell of a group), given by the sum of their
 * weights (`zeroWeight`) and of their squared weights (`zeroWeightSquared`): the mean needs the
 * first, its standard error the second.
 */
export class WeightedSample {
  readonly values: Float64Array;
  readonly cum: Float64Array;
  readonly total: number;
  readonly mean: number;
  /**
   * Standard error of the weighted mean (ratio-estimator linearisation):
   * sqrt(sum_i w_i^2 (x_i - mean)^2) / sum_i w_i over every run, the left-out zero-valued runs
   * included (their terms are zeroWeightSquared x mean^2).
   */
  readonly meanSe: number;
  constructor(values: ArrayLike<number>, weights: ArrayLike<number>, zeros?: { zeroWeight: number; zeroWeightSquared: number }) {
    const idx: number[] = [];
    for (let i = 0; i < values.length; i++) if (weights[i] > 0) idx.push(i);
    idx.sort((a, b) => values[a] - values[b] || a - b);
    const z = zeros?.zeroWeight ?? 0;
    const off = z > 0 ? 1 : 0;
    this.values = new Float64Array(idx.length + off);
    this.cum = new Float64Array(idx.length + off);
    let c = z;
    if (off) {
      this.values[0] = 0;
      this.cum[0] = z;
    }
    let s = 0;
    let s2 = 0;
    idx.forEach((i, k) => {
      c += weights[i];
      this.values[k + off] = values[i];
      this.cum[k + off] = c;
      s += weights[i] * values[i];
    });
    this.total = c;
    this.mean = c > 0 ? s / c : NaN;
    for (const i of idx) s2 += weights[i] * weights[i] * (values[i] - this.mean) ** 2;
    const z2 = zeros?.zeroWeightSquared ?? 0;
    if (z2 > 0) s2 += z2 * this.mean * this.mean;
    this.meanSe = c > 0 ? Math.sqrt(s2) / c : NaN;
  }
  /** Smallest value whose cumulative weight share reaches p (p in [0,1]). */
  quantile(p: number): number {
    const { cum, values, total } = this;
    if (values.length === 0) return NaN;
    const target = Math.min(1, Math.max(0, p)) * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] >= target * (1 - 1e-12)) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  }
  range(level: number): Range {
    const low = this.quantile((1 - level) / 2);
    return { mean: this.mean, median: this.quantile(0.5), low, high: this.quantile(upperShare(level, low === this.values[0])), level };
  }
}

/**
 * The Range of (value, weight) pairs [0, m) as WeightedSample.range computes it (weighted mean; each
 * quantile the smallest value whose cumulative weight reaches its share), by weighted selection
 * in expected linear time instead of a sort: the rollup's groups are many. The median is
 * selected first; the low end is then searched among the smaller values only, the high end
 * among the larger. `scratch*` hold the permuted copies.
 */
export function weightedRange(values: Float64Array, weights: Float64Array, m: number, level: number, scratchV = new Float64Array(m), scratchW = new Float64Array(m)): Range {
  let total = 0;
  let s = 0;
  let min = Infinity;
  // Counts (whole numbers from 0 to below m) take a histogram instead (countRange).
  let maxCount = m > 0 ? 0 : -1;
  for (let i = 0; i < m; i++) {
    const x = values[i];
    total += weights[i];
    s += weights[i] * x;
    if (weights[i] > 0 && x < min) min = x;
    if (maxCount >= 0) maxCount = x >= 0 && x < m && x === Math.floor(x) ? (x > maxCount ? x : maxCount) : -1;
  }
  if (!(total > 0)) return { mean: NaN, median: NaN, low: NaN, high: NaN, level };
  const a = (1 - level) / 2;
  const target = (share: number) => share * total * (1 - 1e-12);
  if (maxCount >= 0) return countRange(values, weights, m, maxCount, scratchW, { mean: s / total, min, a, level, target });
  const v = scratchV;
  const w = scratchW;
  v.set(values.subarray(0, m));
  w.set(weights.subarray(0, m));
  const st = { lt: 0, ge: 0, wLt: 0, wLe: 0 };
  const median = weightedSelect(v, w, 0, m, 0, target(0.5), st);
  const { lt, ge, wLt, wLe } = st;
  const low = wLt >= target(a) ? weightedSelect(v, w, 0, lt, 0, target(a), st) : median;
  const up = upperShare(level, low === min);
  const high = wLe >= target(up) ? median : weightedSelect(v, w, ge, m, wLe, target(up), st);
  return { mean: s / total, median, low, high, level };
}

/**
 * weightedRange of whole numbers 0..maxCount (the groups' entity counts): the weight of each
 * value in a histogram, each quantile the first value whose cumulative weight reaches its
 * share. Two passes over the pairs instead of three selections; the same quantiles.
 */
function countRange(
  values: Float64Array,
  weights: Float64Array,
  m: number,
  maxCount: number,
  hist: Float64Array,
  r: { mean: number; min: number; a: number; level: number; target: (share: number) => number },
): Range {
  hist.fill(0, 0, maxCount + 1);
  for (let i = 0; i < m; i++) hist[values[i]] += weights[i];
  const first = (t: number) => {
    let c = 0;
    for (let x = 0; x <= maxCount; x++) {
      c += hist[x];
      if (c >= t) return x;
    }
    return maxCount;
  };
  const median = first(r.target(0.5));
  const low = first(r.target(r.a));
  const high = first(r.target(upperShare(r.level, low === r.min)));
  return { mean: r.mean, median, low, high, level: r.level };
}

/**
 * Smallest value x among [lo, hi) with `below` (the weight of [0, lo), all smaller) plus the
 * weight of values <= x at least `target`; reorders both arrays so that [0, st.lt) < x,
 * [st.lt, st.ge) = x and [st.ge, m) > x, with st.wLt, st.wLe the weights of [0, st.lt) and
 * [0, st.ge). When rounding leaves the target above the weight, the largest value of [lo, hi).
 */
function weightedSelect(v: Float64Array, w: Float64Array, lo: number, hi: number, below: number, target: number, st: { lt: number; ge: number; wLt: number; wLe: number }): number {
  const from = lo;
  const to = hi;
  while (lo < hi) {
    const x0 = v[lo];
    const x1 = v[(lo + hi) >> 1];
    const x2 = v[hi - 1];
    const pivot = x0 < x1 ? (x1 < x2 ? x1 : x0 < x2 ? x2 : x0) : x0 < x2 ? x0 : x1 < x2 ? x2 : x1;
    // three-way partition: [lo, lt) < pivot, [lt, i) = pivot, (gt, hi) > pivot
    let lt = lo;
    let i = lo;
    let gt = hi - 1;
    let wLess = 0;
    let wEqual = 0;
    while (i <= gt) {
      const x = v[i];
      if (x < pivot) {
        swap(v, w, lt, i);
        wLess += w[lt];
        lt++;
        i++;
      } else if (x > pivot) {
        swap(v, w, gt, i);
        gt--;
      } else {
        wEqual += w[i];
        i++;
      }
    }
    if (below + wLess >= target) hi = lt;
    else if (below + wLess + wEqual >= target) {
      st.lt = lt;
      st.ge = i;
      st.wLt = below + wLess;
      st.wLe = below + wLess + wEqual;
      return pivot;
    } else {
      below += wLess + wEqual;
      lo = gt + 1;
    }
  }
  let max = -Infinity;
  for (let i = from; i < to; i++) if (v[i] > max) max = v[i];
  return max;
}

/** Swaps pairs i and j of the parallel arrays. */
function swap(v: Float64Array, w: Float64Array, i: number, j: number): void {
  const tv = v[i];
  const tw = w[i];
  v[i] = v[j];
  w[i] = w[j];
  v[j] = tv;
  w[j] = tw;
}

/** Monte Carlo error of one range: standard error of the mean, and 95% intervals for the ends. */
export interface RangeError {
  meanStandardError: number;
  low: { low: number; high: number };
  high: { low: number; high: number };
}

/**
 * 95% Monte Carlo intervals of the interval ends from the order-statistic approximation
 * SE(p) = sqrt(p(1-p)/n_eff): the end at level p lies between the quantiles p -/+ 1.96 SE(p).
 */
export function rangeError(s: WeightedSample, level: number, nEff: number): RangeError {
  const a = (1 - level) / 2;
  const z = 1.959963984540054;
  const end = (p: number) => {
    const se = nEff > 0 ? Math.sqrt((p * (1 - p)) / nEff) : 1;
    return { low: s.quantile(p - z * se), high: s.quantile(p + z * se) };
  };
  return { meanStandardError: s.meanSe, low: end(a), high: end(upperShare(level, s.quantile(a) === s.values[0])) };
}

/** A probability with its Monte Carlo interval. */
export interface Probability {
  p: number;
  low: number;
  high: number;
}

/** Wilson score interval for a proportion estimated from nEff effective runs, at `level`. */
export function wilson(p: number, nEff: number, level = 0.95): Probability {
  if (!(nEff > 0)) return { p, low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const z2 = z * z;
  const den = 1 + z2 / nEff;
  const centre = (p + z2 / (2 * nEff)) / den;
  const half = (z / den) * Math.sqrt((p * (1 - p)) / nEff + z2 / (4 * nEff * nEff));
  return { p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
