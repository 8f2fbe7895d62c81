/**
 * The synthetic likelihood of the report counts (see README, "Calibration of `sir` runs").
 *
 * One forward run predicts the reports per time bin from the parameters z (logit/log scale) and
 * from its own randomness (which early reports are genuine, their lags, the spread). Weighting a
 * run by the likelihood of the observed counts given that one prediction is unbiased but hopelessly
 * noisy: at fixed parameters the log-likelihood of the fixtures varies with a standard deviation of
 * 40-200 between forward runs, so a handful of runs carry all the weight. Instead, as Wood (2010),
 * the summaries y = log(reports per bin + 1/2) of forward runs are taken as normal given z: their
 * mean a regression on z fitted to pilot runs, their covariance the residual spread of those runs
 * (the spread's own randomness at fixed parameters), plus the count noise of the observed reports
 * around their expectation (Poisson: variance about 1/mu on the log scale). Its log-density at the observed summaries is a smooth, deterministic function of z: the
 * runs' weights then vary only with their parameters.
 *
 * Plain JSON, fixed before any shard runs, so shards weight their runs identically.
 */

import { choleskyOf, drawDefensive, logAddExp, mvnLogPdf } from './proposal';

const LOG_2PI = Math.log(2 * Math.PI);

export interface SyntheticLikelihood {
  /** Observed summaries: log(reports per prediction bin + 1/2) (the first `counts`), then others realised in each run. */
  observed: number[];
  counts: number;
  /** Regression of the simulated summaries on u = (z - center) / scale: per summary, intercept, slopes and (with `squares`) u^2 terms. */
  center: number[];
  scale: number[];
  squares: boolean;
  coef: number[];
  /** Residual covariance of the simulated summaries (B x B, row-major). */
  residual: number[];
}

export function featureCount(D: number, squares: boolean): number {
  return 1 + D + (squares ? D : 0);
}

function features(center: readonly number[], scale: readonly number[], squares: boolean, z: ArrayLike<number>, out: Float64Array): void {
  const D = center.length;
  out[0] = 1;
  for (let d = 0; d < D; d++) {
    const u = (z[d] - center[d]) / scale[d];
    out[1 + d] = u;
    if (squares) out[1 + D + d] = u * u;
  }
}

/** log N(observed; mu(z), residual + count noise) at the adapted parameters z. */
export function syntheticLogLikelihood(sl: SyntheticLikelihood, z: ArrayLike<number>): number {
  const B = sl.observed.length;
  const D = sl.center.length;
  const P = featureCount(D, sl.squares);
  const x = new Float64Array(P);
  features(sl.center, sl.scale, sl.squares, z, x);
  const d = new Float64Array(B);
  const C = new Float64Array(B * B);
  for (let b = 0; b < B; b++) {
    let mu = 0;
    for (let k = 0; k < P; k++) mu += sl.coef[b * P + k] * x[k];
    d[b] = sl.observed[b] - mu;
    for (let c = 0; c < B; c++) C[b * B + c] = sl.residual[b * B + c];
    // the observed count around its expectation exp(mu) - 1/2 (Poisson: variance about 1/mean on
    // the log scale); the spread's own randomness is in the residual covariance already
    if (b < sl.counts) C[b * B + b] += 1 / Math.max(0.5, Math.exp(Math.min(mu, 700)));
  }
  return logNormalDensity(d, C, B);
}

/** log N(d; 0, C) (C: B x B). */
function logNormalDensity(d: Float64Array, C: Float64Array, B: number): number {
  const L = choleskyOf(C, B);
  let logDet = 0;
  let q = 0;
  const y = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    let s = d[i];
    for (let k = 0; k < i; k++) s -= L[i * B + k] * y[k];
    y[i] = s / L[i * B + i];
    q += y[i] * y[i];
    logDet += 2 * Math.log(L[i * B + i]);
  }
  return -0.5 * (q + logDet + B * LOG_2PI);
}

/**
 * Fits the regression and the residual covariance by weighted least squares to N pilot runs
 * (z: N x D parameters, y: N x B summaries, w: weights), with u = (z - center) / scale.
 */
