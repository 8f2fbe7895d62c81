/**
 * The pilot of calibrated `ic` assessments: sequential Monte Carlo with likelihood tempering.
 * Particles from the prior; at each stage the next temperature is the one at which the
 * reweighted particles keep half their effective sample size (bisection), then systematic
 * resampling and one pseudo-marginal random-walk Metropolis move per particle (a fresh run at
 * the moved parameters; the likelihood estimate integrates the reporting rate out, so the move
 * targets the tempered posterior exactly).
 */
import type { ScaleNormal } from './distributions';
import { AbortError } from './pool';
import type { Rng } from './prng';
import { choleskyOf, normalLogPdf, type SamplerStage } from './proposal';
import { kishOf } from './stats';

/** Tempering stops at a stage whose moves accept fewer than this share. */
const MIN_ACCEPTANCE = 0.02;
/** Bisection steps of the next temperature. */
const BISECTION_STEPS = 50;

interface TemperedParticles {
  /** N particles of D adapted parameters (N x D). */
  z: Float64Array;
  stages: SamplerStage[];
  /** The temperature reached (1: the posterior). */
  temperature: number;
}

/**
 * Tempers N particles from the prior towards the posterior in at most `maxStages` stages.
 * `logLikelihoods(z, base)` runs pilot runs base.. at the particles z: one log likelihood estimate each.
 */
export async function temperedParticles(
  prior: readonly ScaleNormal[],
  N: number,
  maxStages: number,
  rng: Rng,
  logLikelihoods: (z: Float64Array, base: number) => Promise<Float64Array>,
  signal?: AbortSignal,
): Promise<TemperedParticles> {
  const D = prior.length;
  let z: Float64Array = new Float64Array(N * D);
  for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) z[i * D + d] = prior[d].mu + prior[d].sigma * rng.normal();
  let L = await logLikelihoods(z, 0);
  const stages: SamplerStage[] = [{ temperature: 0, effectiveSampleSize: N, particles: N, acceptance: null }];
  let phi = 0;
  for (let st = 1; phi < 1 && st <= maxStages; st++) {
    if (signal?.aborted) throw new AbortError();
    const next = nextTemperature(L, phi);
    if (next === null) break;
    const w = temperedWeights(L, next - phi);
    const ess = kishOf(w);
    ({ z, L } = resampled(z, L, systematicResample(w, rng), D));
    phi = next;
    const zMoved = randomWalk(z, N, prior, rng);
    const accepted = acceptMoves(z, L, zMoved, await logLikelihoods(zMoved, st * N), phi, prior, rng);
    stages.push({ temperature: phi, effectiveSampleSize: ess, particles: N, acceptance: accepted / N });
    // the moves no longer mix: the likelihood estimates are too noisy to sharpen further
    if (accepted / N < MIN_ACCEPTANCE) break;
  }
  return { z, stages, temperature: phi };
}

/** Weights exp(delta L_i), scaled so the largest is 1 (0 where L_i = -Infinity). */
function temperedWeights(L: Float64Array, delta: number): Float64Array {
  const N = L.length;
  let m = -Infinity;
  for (let i = 0; i < N; i++) if (delta * L[i] > m) m = delta * L[i];
  const w = new Float64Array(N);
  for (let i = 0; i < N; i++) w[i] = L[i] === -Infinity ? 0 : Math.exp(delta * L[i] - m);
  return w;
}

/** The temperature after `phi` at which the reweighted particles keep half their number as ESS (1 if they do at 1); null if no particle has a finite likelihood. */
function nextTemperature(L: Float64Array, phi: number): number | null {
  const N = L.length;
  if (!L.some((x) => x > -Infinity)) return null;
  const essAt = (delta: number) => kishOf(temperedWeights(L, delta));
  if (essAt(1 - phi) >= N / 2) return 1;
  let lo = 0;
  let hi = 1 - phi;
  for (let it = 0; it < BISECTION_STEPS; it++) {
    const mid = (lo + hi) / 2;
    if (essAt(mid) >= N / 2) lo = mid;
    else hi = mid;
  }
  return phi + Math.max(lo, 1e-9);
}

/** Systematic resampling: N indices drawn in proportion to w with one uniform. */
function systematicResample(w: Float64Array, rng: Rng): Int32Array {
  const N = w.length;
  let total = 0;
  for (let i = 0; i < N; i++) total += w[i];
  const out = new Int32Array(N);
  const u = rng.random() / N;
  let c = w[0] / total;
  let j = 0;
  for (let i = 0; i < N; i++) {
    const target = u + i / N;
    while (c < target && j < N - 1) c += w[++j] / total;
    out[i] = j;
  }
  return out;
}

/** The particles (and their likelihoods) picked by `pick`. */
function resampled(z: Float64Array, L: Float64Array, pick: Int32Array, D: number): { z: Float64Array; L: Float64Array } {
  const N = pick.length;
  const z1 = new Float64Array(N * D);
  const L1 = new Float64Array(N);
  pick.forEach((j, i) => {
    z1.set(z.subarray(j * D, (j + 1) * D), i * D);
    L1[i] = L[j];
  });
  return { z: z1, L: L1 };
}

/** One random-walk proposal per particle, scaled to the population's spread (2.38 / sqrt(D)). */
function randomWalk(z: Float64Array, N: number, prior: readonly ScaleNormal[], rng: Rng): Float64Array {
  const D = prior.length;
  const chol = choleskyOfSpread(z, N, D, prior);
  const step = 2.38 / Math.sqrt(D);
  const zMoved = new Float64Array(N * D);
  const e = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) e[d] = rng.normal();
    for (let a = 0; a < D; a++) {
      let v = z[i * D + a];
      for (let b = 0; b <= a; b++) v += step * chol[a * D + b] * e[b];
      zMoved[i * D + a] = v;
    }
  }
  return zMoved;
}

/** Metropolis acceptance of the moves at temperature phi, in place; returns the number accepted. */
function acceptMoves(z: Float64Array, L: Float64Array, zMoved: Float64Array, LMoved: Float64Array, phi: number, prior: readonly ScaleNormal[], rng: Rng): number {
  const D = prior.length;
  const logPrior = (x: Float64Array, i: number) => {
    let lp = 0;
    for (let d = 0; d < D; d++) lp += normalLogPdf(x[i * D + d], prior[d].mu, prior[d].sigma);
    return lp;
  };
  let accepted = 0;
  for (let i = 0; i < L.length; i++) {
    const logA = phi * (LMoved[i] - L[i]) + logPrior(zMoved, i) - logPrior(z, i);
    if (LMoved[i] > -Infinity && (logA >= 0 || Math.log(rng.random()) < logA)) {
      z.set(zMoved.subarray(i * D, (i + 1) * D), i * D);
      L[i] = LMoved[i];
      accepted++;
    }
  }
  return accepted;
}

/** Cholesky factor of the particles' covariance (plus a little of the prior's, so it is never singular). */
function choleskyOfSpread(z: Float64Array, N: number, D: number, prior: readonly { sigma: number }[]): number[] {
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += z[i * D + d] / N;
  const S = new Float64Array(D * D);
  for (let i = 0; i < N; i++)
    for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) S[a * D + b] += ((z[i * D + a] - mean[a]) * (z[i * D + b] - mean[b])) / N;
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) S[b * D + a] = S[a * D + b];
  for (let d = 0; d < D; d++) S[d * D + d] += 1e-3 * prior[d].sigma * prior[d].sigma;
  return choleskyOf(S, D);
}
