/**
 * Adaptive importance sampling of the calibrated parameters (see README, "Calibration").
 *
 * - Transmissibilities: drawn from a defensive mixture `q = a prior + (1 - a) N(m, S)` on the
 *   logit scale, `N(m, S)` fitted (widened) to an importance-weighted pilot; each run carries
 *   `log prior(z) - log q(z)`.
 * - Reporting rate: drawn after the spread from (approximately) its conditional posterior given
 *   the run's number of infections N by asOf: a defensive mixture of the prior and the Laplace
 *   approximation of `prior(z) Binomial(K; N, expit z)`, widened. Exact importance weighting
 *   (the run carries `log prior(z) - log q(z | N)`), so the posterior is unbiased; the weight
 *   then varies with N only through (about) the marginal likelihood of N.
 *
 * The proposal is plain JSON, fixed before any shard runs, so shards merge exactly.
 */
import type { ScaleNormal } from './distributions';
import type { Rng } from './prng';
import type { SyntheticLikelihood } from './synthetic-likelihood';

const LOG_2PI = Math.log(2 * Math.PI);

export interface ParameterProposal {
  format: 'spillover.proposal/1';
  /** Prior share of the mixture (defensive component). */
  defensive: number;
  /** Indices (into weapon.kinds) of the adapted transmissibilities (those with a non-degenerate prior). */
  dims: number[];
  /** Mean of the fitted normal, logit scale, one per adapted dimension. */
  mean: number[];
  /** Lower-triangular Cholesky factor of its covariance, row-major (dims x dims). */
  chol: number[];
  /** Pilot runs used, and the effective sample size of the last stage. */
  pilotRuns: number;
  pilotEss: number;
  /** The stages of the sequential Monte Carlo that fitted it. */
  stages?: SamplerStage[];
  /**
   * Exponent of the likelihood the runs use (default 1): below 1 when the tempering stopped
   * early because the moves stopped mixing (too noisy a likelihood to sharpen further).
   */
  temperature?: number;
  /** Calibrated `sir` runs: the synthetic likelihood the runs are weighted by (see synthetic-likelihood.ts). */
  likelihood?: SyntheticLikelihood;
}

/** One stage of the pilot (pilot.ts): a synthetic-likelihood round, or a tempering stage of `ic` runs. */
export interface SamplerStage {
  /** Likelihood exponent reached at this stage (0 = prior, 1 = posterior). */
  temperature: number;
  /** Effective sample size of the stage's reweighted particles (before resampling), and their number. */
  effectiveSampleSize: number;
  particles: number;
  /** Share of move proposals accepted at this stage (null at the prior stage). */
  acceptance: number | null;
  /** Synthetic-likelihood rounds: where the round's parameters were drawn (the prior, or the previous round's posterior). */
  drawnFrom?: 'prior' | 'posterior';
  /** Synthetic-likelihood rounds: the spread's own randomness, standard deviation of log reports per bin at fixed parameters. */
  summaryNoise?: number[];
}

export function normalLogPdf(z: number, mu: number, sigma: number): number {
  const u = (z - mu) / sigma;
  return -0.5 * u * u - Math.log(sigma) - 0.5 * LOG_2PI;
}

/** Log density of N(mean, L L^T) at z (scratch: length D). */
export function mvnLogPdf(z: ArrayLike<number>, mean: readonly number[], chol: readonly number[], scratch: Float64Array): number {
  const D = mean.length;
  let q = 0;
  let logDet = 0;
  for (let i = 0; i < D; i++) {
    let s = z[i] - mean[i];
    for (let j = 0; j < i; j++) s -= chol[i * D + j] * scratch[j];
    const y = s / chol[i * D + i];
    scratch[i] = y;
    q += y * y;
    logDet += Math.log(chol[i * D + i]);
  }
  return -0.5 * q - logDet - 0.5 * D * LOG_2PI;
}

