/**
 * Distributions fitted to 90% ranges and the small numerical helpers the engine needs.
 *
 * Choice of family (see README, "Parameter distributions"):
 * - positive, unbounded quantities (costs, downtime, delays, containment times, losses):
 *   lognormal with 5th/95th percentiles at the range ends, as riskquant/FAIR tools do:
 *   `mu = (ln lo + ln hi) / 2`, `sigma = (ln hi - ln lo) / (2 * 1.6449)`;
 * - probabilities and shares in (0,1) (transmissibility, reporting rate, host share,
 *   inoperability): logit-normal, the same fit on the logit scale, so draws never leave (0,1).
 */
import type { Range90 } from '../domain/records';
import type { Rng } from './prng';

/** The 95th percentile of the standard normal. */
export const Z95 = 1.6448536269514722;

/** A normal on some scale: log (lognormal) or logit (logit-normal). */
export interface ScaleNormal {
  mu: number;
  sigma: number;
}

export class RangeError90 extends Error {}

/** Lognormal whose 5th and 95th percentiles are `low` and `high` (both > 0, low <= high). */
export function lognormalFromRange(r: Range90, what = 'range'): ScaleNormal {
  if (!(r.low > 0) || !(r.high >= r.low) || !Number.isFinite(r.high))
    throw new RangeError90(`${what}: a lognormal 90% range needs 0 < low <= high, got [${r.low}, ${r.high}]`);
  const ll = Math.log(r.low);
  const lh = Math.log(r.high);
  return { mu: (ll + lh) / 2, sigma: (lh - ll) / (2 * Z95) };
}

const LOGIT_EPS = 1e-9;
export function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, p));
  return Math.log(q / (1 - q));
}
export function expit(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Logit-normal whose 5th and 95th percentiles are `low` and `high` (0 <= low <= high <= 1; ends clamped to 1e-9). */
export function logitNormalFromRange(r: Range90, what = 'range'): ScaleNormal {
  if (!(r.low >= 0) || !(r.high >= r.low) || !(r.high <= 1))
    throw new RangeError90(`${what}: a probability 90% range needs 0 <= low <= high <= 1, got [${r.low}, ${r.high}]`);
  const ll = logit(r.low);
  const lh = logit(r.high);
  return { mu: (ll + lh) / 2, sigma: (lh - ll) / (2 * Z95) };
}

export function sampleLognormal(p: ScaleNormal, rng: Rng): number {
  return p.sigma > 0 ? Math.exp(p.mu + p.sigma * rng.normal()) : Math.exp(p.mu);
}
export function sampleLogitNormal(p: ScaleNormal, rng: Rng): number {
  return p.sigma > 0 ? expit(p.mu + p.sigma * rng.normal()) : expit(p.mu);
}
/** Mean of a lognormal: exp(mu + sigma^2 / 2). */
export function lognormalMean(p: ScaleNormal): number {
  return Math.exp(p.mu + (p.sigma * p.sigma) / 2);
}
/** Quantile of a lognormal. */
export function lognormalQuantile(p: ScaleNormal, prob: number): number {
  return Math.exp(p.mu + p.sigma * normalQuantile(prob));
}

/** Inverse standard normal CDF (Acklam's rational approximation, |rel. error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let q: number;
  let r: number;
  if (p < pl) {
    q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) {
    q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  q = p - 0.5;
  r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Standard normal CDF (erfc of Numerical Recipes' Chebyshev fit, |rel. error| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** ln Gamma(x) for x > 0 (Lanczos, g = 7). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const g = 7;
  const coef = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let s = coef[0];
  const t = x + g + 0.5;
  for (let i = 1; i < 9; i++) s += coef[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log of the binomial probability of k successes in n trials with success probability p. */
export function logBinomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return -Infinity;
  const lp = p > 0 ? Math.log(p) : -Infinity;
  const lq = p < 1 ? Math.log1p(-p) : -Infinity;
  const a = k === 0 ? 0 : k * lp;
  const b = n - k === 0 ? 0 : (n - k) * lq;
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + a + b;
}
