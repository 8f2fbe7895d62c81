/**
 * Weighted summaries of run distributions and Monte Carlo error.
 */
import { normalQuantile } from './distributions';

/** A headline range: mean, median and central interval at `level` of the weighted run distribution. */
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

/** Sorted (value, weight) pairs of a column; zero-weight runs dropped. */
export class WeightedSample {
  readonly values: Float64Array;
  readonly cum: Float64Array;
  readonly total: number;
  readonly mean: number;
  /** Standard error of the weighted mean (ratio-estimator linearisation). */
  readonly meanSe: number;
  constructor(values: ArrayLike<number>, weights: ArrayLike<number>, extra?: { zeroWeight: number }) {
    const idx: number[] = [];
    for (let i = 0; i < values.length; i++) if (weights[i] > 0) idx.push(i);
    idx.sort((a, b) => values[a] - values[b] || a - b);
    const z = extra?.zeroWeight ?? 0;
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
    if (z > 0) s2 += 0; // zero-valued runs' squared weights are accounted by the caller's Kish n
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
    const a = (1 - level) / 2;
    return { mean: this.mean, median: this.quantile(0.5), low: this.quantile(a), high: this.quantile(1 - a), level };
  }
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
  return { meanStandardError: s.meanSe, low: end(a), high: end(1 - a) };
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