export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Draws z from the defensive mixture `a prior + (1 - a) N(mean, L L^T)` (`chol` = L, row-major;
 * one uniform picks the component, then D normals) and returns log prior(z), which the caller's
 * importance weight needs. The prior component bounds every weight by 1/a times the prior draw's
 * (Hesterberg); the runs' proposal and the synthetic likelihood's posterior fit both draw so.
 */
export function drawDefensive(
  rng: { normal(): number; random(): number },
  prior: ReadonlyArray<{ mu: number; sigma: number }>,
  a: number,
  mean: ArrayLike<number>,
  chol: ArrayLike<number>,
  z: Float64Array,
  scratch: Float64Array,
): number {
  const D = prior.length;
  if (rng.random() < a) {
    for (let i = 0; i < D; i++) z[i] = prior[i].mu + prior[i].sigma * rng.normal();
  } else {
    for (let i = 0; i < D; i++) scratch[i] = rng.normal();
    for (let i = 0; i < D; i++) {
      let s = mean[i];
      for (let j = 0; j <= i; j++) s += chol[i * D + j] * scratch[j];
      z[i] = s;
    }
  }
  let lp = 0;
  for (let i = 0; i < D; i++) lp += normalLogPdf(z[i], prior[i].mu, prior[i].sigma);
  return lp;
}

/**
 * Draws the logit-scale transmissibilities of the adapted dimensions into `z` (prior normals in
 * `prior`, indexed like `dims`) and returns log prior(z) - log q(z). Without a proposal: prior
 * draws, returns 0.
 */
export function drawTransmissibility(prior: readonly ScaleNormal[], proposal: ParameterProposal | null, rng: Rng, z: Float64Array, scratch: Float64Array): number {
  const D = prior.length;
  if (proposal === null || D === 0) {
    for (let i = 0; i < D; i++) z[i] = prior[i].mu + prior[i].sigma * rng.normal();
    return 0;
  }
  const { mean, chol, defensive } = proposal;
  const lp = drawDefensive(rng, prior, defensive, mean, chol, z, scratch);
  const lq = logAddExp(Math.log(defensive) + lp, Math.log1p(-defensive) + mvnLogPdf(z, mean, chol, scratch));
  return lp - lq;
}

/** Prior share of the conditional reporting-rate proposal, and the widening of its Laplace part. */
export const RHO_DEFENSIVE = 0.1;
export const RHO_WIDEN = 1.3;

/**
 * Draws the reporting rate given K reports and N infections by asOf from the defensive mixture
 * of its prior and the (widened) Laplace approximation of its conditional posterior.
 * Returns the rate and log prior(z) - log q(z | N) (z = logit rate).
 */
export function drawReportingRate(prior: ScaleNormal, K: number, N: number, rng: Rng): { rho: number; logRatio: number } {
  const { mu, sigma } = prior;
  if (!(sigma > 0) || N < K) {
    const z = sigma > 0 ? mu + sigma * rng.normal() : mu;
    return { rho: 1 / (1 + Math.exp(-z)), logRatio: 0 };
  }
  // mode of g(z) = -(z-mu)^2/(2 sigma^2) + K z - N log(1 + e^z): g' is decreasing; bisection + Newton
  const s2 = sigma * sigma;
  const gp = (z: number) => -(z - mu) / s2 + K - N / (1 + Math.exp(-z));
  let lo = mu - 40 * sigma - 40;
  let hi = mu + 40 * sigma + 40;
  let z = Math.min(hi, Math.max(lo, Math.log((K + 0.5) / (N - K + 0.5))));
  for (let it = 0; it < 100; it++) {
    const d = gp(z);
    if (d > 0) lo = z;
    else hi = z;
    const r = 1 / (1 + Math.exp(-z));
    const h = 1 / s2 + N * r * (1 - r);
    let zn = z + d / h;
    if (!(zn > lo && zn < hi)) zn = (lo + hi) / 2;
    if (Math.abs(zn - z) < 1e-10) {
      z = zn;
      break;
    }
    z = zn;
  }
  const r = 1 / (1 + Math.exp(-z));
  const sd = RHO_WIDEN / Math.sqrt(1 / s2 + N * r * (1 - r));
  const mode = z;
  const x = rng.random() < RHO_DEFENSIVE ? mu + sigma * rng.normal() : mode + sd * rng.normal();
  const lp = normalLogPdf(x, mu, sigma);
  const lq = logAddExp(Math.log(RHO_DEFENSIVE) + lp, Math.log1p(-RHO_DEFENSIVE) + normalLogPdf(x, mode, sd));
  return { rho: 1 / (1 + Math.exp(-x)), logRatio: lp - lq };
}

