/**
 * Finalisation: a (merged) partial into the assessment result, part by part.
 */
import { calibrationMethod, parameterRanges, samplerWarnings, type ScaledPrior } from './calibration-summary';
import { earlyWarningWindows } from './early-warning';
import { entityStats } from './entity-stats';
import { groupStats } from './group-stats';
import { headlineFigures } from './headline';
import type { ScenarioModel } from './model';
import { trimmedView, type AssessmentPartial } from './partial';
import { predictiveCheckOf, predictiveCheckWarnings } from './predictive-check';
import type { SamplerStage } from './proposal';
import type { AssessmentResult } from './result';
import { runTable } from './run-table';
import { runWeights, type RunWeights } from './run-weights';
import { timelineOf } from './timeline';

export interface FinalizeOptions {
  /** Confidence level of the central intervals (default 0.9). */
  confidenceLevel?: number;
  /** Entities kept per early-warning window and part (intended, collateral; default 100 each). */
  earlyWarningLimit?: number;
  /** Early-warning windows (hours after asOf) the partial was computed with. */
  earlyWarningHours: number[];
  model: 'ic' | 'sir';
  seed: number;
  calibrated: boolean;
  /** How the calibrated runs drew their parameters (default 'prior'). */
  sampler?: 'prior' | 'adaptive';
  /** Stages of the pilot that fitted the proposal, if any. */
  stages?: SamplerStage[];
  /**
   * Prior of each drawn parameter (parameterNames order): when given, the reported prior ranges
   * are exact (quantiles of the distribution) instead of the drawn runs' (which are not prior
   * draws under the adaptive sampler).
   */
  priors?: ScaledPrior[];
  /** False: the group ranges are left empty, for the caller to compute on other threads (groupEntries). */
  groups?: boolean;
  /** The runs' weights (runWeights of the partial's trimmed view) when the caller has them already. */
  weights?: RunWeights;
}

/** Turns a (merged) partial into the assessment result. */
export function finalize(model: ScenarioModel, partial: AssessmentPartial, opts: FinalizeOptions): AssessmentResult {
  const { core, meta } = model;
  const level = opts.confidenceLevel ?? 0.9;
  if (!(level > 0 && level < 1)) throw new Error(`confidenceLevel must lie in (0,1), got ${level}`);
  const p = trimmedView(partial);
  const rw = opts.weights ?? runWeights(p);
  const R = rw.order.length;
  const { total, intended, collateral, errors } = headlineFigures(p, rw, level);
  const { parameters, prior } = parameterRanges(meta, p, rw, level, opts.priors);
  const predictiveCheck = predictiveCheckOf(model, p, rw, level, opts.calibrated);
  const warnings = [...meta.warnings];
  if (predictiveCheck !== null) warnings.push(...predictiveCheckWarnings(predictiveCheck), ...samplerWarnings(opts.stages, rw.ess, R));
  const { entities, protectedHits } = entityStats(model, p);
  return {
    model: opts.model,
    seed: opts.seed,
    runCount: R,
    level,
    calibrated: opts.calibrated,
    origin: meta.originIso,
    asOf: meta.asOfIso,
    horizonHours: meta.horizonHours,
    reportsUsed: meta.reportsUsed,
    reportedEntities: core.reportedCount,
    spectralRadius: core.spectralRadius,
    summary: {
      total,
      intended,
      collateral,
      protectedHits,
      calibration: {
        method: calibrationMethod(opts.calibrated, opts.sampler, opts.model),
        parameters,
        prior,
        effectiveSampleSize: rw.ess,
        ...(opts.stages ? { stages: opts.stages } : {}),
        ...(predictiveCheck ? { predictiveCheck } : {}),
      },
      monteCarloError: {
        runs: R,
        effectiveSampleSize: rw.ess,
        method: 'mean: weighted standard error; interval ends: 95% interval from quantiles p -/+ 1.96 sqrt(p(1-p)/n_eff) with Kish n_eff',
        figures: errors,
      },
    },
    entities,
    groups: opts.groups === false ? { country: [], sector: [], countrySector: [] } : groupStats(model, p, rw, level),
    timeline: timelineOf(model, p, rw, level),
    earlyWarning: { asOf: meta.asOfIso, windows: earlyWarningWindows(model, p, opts.earlyWarningHours, opts.earlyWarningLimit ?? 100) },
    runs: runTable(meta, p, rw),
    warnings,
  };
}
