/**
 * The job-runner interface: how the Monte Carlo runs of one job get executed. The scheduler
 * (job-scheduler.service.ts) owns the job's lifecycle; a runner only turns a scenario and its
 * inputs into the engine's output, reporting progress and honouring cancellation.
 *
 * - `InProcessRunner` (default): the engine's worker-thread pool in this process.
 * - `BullMqRunner` (`JOB_QUEUE=bullmq`): splits the runs into shards (run-index ranges of the
 *   same seed), puts them on a Redis queue for any number of `src/jobs/worker.ts` processes,
 *   and merges their partial aggregates exactly (the engine draws run i from stream i of the
 *   seed, so a shard computes the same runs wherever it runs).
 *
 * Both go through an `EngineBinding`, which hides the engine's own API from the job code.
 */
import type { AssessmentJobInput } from './job-input';
import type { ScenarioSnapshot } from '../domain/records';
import type { JobContext } from './job-scheduler.service';
import type { WorkerBeat } from './queue-names';

export interface ShardSpec {
  index: number;
  runStart: number;
  runCount: number;
}

/**
 * Progress of a job: the runs take it to FINALIZE_FROM, finalising (weighted ranges, entity
 * statistics, early warning) moves it towards FINALIZE_TO, storing the result parts ends at 1.
 */
export const FINALIZE_FROM = 0.95;
export const FINALIZE_TO = 0.99;

export interface RunOptions {
  threads?: number;
  /**
   * runShard: fraction of this call's runs done, in [0,1]; runAll and finalize: the job's overall
   * progress; proposal: pilot runs done over the job's runs, pilot included.
   */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /**
   * runShard: the job's sampler proposal, as `proposal()` returned it (after the codec). Omitted:
   * the engine fits it itself (shard jobs queued before proposals travelled with them).
   */
  proposal?: unknown;
  /**
   * proposal: evaluates the pilot's rounds elsewhere (the BullMQ runner hands them to the shard
   * workers, which compute slices with `pilotSlice`): `z` holds the round's parameter vectors,
   * `dims` values each; the answer the rows of `pilotSlice` for the whole round, in order.
   */
  pilotRunner?: (z: Float64Array, base: number, dims: number) => Promise<Float64Array>;
}

/** What the job code needs from the simulation core. `P` is a shard's partial aggregate, `O` the final output. */
export interface EngineBinding<P = unknown, O = unknown> {
  /** All runs of a job. */
  runAll(snapshot: ScenarioSnapshot, input: AssessmentJobInput, opts: RunOptions): Promise<O>;
  /** Runs `[runStart, runStart + runCount)` of a job, as a mergeable partial aggregate. */
  runShard(snapshot: ScenarioSnapshot, input: AssessmentJobInput, shard: ShardSpec, opts: RunOptions): Promise<P>;
  /**
   * What every shard of a job must share and is costly to compute: the adaptive sampler's
   * proposal, fitted to pilot runs. Computed once by the coordinating process and handed to each
   * `runShard` as `opts.proposal`; any structured-clone value, null when the job needs none.
   * Optional: a binding without it lets each shard compute its own.
   */
  proposal?(snapshot: ScenarioSnapshot, input: AssessmentJobInput, opts: RunOptions): Promise<unknown>;
  /**
   * Pilot runs `base..base + n - 1` of a job's pilot at the parameter vectors `z` (n x dims):
   * a slice of a round of `proposal`'s pilot, computed by a shard worker (`opts.pilotRunner`).
   * Optional: without it the pilot runs where `proposal` is called.
   */
  pilotSlice?(snapshot: ScenarioSnapshot, input: AssessmentJobInput, z: Float64Array, base: number, opts?: RunOptions): Promise<Float64Array>;
  /** Merges partials of disjoint shards (order-independent). */
  merge(parts: P[]): P;
  /**
   * Adds the next shard's partial into the partial of the shards before it, in place: the same
   * sums as `merge([acc, part])` without copying `acc` (a coordinator folding 32 shards copied
   * the growing whole 32 times). Both are the caller's; `part` is not used afterwards. `runs`:
   * the job's runs, to size what grows once. Optional: without it the runner merges.
   */
  fold?(acc: P | undefined, part: P, runs?: number): P;
  /** The output of the merged partial of all shards; `opts.onProgress` gets the job's overall fraction (FINALIZE_FROM..FINALIZE_TO). */
  finalize(snapshot: ScenarioSnapshot, input: AssessmentJobInput, merged: P, opts?: RunOptions): Promise<O>;
  /**
   * A coordinator's fold and finalise off its main thread, for shards that answer where their
   * partial waits in Redis (`redisUrl`): see ShardFolding. Optional: without it the runner reads,
   * folds (`fold`, `merge`) and finalises (`finalize`) itself.
   */
  foldOffThread?(snapshot: ScenarioSnapshot, input: AssessmentJobInput, redisUrl: string): ShardFolding<O>;
  /**
   * Gets `finalize` ready while the shards run (a coordinator calls it when it queues them), so
   * its set-up is not spent after the last shard. Optional.
   */
  prepareFinalize?(): void;
}

/** One job's shards folded as they finish, then finalised (EngineBinding.foldOffThread). */
export interface ShardFolding<O = unknown> {
  /** Shard i's answer (its partial's Redis key, or the encoded partial); resolves once it is read, or rejects (the partial is gone). */
  add(i: number, answer: string): Promise<void>;
  /** The job's output, once every `add` has resolved. */
  finalize(opts?: RunOptions): Promise<O>;
  /** Ends it without an output (a failed or cancelled job). */
  close(): void;
  /** Summed over the shards (ms): reading partials from Redis, decoding them, folding them. */
  readonly timing: { readMs: number; decodeMs: number; mergeMs: number };
}

export const ENGINE_BINDING = Symbol('ENGINE_BINDING');
export const MONTE_CARLO_RUNNER = Symbol('MONTE_CARLO_RUNNER');

export interface MonteCarloRunner<O = unknown> {
  readonly kind: 'in-process' | 'bullmq';
  /** Resolves when a job can be queued now; a DomainError (503) when the runner cannot take one (its queue unreachable). */
  accepting(): Promise<void>;
  run(jobId: string, snapshot: ScenarioSnapshot, input: AssessmentJobInput, ctx: JobContext): Promise<O>;
  /** Whether jobs can run now, and what to watch (GET /health/ready); absent: always ready. */
  readiness?(): Promise<RunnerReadiness>;
}

export interface RunnerReadiness {
  ready: boolean;
  /** The shard queue: its name, depth by state, and the workers whose heartbeat is live. */
  queue: { name: string; waiting: number; active: number; delayed: number; failed: number; workers: WorkerBeat[] };
}

/** Shards covering `runs` runs, `size` each (the last one smaller). */
export function planShards(runs: number, size: number): ShardSpec[] {
  const out: ShardSpec[] = [];
  for (let start = 0, i = 0; start < runs; start += size, i++) out.push({ index: i, runStart: start, runCount: Math.min(size, runs - start) });
  return out;
}
