import { Logger } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AssessmentJobInput } from './job-input';
import type { ScenarioSnapshot } from '../domain/records';
import { DomainError } from '../common/errors/domain-error';
import { decode, decodeBuffer, encode, encodeSnapshot } from './codec';
import type { JobContext } from './job-scheduler.service';
import { EngineBinding, FINALIZE_FROM, MonteCarloRunner, planShards, RunnerReadiness, ShardFolding } from './monte-carlo-runner';
import { cancelKey, heartbeatPattern, isPartialKey, partialKey, PilotJobData, QueueJobData, redisOptions, snapshotKey, WorkerBeat } from './queue-names';

/**
 * Runs a job's Monte Carlo as shards on a BullMQ queue in Redis. The scenario snapshot goes
 * to Redis once (gzip'd, expiring after a day), so workers need Redis only, not the database;
 * each shard returns its partial aggregate, and this process merges them (as they come, in
 * shard order) and finalises. What every shard needs and is costly (the sampler's proposal) is
 * fitted here once and travels with each shard; the pilot runs it is fitted to (about as many
 * as a 1,000-run job's runs) go to the workers too, each round as slices of `pilotSliceRuns`
 * runs ('pilot' jobs on the same queue), answered in order (each pilot run depends only on the
 * seed, its index and its parameters: the same proposal bit for bit). Progress is the share of
 * runs done, counting the progress workers report for the shards in flight. Cancelling sets a
 * key the workers watch and removes waiting shards.
 */
export class BullMqRunner implements MonteCarloRunner {
  readonly kind = 'bullmq' as const;
  private readonly logger = new Logger('BullMqRunner');
  private readonly redis: IORedis;
  private readonly queue: Queue<QueueJobData>;
  private events?: QueueEvents;

  constructor(
    private readonly engine: EngineBinding,
    private readonly redisUrl: string,
    /** The shard queue (`JOB_QUEUE_NAME`): API processes and their workers must agree on it. */
    private readonly queueName: string,
    private readonly shardRuns: number,
    /** Threads of this process for the work done here (the pilot when it stays here; finalising has its own). */
    private readonly threads?: number,
    /** Pilot runs per 'pilot' job on the workers; 0: the pilot runs here, on `threads`. */
    private readonly pilotSliceRuns = 25,
  ) {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<QueueJobData>(queueName, { connection: redisOptions(redisUrl) });
    this.queue.on('error', () => undefined);
  }

  accepting(): Promise<void> {
    return this.ping();
  }

