/**
 * Binds the job code to the simulation core (src/engine): prepares the scenario from a
 * snapshot, applies the model parameters, runs all runs or a shard, merges and finalises, and
 * turns the core's plain errors into domain errors (422 for input that cannot be modelled).
 */
import { unstableMatrix } from '../graph/unstable-matrix';
import type { WeaponRecord } from '../domain/records';
import { DomainError, unprocessable } from '../common/errors/domain-error';
import type { EngineBinding, RunOptions, ShardSpec } from './monte-carlo-runner';
import type { AssessmentOptions } from '../engine/options';
import { pilotProposal, pilotSlice } from '../engine/pilot';
import { runShard } from '../engine/shard';
import { finalizeOffThread, FoldSession, warmFinalizeThread } from './finalize-off-thread';
import { FINALIZE_FROM, FINALIZE_TO } from './monte-carlo-runner';
import { foldInto, mergePartials } from '../engine/aggregate';
import type { AssessmentResult as EngineOutput } from '../engine/result';
import { RangeError90 } from '../engine/distributions';
import { UnstableDependencyMatrixError } from '../engine/iim';
import { prepareScenario, ScenarioInputError, type ScenarioModel } from '../engine/model';
import { AbortError } from '../engine/pool';
import type { ParameterProposal } from '../engine/proposal';
import type { AssessmentPartial } from '../engine/partial';
import type { ScenarioSnapshot } from '../domain/records';
import type { AssessmentJobInput } from './job-input';

/** Early-warning windows computed (hours after asOf); a query between two is interpolated. */
const WINDOW_GRID = [1, 3, 6, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440, 2160, 4380, 8760];

export function earlyWarningHours(horizonHours: number): number[] {
  const h = Math.max(1, horizonHours);
  return [...new Set([...WINDOW_GRID.filter((x) => x < h), h])];
}

/** The weapon with the assessment's parameter adjustments applied (sensitivity analysis). */
function adjustWeapon(weapon: WeaponRecord, params: Record<string, unknown> | undefined): WeaponRecord {
  if (!params) return weapon;
  const scale = typeof params.transmissibilityScale === 'number' ? params.transmissibilityScale : 1;
  const vectors = Object.fromEntries(
    Object.entries(weapon.vectors).map(([kind, v]) => [
      kind,
      v && scale !== 1
        ? { ...v, transmissibility: { low: Math.min(0.98, v.transmissibility.low * scale), high: Math.min(0.99, v.transmissibility.high * scale) } }
        : v,
    ]),
  );
  const containment = params.containmentHours as WeaponRecord['containmentHours'] | undefined;
  return { ...weapon, vectors, ...(containment ? { containmentHours: containment } : {}) };
}

const prepared = new WeakMap<ScenarioSnapshot, Map<string, ScenarioModel>>();

/** What of a job's input its model depends on besides the snapshot: two inputs of equal keys share a model. */
export const modelKey = (input: AssessmentJobInput): string => JSON.stringify(input.params ?? {});

export function prepare(snapshot: ScenarioSnapshot, input: AssessmentJobInput): ScenarioModel {
  const key = modelKey(input);
  let byParams = prepared.get(snapshot);
  if (!byParams) prepared.set(snapshot, (byParams = new Map()));
  const hit = byParams.get(key);
  if (hit) return hit;
  try {
    const model = prepareScenario({
      entities: snapshot.entities,
      dependencies: snapshot.dependencies,
      weapon: adjustWeapon(snapshot.weapon, input.params),
      reports: snapshot.reports,
      asOf: snapshot.asOf,
      horizonHours: snapshot.horizonHours,
    });
    byParams.set(key, model);
    return model;
  } catch (err) {
    throw toDomainError(err);
  }
}

/**
 * A shard of the job on a model prepare() made: what engineBinding.runShard runs, for a caller
 * that keeps the model and lets the snapshot go (the shard worker's thread, shard.worker.ts).
 */
export async function runShardOn(model: ScenarioModel, input: AssessmentJobInput, shard: ShardSpec, opts: RunOptions): Promise<AssessmentPartial> {
  try {
    return (await runShard(model, [shard.runStart, shard.runStart + shard.runCount], engineOptions(input, opts))).partial;
  } catch (err) {
    throw toDomainError(err);
  }
}

/** A slice of the job's pilot on a model prepare() made: what engineBinding.pilotSlice runs (see runShardOn). */
export async function pilotSliceOn(model: ScenarioModel, input: AssessmentJobInput, z: Float64Array, base: number, opts: { signal?: AbortSignal } = {}): Promise<Float64Array> {
  try {
    return pilotSlice(model, engineOptions(input, { signal: opts.signal }), z, base);
  } catch (err) {
    throw toDomainError(err);
  }
}