/** Options of the pilot and of the fit. */
export interface PilotOptions {
  /** Particles of the sequential Monte Carlo (default 400; assessments: a fifth of the runs, 40..400). */
  pilotRuns: number;
  /** Most tempering stages (default 10): the proposal is fitted where they end. */
  stages: number;
  /** Prior share of the transmissibility mixture (default 0.1). */
  defensive: number;
  /** Variance inflation of the fitted normal (default 1.5). */
  widen: number;
}

export const DEFAULT_PILOT: PilotOptions = { pilotRuns: 400, stages: 10, defensive: 0.1, widen: 1.5 };

/**
 * Fits N(m, S) to importance-weighted pilot draws (z: rows of D logit values; logW: log weights,
 * likelihood x prior/proposal). The covariance is widened and shrunk towards the prior's when
 * the pilot's effective sample size is small.
 */
export function fitProposal(prior: readonly ScaleNormal[], dims: number[], z: Float64Array, logW: Float64Array, opts: PilotOptions): ParameterProposal | null {
  const D = prior.length;
  const R = logW.length;
  let M = -Infinity;
  for (let i = 0; i < R; i++) if (logW[i] > M) M = logW[i];
  if (M === -Infinity || D === 0) return null;
  const w = new Float64Array(R);
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < R; i++) {
    w[i] = Math.exp(logW[i] - M);
    sw += w[i];
    sw2 += w[i] * w[i];
  }
  const ess = (sw * sw) / sw2;
  const mean = new Array<number>(D).fill(0);
  for (let i = 0; i < R; i++) if (w[i] > 0) for (let d = 0; d < D; d++) mean[d] += (w[i] / sw) * z[i * D + d];
  const S = new Float64Array(D * D);
  for (let i = 0; i < R; i++) {
    if (w[i] === 0) continue;
    const f = w[i] / sw;
    for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) S[a * D + b] += f * (z[i * D + a] - mean[a]) * (z[i * D + b] - mean[b]);
  }
  // shrink towards the prior's (diagonal) covariance with weight (D+1)/(ESS+D+1), then widen
  const lambda = ess / (ess + D + 1);
  for (let a = 0; a < D; a++)
    for (let b = 0; b <= a; b++) {
      const priorCov = a === b ? prior[a].sigma * prior[a].sigma : 0;
      const v = opts.widen * (lambda * S[a * D + b] + (1 - lambda) * priorCov);
      S[a * D + b] = v;
      S[b * D + a] = v;
    }
  for (let a = 0; a < D; a++) S[a * D + a] += 1e-6 * prior[a].sigma * prior[a].sigma;
  const L = choleskyOf(S, D);
  return { format: 'spillover.proposal/1', defensive: opts.defensive, dims, mean, chol: L, pilotRuns: R, pilotEss: ess };
}

/** Lower Cholesky factor (row-major) of a symmetric positive semi-definite D x D matrix; pivots below 1e-12 are clamped, so it is always defined. */
export function choleskyOf(cov: ArrayLike<number>, D: number): number[] {
  const L = new Array<number>(D * D).fill(0);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let s = cov[i * D + j];
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k];
      L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * D + j];
    }
  return L;
}
