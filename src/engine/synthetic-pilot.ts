/**
 * The synthetic-likelihood pilot of calibrated `sir` assessments (see README, "Calibration of
 * `sir` runs"): rounds of forward runs that fit the likelihood's regression and the posterior
 * the assessment's runs are drawn from.
 */
import type { ScaleNormal } from './distributions';
import type { Rng } from './prng';
import { choleskyOf, type ParameterProposal, type PilotOptions, type SamplerStage } from './proposal';
import { kishOf } from './stats';
import { fitPosterior, fitSyntheticLikelihood, type NormalFit, type SyntheticLikelihood } from './synthetic-likelihood';

/** Rounds of pilot runs of the synthetic likelihood: from the prior, then twice around the fitted posterior. */
const SYNTHETIC_ROUNDS = 3;
/** Later rounds draw from the posterior with this times its covariance (standard deviations x1.5). */
const LATER_ROUND_INFLATION = 2.25;

/**
 * The synthetic-likelihood pilot (calibrated `sir` runs; see synthetic-likelihood.ts): round 0
 * draws N parameter vectors from the prior, runs each forward to its predicted reports, fits
 * the summaries' regression on the parameters (with squares: the prior's range is wide) and the
 * posterior under it; each later round draws N from that posterior (standard deviations x1.5),
 * refits the regression to the runs near it (a kernel twice the posterior's standard deviations
 * wide; still with squares: a local linear fit left the summaries' curvature in z in the residual
 * covariance, about twice the spread's own noise at fixed parameters, and so widened the
 * posterior) and the posterior again. The runs then draw from the last posterior (widened,
 * with a tenth from the prior) and are weighted by its synthetic likelihood.
 */
export async function syntheticPilot(
  summaryCount: number,
  observed: number[],
  dims: number[],
  prior: ScaleNormal[],
  N: number,
  po: PilotOptions,
  rng: Rng,
  summaries: (z: Float64Array, base: number) => Promise<Float64Array>,
): Promise<ParameterProposal | null> {
  const D = prior.length;
  const B = summaryCount;
  const zAll = new Float64Array(SYNTHETIC_ROUNDS * N * D);
  const yAll = new Float64Array(SYNTHETIC_ROUNDS * N * B);
  let post: NormalFit = { mean: prior.map((p) => p.mu), cov: diagonal(prior.map((p) => p.sigma * p.sigma)), ess: N };
  let sl: SyntheticLikelihood | null = null;
  const stages: SamplerStage[] = [];
  for (let round = 0; round < SYNTHETIC_ROUNDS; round++) {
    const z = zAll.subarray(round * N * D, (round + 1) * N * D);
    drawNormal(post, round === 0 ? 1 : LATER_ROUND_INFLATION, rng, z);
    yAll.set(await summaries(z, round * N), round * N * B);
    const M = (round + 1) * N;
    // the runs near the current posterior count (all of them in round 0)
    const { w, nEff } = round === 0 ? { w: new Float64Array(M).fill(1), nEff: M } : nearPosterior(zAll.subarray(0, M * D), post);
    const scale = round === 0 ? prior.map((p) => p.sigma) : post.cov.filter((_, k) => k % (D + 1) === 0).map(Math.sqrt);
    sl = fitSyntheticLikelihood(zAll.subarray(0, M * D), yAll.subarray(0, M * B), w, { center: [...post.mean], scale, squares: true, observed, counts: B - 1 });
    post = fitPosterior(sl, prior, post, rng);
    const residual = sl.residual;
    stages.push({
      temperature: 1,
      effectiveSampleSize: nEff,
      particles: N,
      acceptance: null,
      drawnFrom: round === 0 ? 'prior' : 'posterior',
      summaryNoise: Array.from({ length: B }, (_, b) => Math.sqrt(residual[b * B + b])),
    });
  }
  if (sl === null) return null;
  const chol = choleskyOf(post.cov.map((v) => v * po.widen), D);
  return { format: 'spillover.proposal/1', defensive: po.defensive, dims, mean: post.mean, chol, pilotRuns: SYNTHETIC_ROUNDS * N, pilotEss: post.ess, stages, likelihood: sl };
}

/** Fills z (rows of D) with draws from the normal `post`, its covariance times `inflate`. */
function drawNormal(post: NormalFit, inflate: number, rng: Rng, z: Float64Array): void {
  const D = post.mean.length;
  const L = choleskyOf(post.cov.map((v) => v * inflate), D);
  const e = new Float64Array(D);
  for (let i = 0; i < z.length / D; i++) {
    for (let d = 0; d < D; d++) e[d] = rng.normal();
    for (let a = 0; a < D; a++) {
      let v = post.mean[a];
      for (let b = 0; b <= a; b++) v += L[a * D + b] * e[b];
      z[i * D + a] = v;
    }
  }
}

/**
 * Kernel weights of the runs z (rows of D) around the posterior: a normal kernel 4 times its
 * covariance (twice its standard deviations), widened by 4 until the runs near it make an
 * effective sample of 4 (D + 2).
 */
function nearPosterior(z: Float64Array, post: NormalFit): { w: Float64Array; nEff: number } {
  const D = post.mean.length;
  const M = z.length / D;
  const w = new Float64Array(M).fill(1);
  let nEff = M;
  for (let widen = 4; widen <= 4 ** 5; widen *= 4) {
    const K = choleskyOf(post.cov.map((v) => v * widen), D);
    const scratch = new Float64Array(D);
    for (let i = 0; i < M; i++) w[i] = Math.exp(-0.5 * mahalanobis2(z.subarray(i * D, (i + 1) * D), post.mean, K, scratch));
    nEff = kishOf(w);
    if (nEff >= 4 * (D + 2)) break;
  }
  return { w, nEff };
}

function diagonal(v: number[]): number[] {
  const D = v.length;
  const out = new Array<number>(D * D).fill(0);
  for (let d = 0; d < D; d++) out[d * D + d] = v[d];
  return out;
}

/** (z - mean)^T (L L^T)^-1 (z - mean). */
function mahalanobis2(z: ArrayLike<number>, mean: readonly number[], L: readonly number[], scratch: Float64Array): number {
  const D = mean.length;
  let q = 0;
  for (let i = 0; i < D; i++) {
    let s = z[i] - mean[i];
    for (let j = 0; j < i; j++) s -= L[i * D + j] * scratch[j];
    scratch[i] = s / L[i * D + i];
    q += scratch[i] * scratch[i];
  }
  return q;
}