/** The engine's options for a job's input, as the job runs it (also what a counterfactual re-runs). */
export function engineOptions(input: AssessmentJobInput, opts: RunOptions): AssessmentOptions {
  const reportingRate = (input.params?.reportingRate as AssessmentOptions['reportingRate']) ?? undefined;
  return {
    model: input.model,
    runs: input.runs,
    seed: input.seed,
    confidenceLevel: input.confidenceLevel,
    calibrate: input.calibrate,
    ...(reportingRate ? { reportingRate } : {}),
    earlyWarningHours: earlyWarningHours(input.horizonHours),
    earlyWarningLimit: 500,
    threads: opts.threads,
    signal: opts.signal,
    onProgress: opts.onProgress ? (p) => opts.onProgress!(p.fraction) : undefined,
    ...(opts.proposal !== undefined ? { proposal: proposalOf(opts.proposal) } : {}),
  };
}

/** A proposal handed to a shard: null or the engine's format (a worker of another version fails the shard rather than merge a different assessment). */
function proposalOf(value: unknown): ParameterProposal | null {
  if (value === null || (typeof value === 'object' && (value as ParameterProposal).format === 'spillover.proposal/1')) return value as ParameterProposal | null;
  throw new Error(`the shard carries a sampler proposal this engine cannot read (${JSON.stringify((value as { format?: unknown })?.format ?? typeof value)})`);
}

export function toDomainError(err: unknown): unknown {
  if (err instanceof DomainError || err instanceof AbortError) return err;
  if (err instanceof UnstableDependencyMatrixError) return unstableMatrix(err);
  if (err instanceof ScenarioInputError) {
    return unprocessable(err.message, [{ field: err.code === 'no-reports' ? 'weaponId' : 'scenario', rule: err.code === 'no-reports' ? 'hasReports' : 'modelInput', message: err.message }]);
  }
  if (err instanceof RangeError90) return unprocessable(err.message, [{ field: 'weapon', rule: 'range90', message: err.message }]);
  return err;
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toDomainError(err);
  }
}

export const engineBinding: EngineBinding<AssessmentPartial, EngineOutput> & { close?: () => Promise<void> } = {
  runAll(snapshot, input, opts) {
    // Runs move progress to FINALIZE_FROM; finalising (in a worker thread, so the heartbeat and
    // the API keep going) moves it on towards FINALIZE_TO; storing the parts ends at 1.
    return guard(async () => {
      const model = prepare(snapshot, input);
      warmFinalizeThread();
      const o = engineOptions(input, { ...opts, onProgress: opts.onProgress ? (f) => opts.onProgress!(f * FINALIZE_FROM) : undefined });
      const { partial } = await runShard(model, [0, input.runs], o);
      return finalizeOffThread(model, partial, o, opts.onProgress ? { from: FINALIZE_FROM, to: FINALIZE_TO, report: opts.onProgress } : undefined, opts.signal);
    });
  },
  proposal(snapshot, input, opts) {
    // Progress: pilot runs done over all the job's runs, pilot included (a pilot run costs about
    // what a run does), so the runner can continue from there.
    const onPilotProgress = opts.onProgress ? (done: number, total: number) => opts.onProgress!(done / (total + input.runs)) : undefined;
    return guard(() =>
      pilotProposal(prepare(snapshot, input), { ...engineOptions(input, { threads: opts.threads, signal: opts.signal }), onPilotProgress, ...(opts.pilotRunner ? { pilotRunner: opts.pilotRunner } : {}) }),
    );
  },
  pilotSlice(snapshot, input, z, base, opts = {}) {
    return guard(async () => pilotSliceOn(prepare(snapshot, input), input, z, base, opts));
  },
  runShard(snapshot, input, shard: ShardSpec, opts) {
    return guard(async () => runShardOn(prepare(snapshot, input), input, shard, opts));
  },
  merge(parts) {
    return mergePartials(parts);
  },
  fold(acc, part, runs) {
    return acc === undefined ? part : foldInto(acc, part, runs);
  },
  foldOffThread(snapshot, input, redisUrl) {
    const session = new FoldSession(input.runs, redisUrl);
    return {
      add: (i, answer) => session.add(i, answer),
      finalize: (opts = {}) =>
        guard(async () => session.finalize(prepare(snapshot, input), engineOptions(input, {}), opts.onProgress ? { from: FINALIZE_FROM, to: FINALIZE_TO, report: opts.onProgress } : undefined, opts.signal)),
      close: () => session.close(),
      timing: session.timing,
    };
  },
  prepareFinalize: warmFinalizeThread,
  finalize(snapshot, input, merged, opts = {}) {
    return guard(async () =>
      finalizeOffThread(prepare(snapshot, input), merged, engineOptions(input, {}), opts.onProgress ? { from: FINALIZE_FROM, to: FINALIZE_TO, report: opts.onProgress } : undefined, opts.signal),
    );
  },
};
