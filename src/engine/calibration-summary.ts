/**
 * The calibration part of a result: each drawn parameter's posterior range beside its prior's,
 * how the runs were drawn and weighted, and the warnings on the sampler.
 */
import { normalQuantile } from './distributions';
import { PREDICTED, type ScenarioMeta } from './model';
import type { AssessmentPartial } from './partial';
import type { SamplerStage } from './proposal';
import { inRunOrder, type RunWeights } from './run-weights';
import { WeightedSample, type Range } from './stats';

/** A prior as fitted: a normal on the logit or log scale. */
export interface ScaledPrior {
  scale: 'logit' | 'log';
  mu: number;
  sigma: number;
}

/** Below this share of the runs as effective sample size a result carries a warning. */
const WARN_ESS_SHARE = 0.1;

/**
 * Posterior and prior range of each drawn parameter. The prior ranges are exact when `priors`
 * are given (parameterNames order), else those of the drawn runs weighted by prior/proposal.
 */
export function parameterRanges(meta: ScenarioMeta, p: AssessmentPartial, rw: RunWeights, level: number, priors?: ScaledPrior[]): { parameters: Record<string, Range>; prior: Record<string, Range> } {
  const parameters: Record<string, Range> = {};
  const prior: Record<string, Range> = {};
  meta.parameterNames.forEach((name, j) => {
    if ((PREDICTED as readonly string[]).includes(name)) return;
    const col = inRunOrder(rw, (i) => p.params[i * p.paramCount + j]);
    parameters[name] = new WeightedSample(col, rw.w).range(level);
    const d = priors?.[j];
    prior[name] = d ? priorRange(d, level) : new WeightedSample(col, rw.prior).range(level);
  });
  return { parameters, prior };
}

/** Exact central range of a logit- or lognormal. */
function priorRange(d: ScaledPrior, level: number): Range {
  const f = d.scale === 'log' ? Math.exp : (x: number) => 1 / (1 + Math.exp(-x));
  const q = (1 - level) / 2;
  return { mean: priorMean(d, f), median: f(d.mu), low: f(d.mu + d.sigma * normalQuantile(q)), high: f(d.mu + d.sigma * normalQuantile(1 - q)), level };
}

function priorMean(d: ScaledPrior, f: (x: number) => number): number {
  if (!(d.sigma > 0)) return f(d.mu);
  if (d.scale === 'log') return Math.exp(d.mu + (d.sigma * d.sigma) / 2);
  // trapezoid over +-10 sigma (the integrand is smooth and light-tailed)
  const K = 4000;
  let s = 0;
  let ws = 0;
  for (let i = 0; i <= K; i++) {
    const u = -10 + (20 * i) / K;
    const wt = Math.exp(-0.5 * u * u) * (i === 0 || i === K ? 0.5 : 1);
    s += wt * f(d.mu + d.sigma * u);
    ws += wt;
  }
  return s / ws;
}

/** How the runs were drawn and weighted. */
export function calibrationMethod(calibrated: boolean, sampler: 'prior' | 'adaptive' | undefined, model: 'ic' | 'sir'): string {
  if (!calibrated) return 'none (forward mode: runs weighted equally)';
  if (sampler !== 'adaptive')
    return 'importance weighting of prior draws by the likelihood of the reports up to asOf (binomial count under the drawn reporting rate x explanation of each non-index report)';
  if (model === 'sir')
    return 'importance sampling from a normal fitted to the synthetic-likelihood posterior (pilot rounds in stages); runs seeded with the reports taken as genuine (by confidence) a drawn reporting lag before them, unreported infections thinned by the chance of a report by asOf; weights prior/proposal x synthetic likelihood of the report counts per time bin after the first quarter of the reports and of the share of later reports near an earlier one, regressed on the parameters over forward runs (see docs/method.md)';
  return 'adaptive importance sampling: transmissibilities from a defensive mixture (prior + normal fitted to the tempered pilot), reporting rate from its conditional posterior given the run; weights prior/proposal x likelihood of the reports up to asOf (binomial count under the drawn reporting rate x explanation of each non-index report)';
}

/** Warnings on the sampler: a tempering that stopped short of the likelihood, few effective runs. */
export function samplerWarnings(stages: SamplerStage[] | undefined, ess: number, runs: number): string[] {
  const warnings: string[] = [];
  const phi = stages?.[stages.length - 1]?.temperature ?? 1;
  if (phi < 1)
    warnings.push(
      `approximate calibration: the runs are weighted by the likelihood of the reports to the power ${phi.toPrecision(2)} (the sampler's tempering stopped there because the simulated likelihood is too noisy to sharpen further): ranges are wider than the reports alone would give`,
    );
  if (ess < WARN_ESS_SHARE * runs)
    warnings.push(`low effective sample size: ${ess.toFixed(1)} of ${runs} runs (below ${WARN_ESS_SHARE * 100}%): ranges rest on few runs; run more or widen the priors`);
  return warnings;
}