export function fitSyntheticLikelihood(
  z: Float64Array,
  y: Float64Array,
  w: Float64Array,
  opts: { center: number[]; scale: number[]; squares: boolean; observed: number[]; counts: number },
): SyntheticLikelihood {
  const N = w.length;
  const D = opts.center.length;
  const B = opts.observed.length;
  const P = featureCount(D, opts.squares);
  const x = new Float64Array(P);
  const XtX = new Float64Array(P * P);
  const XtY = new Float64Array(P * B);
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < N; i++) {
    if (!(w[i] > 0)) continue;
    sw += w[i];
    sw2 += w[i] * w[i];
    features(opts.center, opts.scale, opts.squares, z.subarray(i * D, (i + 1) * D), x);
    for (let a = 0; a < P; a++) {
      const wa = w[i] * x[a];
      for (let c = 0; c <= a; c++) XtX[a * P + c] += wa * x[c];
      for (let b = 0; b < B; b++) XtY[a * B + b] += wa * y[i * B + b];
    }
  }
  for (let a = 0; a < P; a++) for (let c = 0; c < a; c++) XtX[c * P + a] = XtX[a * P + c];
  // a light ridge on the slopes keeps the fit defined when the runs do not span every direction
  for (let a = 1; a < P; a++) XtX[a * P + a] += 1e-6 * sw + 1e-9;
  const beta = solveSymmetric(XtX, XtY, P, B);
  const coef = new Array<number>(B * P);
  for (let b = 0; b < B; b++) for (let a = 0; a < P; a++) coef[b * P + a] = beta[a * B + b];
  // residual covariance, corrected for the parameters fitted (effective runs, not weights)
  const S = new Float64Array(B * B);
  const r = new Float64Array(B);
  for (let i = 0; i < N; i++) {
    if (!(w[i] > 0)) continue;
    features(opts.center, opts.scale, opts.squares, z.subarray(i * D, (i + 1) * D), x);
    for (let b = 0; b < B; b++) {
      let mu = 0;
      for (let a = 0; a < P; a++) mu += coef[b * P + a] * x[a];
      r[b] = y[i * B + b] - mu;
    }
    for (let b = 0; b < B; b++) for (let c = 0; c < B; c++) S[b * B + c] += (w[i] / sw) * r[b] * r[c];
  }
  const nEff = sw2 > 0 ? (sw * sw) / sw2 : 0;
  const inflate = nEff > P + 1 ? nEff / (nEff - P) : 2;
  const residual = Array.from(S, (v, k) => v * inflate + (k % (B + 1) === 0 ? 1e-4 : 0));
  return { observed: [...opts.observed], counts: opts.counts, center: [...opts.center], scale: [...opts.scale], squares: opts.squares, coef, residual };
}

/** Solves A X = Y for symmetric positive definite A (P x P) and Y (P x B), by Cholesky. */
function solveSymmetric(A: Float64Array, Y: Float64Array, P: number, B: number): Float64Array {
  const L = choleskyOf(A, P);
  const X = new Float64Array(P * B);
  for (let b = 0; b < B; b++) {
    const t = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      let s = Y[i * B + b];
      for (let k = 0; k < i; k++) s -= L[i * P + k] * t[k];
      t[i] = s / L[i * P + i];
    }
    for (let i = P - 1; i >= 0; i--) {
      let s = t[i];
      for (let k = i + 1; k < P; k++) s -= L[k * P + i] * X[k * B + b];
      X[i * B + b] = s / L[i * P + i];
    }
  }
  return X;
}

/** A normal approximation of the posterior of z: mean, covariance (D x D, row-major), and the effective draws it rests on. */
export interface NormalFit {
  mean: number[];
  cov: number[];
  ess: number;
}

/**
 * The posterior prior(z) x exp(synthetic log-likelihood(z)) fitted by a normal: adaptive
 * importance sampling in z alone (no simulation, so thousands of draws cost milliseconds), each
 * iteration drawing from a defensive mixture of the prior (a tenth) and the previous fit (widened
 * by 1.5), then moment matching. `prior`: the adapted dimensions' normals; `normal()`/`random()`:
 * a seeded stream.
 */
export function fitPosterior(
  sl: SyntheticLikelihood,
  prior: ReadonlyArray<{ mu: number; sigma: number }>,
  start: { mean: number[]; cov: number[] },
  rng: { normal(): number; random(): number },
  draws = 4000,
  iterations = 4,
): NormalFit {
  const D = prior.length;
  let mean = [...start.mean];
  let cov = [...start.cov];
  let ess = 0;
  const z = new Float64Array(draws * D);
  const lw = new Float64Array(draws);
  const scratch = new Float64Array(D);
  for (let it = 0; it < iterations; it++) {
    const widen = it === 0 ? 1 : 1.5;
    const qCov = cov.map((v) => v * widen);
    const L = choleskyOf(qCov, D);
    let M = -Infinity;
    for (let i = 0; i < draws; i++) {
      const zi = z.subarray(i * D, (i + 1) * D);
      const lp = drawDefensive(rng, prior, 0.1, mean, L, zi, scratch);
      const lq = logAddExp(Math.log(0.1) + lp, Math.log(0.9) + mvnLogPdf(zi, mean, L, scratch));
      lw[i] = lp + syntheticLogLikelihood(sl, zi) - lq;
      if (lw[i] > M) M = lw[i];
    }
    let sw = 0;
    let sw2 = 0;
    const m = new Array<number>(D).fill(0);
    for (let i = 0; i < draws; i++) {
      const w = Math.exp(lw[i] - M);
      lw[i] = w;
      sw += w;
      sw2 += w * w;
      for (let d = 0; d < D; d++) m[d] += w * z[i * D + d];
    }
    for (let d = 0; d < D; d++) m[d] /= sw;
    const C = new Array<number>(D * D).fill(0);
    for (let i = 0; i < draws; i++)
      for (let a = 0; a < D; a++)
        for (let b = 0; b <= a; b++) C[a * D + b] += (lw[i] / sw) * (z[i * D + a] - m[a]) * (z[i * D + b] - m[b]);
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < a; b++) C[b * D + a] = C[a * D + b];
      C[a * D + a] += 1e-6 * prior[a].sigma * prior[a].sigma;
    }
    ess = (sw * sw) / sw2;
    mean = m;
    cov = C;
  }
  return { mean, cov, ess };
}
