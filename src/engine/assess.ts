/**
 * An assessment: its runs (one shard of them all, or the whole) summarised into the result.
 */
import type { ScenarioCore, ScenarioModel } from './model';
import type { ScaledPrior } from './calibration-summary';
import { finalize, type FinalizeOptions } from './finalize';
import { runRangeOf, settingsOf, type AssessmentOptions } from './options';
import { reportingLagPrior, reportingRatePrior } from './parameters';
import type { AssessmentPartial } from './partial';
import { pilotProposal } from './pilot';
import type { AssessmentResult } from './result';
import type { RunSettings } from './settings';
import { runShard, type RunStats } from './shard';

/**
 * Runs an assessment (or, with runRange, a shard of it) and summarises it.
 * The result is plain JSON-serialisable data.
 */
export async function runAssessment(model: ScenarioModel, options: AssessmentOptions): Promise<AssessmentResult & { stats: RunStats }> {
  const range = runRangeOf(options);
  const { partial, stats } = await runShard(model, range, options);
  // the proposal the runs used (cached by runShard) carries the sampler's stages
  const proposal = options.proposal !== undefined ? options.proposal : await pilotProposal(model, options);
  const result = finalizeAssessment(model, partial, { ...options, proposal });
  return { ...result, stats };
}

/** finalize() with the options used for the runs; `groups: false`: the group ranges left empty, for the caller to compute elsewhere (group-stats.ts groupEntries). */
export function finalizeAssessment(model: ScenarioModel, partial: AssessmentPartial, options: AssessmentOptions, parts: Pick<FinalizeOptions, 'groups' | 'weights'> = {}): AssessmentResult {
  const s = settingsOf(options);
  return finalize(model, partial, {
    ...parts,
    confidenceLevel: options.confidenceLevel,
    earlyWarningLimit: options.earlyWarningLimit,
    earlyWarningHours: s.earlyWarningHours,
    model: s.model,
    seed: s.seed,
    calibrated: s.calibrate,
    sampler: s.sampler,
    stages: s.sampler === 'adaptive' ? (options.proposal?.stages ?? undefined) : undefined,
    // adaptive runs are not prior draws: report the priors themselves
    priors: s.sampler === 'adaptive' ? priorsOf(model.core, s) : undefined,
  });
}

/** The prior of each drawn parameter, in parameter column order. */
function priorsOf(core: ScenarioCore, s: RunSettings): ScaledPrior[] {
  return [
    ...core.weapon.kinds.map((k) => ({ scale: 'logit' as const, ...core.weapon.transmissibility[k]! })),
    { scale: 'logit' as const, ...reportingRatePrior(s.reportingRate) },
    { scale: 'log' as const, ...core.weapon.downtimeDays },
    { scale: 'log' as const, ...reportingLagPrior(s.reportingLagHours) },
  ];
}