  /** Refuses new jobs with 503 when Redis does not answer, rather than queueing them into nothing. */
  private async ping(): Promise<void> {
    try {
      if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
      await Promise.race([this.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
    } catch (err) {
      throw new DomainError('UNAVAILABLE', `the job queue (Redis at ${this.redisUrl}) is not reachable`, [
        { field: 'JOB_QUEUE', rule: 'reachable', message: String((err as Error)?.message ?? err) },
      ]);
    }
  }

  /** Ready when Redis answers and at least one shard worker's heartbeat is live. */
  async readiness(): Promise<RunnerReadiness> {
    await this.ping();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', heartbeatPattern(this.queueName), 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const beats = keys.length ? await this.redis.mget(keys) : [];
    const workers = beats.filter((b): b is string => !!b).map((b) => JSON.parse(b) as WorkerBeat).sort((a, b) => a.id.localeCompare(b.id));
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return {
      ready: workers.some((w) => w.state !== 'draining'),
      queue: { name: this.queueName, waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0, workers },
    };
  }

  private async queueEvents(): Promise<QueueEvents> {
    if (!this.events) {
      this.events = new QueueEvents(this.queueName, { connection: redisOptions(this.redisUrl) });
      this.events.on('error', () => undefined);
      await this.events.waitUntilReady();
    }
    return this.events;
  }

  async run(jobId: string, snapshot: ScenarioSnapshot, input: AssessmentJobInput, ctx: JobContext): Promise<unknown> {
    await this.ping();
    // Workers are separate processes with their own engine caches: left to them, each would
    // repeat the pilot, all at once, before its first shard could report progress.
    // The pilot's share of the progress: its last fraction (its runs over the job's, pilot included).
    let pilotShare = 0;
    const onPilot = (f: number) => {
      pilotShare = f;
      ctx.progress(f * FINALIZE_FROM);
    };
    // Where the coordinator's time goes (ms), logged when the job's runs are done.
    const phases = { encodeSnapshotMs: 0, snapshotBytes: 0, storeSnapshotMs: 0, pilotMs: 0, pilotSlices: 0, queueMs: 0, shardsMs: 0, decodeMs: 0, mergeMs: 0, lastMergeMs: 0, finalizeMs: 0 };
    const token = randomUUID().slice(0, 8);
    const key = snapshotKey(jobId, token);
    const shards = planShards(input.runs, this.shardRuns);
    const ids = shards.map((s) => `${jobId}-${token}-${s.index}`);
    /** Pilot jobs not yet removed (each round's are removed when it ends; on failure, at the end). */
    const pilotIds = new Set<string>();
    const events = await this.queueEvents();
    let folding: ShardFolding | undefined;
    try {
      await this.redis.del(cancelKey(jobId));
      // The scenario goes to Redis first: the workers need it for the pilot's slices.
      let t = performance.now();
      const encodedSnapshot = encodeSnapshot(snapshot);
      phases.encodeSnapshotMs = performance.now() - t;
      phases.snapshotBytes = encodedSnapshot.length;
      t = performance.now();
      await this.redis.set(key, encodedSnapshot, 'EX', 86_400);
      phases.storeSnapshotMs = performance.now() - t;

      t = performance.now();
      const pilotRunner =
        this.pilotSliceRuns > 0 && this.engine.pilotSlice
          ? (z: Float64Array, base: number, dims: number) => {
              phases.pilotSlices += Math.ceil(z.length / dims / this.pilotSliceRuns);
              return this.pilotRound(events, jobId, `${jobId}-${token}-pilot`, key, input, z, base, dims, ctx, pilotIds);
            }
          : undefined;
      const proposal = this.engine.proposal ? encode(await this.engine.proposal(snapshot, input, { threads: this.threads, signal: ctx.signal, onProgress: onPilot, pilotRunner })) : undefined;
      phases.pilotMs = performance.now() - t;

      // Finished shards are folded into `merged` in shard order (the order the engine's merge
      // takes them, so the result is the same bit for bit) and dropped: at 1M entities a partial
      // is ~150 MB, and holding all 32 until the end took the API process past 4 GB. Only shards
      // finished ahead of an earlier one wait in `partials`.
      const partials: unknown[] = new Array(shards.length);
      let merged: unknown;
      let folded = 0;
      const shardProgress = new Float64Array(shards.length);
      let done = 0;
      const report = () => {
        let runsDone = 0;
        for (let i = 0; i < shards.length; i++) runsDone += shardProgress[i] * shards[i].runCount;
        ctx.progress((pilotShare + (1 - pilotShare) * (runsDone / input.runs)) * FINALIZE_FROM);
      };
      // With the engine's fold off the main thread (EngineBinding.foldOffThread), the shards'
      // partials are read, decoded and folded on the finalise thread, which then finalises.
      folding = this.engine.foldOffThread?.(snapshot, input, this.redisUrl);
      const watch = this.watch(events, jobId, 'shard', ids, ctx, {
        done: async (i, value) => {
          if (folding) {
            if (typeof value !== 'string') throw new Error(`shard ${i} answered no partial (a ${typeof value})`);
            const t0 = performance.now();
            await folding.add(i, value);
            if (done + 1 === shards.length) phases.lastMergeMs = performance.now() - t0;
            if (isPartialKey(value)) void this.redis.del(value).catch(() => undefined);
            shardProgress[i] = 1;
            done++;
            report();
            return;
          }
          const part = isPartialKey(value) ? await this.redis.getBuffer(value) : value;
          if (part === null) throw new Error(`shard ${i}'s partial is gone from Redis (expired or deleted)`);
          if (isPartialKey(value)) void this.redis.del(value).catch(() => undefined);
          let t0 = performance.now();
          partials[i] = Buffer.isBuffer(part) ? decodeBuffer(part) : typeof part === 'string' ? decode(part) : part;
          phases.decodeMs += performance.now() - t0;
          t0 = performance.now();
          while (folded < shards.length && partials[folded] !== undefined) {
            merged = this.engine.fold ? this.engine.fold(merged, partials[folded], input.runs) : this.engine.merge(folded === 0 ? [partials[0]] : [merged, partials[folded]]);
            partials[folded++] = undefined;
          }
          phases.mergeMs += performance.now() - t0;
          if (done + 1 === shards.length) phases.lastMergeMs = performance.now() - t0;
          shardProgress[i] = 1;
          done++;
          report();
        },
        progress: (i, f) => {
          shardProgress[i] = Math.min(0.999, Math.max(shardProgress[i], f));
          report();
        },
      });
      t = performance.now();
      try {
        await this.queue.addBulk(
          shards.map((shard, i) => ({
            name: 'shard',
            data: { jobId, snapshotKey: key, input, shard, ...(proposal !== undefined ? { proposal } : {}) },
            opts: { jobId: ids[i], attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
          })),
        );
        phases.queueMs = performance.now() - t;
        if (!folding) this.engine.prepareFinalize?.();
        await watch.outcome;
      } finally {
        watch.stop();
      }
      phases.shardsMs = performance.now() - t;
      t = performance.now();
      const finalizing = { onProgress: (f: number) => ctx.progress(f), signal: ctx.signal };
      const output = folding ? await folding.finalize(finalizing) : await this.engine.finalize(snapshot, input, merged, finalizing);
      phases.finalizeMs = performance.now() - t;
      if (folding) {
        phases.decodeMs += folding.timing.readMs + folding.timing.decodeMs;
        phases.mergeMs += folding.timing.mergeMs;
      }
      folding = undefined;
      this.logger.log({ msg: 'job phases', jobId, shards: shards.length, ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v * 10) / 10])) });
      return output;
    } catch (err) {
      if (ctx.signal.aborted) {
        await this.redis.set(cancelKey(jobId), '1', 'EX', 3600).catch(() => undefined);
      }
      throw err;
    } finally {
      folding?.close();
      await Promise.all([...ids, ...pilotIds].map((id) => Job.fromId(this.queue, id).then((j) => j?.remove()).catch(() => undefined)));
      // the snapshot, and the partials of shards that finished after the job failed or was cancelled
      await this.redis.del(key, ...ids.map(partialKey)).catch(() => undefined);
    }
  }

  /**
   * One round of the pilot on the workers: `z` (n x dims) cut into slices of `pilotSliceRuns`
   * rows, each a 'pilot' job (retried like a shard: 3 attempts, and requeued when its worker
   * dies); the answers set into the round's rows in order.
   */
  private async pilotRound(events: QueueEvents, jobId: string, prefix: string, snapshotKey: string, input: AssessmentJobInput, z: Float64Array, base: number, dims: number, ctx: JobContext, live: Set<string>): Promise<Float64Array> {
    const n = z.length / dims;
    const starts: number[] = [];
    for (let a = 0; a < n; a += this.pilotSliceRuns) starts.push(a);
    // named by their first pilot run, unique over the rounds
    const ids = starts.map((a) => `${prefix}-${base + a}`);
    const answers: Float64Array[] = new Array(starts.length);
    const watch = this.watch(events, jobId, 'pilot slice', ids, ctx, {
      done: (i, value) => {
        answers[i] = decode<Float64Array>(value as string);
      },
    });
    try {
      for (const id of ids) live.add(id);
      await this.queue.addBulk(
        starts.map((a, i) => ({
          name: 'pilot',
          data: { jobId, snapshotKey, input, pilot: { base: base + a, z: encode(z.slice(a * dims, Math.min(n, a + this.pilotSliceRuns) * dims)) } } satisfies PilotJobData,
          opts: { jobId: ids[i], attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      await watch.outcome;
    } finally {
      watch.stop();
    }
    await Promise.all(ids.map((id) => Job.fromId(this.queue, id).then((j) => j?.remove()).catch(() => undefined)));
    for (const id of ids) live.delete(id);
    const width = answers[0].length / Math.min(n, this.pilotSliceRuns);
    const out = new Float64Array(n * width);
    starts.forEach((a, i) => out.set(answers[i], a * width));
    return out;
  }

  /**
   * Waits for the queue jobs `ids`: `done(i, value)` once per job with its answer (the first,
   * should a retried job answer twice), `progress(i, fraction)` as workers report. Listens to the
   * queue's events and, as events can be missed (a reconnect), polls the jobs' states every 2 s.
   * `outcome` rejects when a job fails for good (no attempts left) or the job is cancelled;
   * attach it before queueing the jobs, and `stop()` after.
   */
  private watch(
    events: QueueEvents,
    jobId: string,
    what: 'shard' | 'pilot slice',
    ids: string[],
    ctx: JobContext,
    on: { done: (i: number, value: unknown) => void | Promise<void>; progress?: (i: number, fraction: number) => void },
  ): { outcome: Promise<void>; stop: () => void } {
    const index = new Map(ids.map((id, i) => [id, i]));
    const finished = new Uint8Array(ids.length);
    let count = 0;
    let stop = () => {};
    const outcome = new Promise<void>((resolve, reject) => {
      const complete = (id: string, value: unknown) => {
        const i = index.get(id);
        if (i === undefined || finished[i]) return;
        finished[i] = 1;
        // (an answer may need a read before it counts: a shard's partial waits in Redis)
        Promise.resolve()
          .then(() => on.done(i, value))
          .then(() => {
            if (++count === ids.length) resolve();
          }, reject);
      };
      const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
        if (index.has(id)) complete(id, typeof returnvalue === 'string' && returnvalue.startsWith('"') ? JSON.parse(returnvalue) : returnvalue);
      };
      const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
        const i = index.get(id);
        if (i !== undefined && typeof data === 'number' && !finished[i]) on.progress?.(i, data);
      };
      const onFailed = async ({ jobId: id, failedReason }: { jobId: string; failedReason: string }) => {
        if (!index.has(id)) return;
        const job = await Job.fromId(this.queue, id).catch(() => undefined);
        // A job with retries left goes back to waiting; only a final failure fails the job.
        if (job && (await job.getState().catch(() => 'failed')) !== 'failed') return;
        // A job cancelled meanwhile fails its shards too: the cancellation is the reason.
        if (ctx.signal.aborted) return onAbort();
        reject(new Error(`${what} ${index.get(id)} failed on a worker: ${failedReason}`));
      };
      const onAbort = () => reject(ctx.signal.reason ?? new Error('cancelled'));
      // A worker died or hung mid-job: the job went back to the queue for another one.
      const onStalled = ({ jobId: id }: { jobId: string }) => {
        if (index.has(id)) this.logger.warn({ msg: `${what} stalled, requeued`, jobId, ...(what === 'shard' ? { shard: index.get(id) } : { id }) });
      };
      events.on('stalled', onStalled as never);
      events.on('completed', onCompleted as never);
      events.on('progress', onProgress as never);
      events.on('failed', onFailed as never);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) onAbort();
      const poll = setInterval(async () => {
        for (const id of ids) {
          const i = index.get(id)!;
          if (finished[i]) continue;
          const job = await Job.fromId(this.queue, id).catch(() => undefined);
          if (!job) continue;
          if (job.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null) complete(id, job.returnvalue);
          else if (job.finishedOn && job.failedReason && (await job.getState().catch(() => '')) === 'failed') onFailed({ jobId: id, failedReason: job.failedReason });
        }
      }, 2000);
      stop = () => {
        clearInterval(poll);
        events.off('stalled', onStalled as never);
        events.off('completed', onCompleted as never);
        events.off('progress', onProgress as never);
        events.off('failed', onFailed as never);
        ctx.signal.removeEventListener('abort', onAbort);
      };
    });
    // a rejection before the caller awaits it (cancelled while queueing) is the caller's to see
    outcome.catch(() => undefined);
    return { outcome, stop };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events?.close(), this.queue.close(), this.redis.quit()]);
  }
}
