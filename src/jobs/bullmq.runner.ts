import { Logger } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AssessmentInput } from './job.entity';
import type { ScenarioSnapshot } from '../domain/records';
import { DomainError } from '../common/errors/domain-error';
import { decode, encode, encodeSnapshot } from './codec';
import type { JobContext } from './job-scheduler.service';
import { EngineBinding, FINALIZE_FROM, MonteCarloRunner, planShards, RunnerReadiness } from './monte-carlo-runner';
import { cancelKey, heartbeatPattern, redisOptions, ShardJobData, snapshotKey, WorkerBeat } from './queue-names';

/**
 * Runs a job's Monte Carlo as shards on a BullMQ queue in Redis. The scenario snapshot goes
 * to Redis once (gzip'd, expiring after a day), so workers need Redis only, not the database;
 * each shard returns its partial aggregate, and this process merges them (as they come, in
 * shard order) and finalises. What
 * every shard needs and is costly (the sampler's pilot) is computed here once and travels with
 * each shard. Progress is the share of runs done, counting the progress workers report for the
 * shards in flight. Cancelling sets a key the workers watch and removes waiting shards.
 */
export class BullMqRunner implements MonteCarloRunner {
  readonly kind = 'bullmq' as const;
  private readonly logger = new Logger('BullMqRunner');
  private readonly redis: IORedis;
  private readonly queue: Queue<ShardJobData>;
  private events?: QueueEvents;

  constructor(
    private readonly engine: EngineBinding,
    private readonly redisUrl: string,
    /** The shard queue (`JOB_QUEUE_NAME`): API processes and their workers must agree on it. */
    private readonly queueName: string,
    private readonly shardRuns: number,
    /** Threads of this process for the work done here (the pilot; finalising has its own). */
    private readonly threads?: number,
  ) {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<ShardJobData>(queueName, { connection: redisOptions(redisUrl) });
    this.queue.on('error', () => undefined);
  }

  async check(snapshot: ScenarioSnapshot, input: AssessmentInput): Promise<void> {
    await this.ping();
    await this.engine.check(snapshot, input);
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

  async run(jobId: string, snapshot: ScenarioSnapshot, input: AssessmentInput, ctx: JobContext): Promise<unknown> {
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
    const phases = { pilotMs: 0, encodeSnapshotMs: 0, snapshotBytes: 0, storeSnapshotMs: 0, queueMs: 0, shardsMs: 0, decodeMs: 0, mergeMs: 0, lastMergeMs: 0, finalizeMs: 0 };
    let t = performance.now();
    const proposal = this.engine.proposal ? encode(await this.engine.proposal(snapshot, input, { threads: this.threads, signal: ctx.signal, onProgress: onPilot })) : undefined;
    phases.pilotMs = performance.now() - t;
    const token = randomUUID().slice(0, 8);
    const key = snapshotKey(jobId, token);
    await this.redis.del(cancelKey(jobId));
    t = performance.now();
    const encodedSnapshot = encodeSnapshot(snapshot);
    phases.encodeSnapshotMs = performance.now() - t;
    phases.snapshotBytes = encodedSnapshot.length;
    t = performance.now();
    await this.redis.set(key, encodedSnapshot, 'EX', 86_400);
    phases.storeSnapshotMs = performance.now() - t;
    const shards = planShards(input.runs, this.shardRuns);
    const ids = shards.map((s) => `${jobId}-${token}-${s.index}`);
    const index = new Map(ids.map((id, i) => [id, i]));
    // Finished shards are folded into `merged` in shard order (the order the engine's merge
    // takes them, so the result is the same bit for bit) and dropped: at 1M entities a partial
    // is ~150 MB, and holding all 32 until the end took the API process past 4 GB. Only shards
    // finished ahead of an earlier one wait in `partials`.
    const partials: unknown[] = new Array(shards.length);
    const finished = new Uint8Array(shards.length);
    let merged: unknown;
    let folded = 0;
    const shardProgress = new Float64Array(shards.length);
    let done = 0;

    const events = await this.queueEvents();
    const report = () => {
      let runsDone = 0;
      for (let i = 0; i < shards.length; i++) runsDone += shardProgress[i] * shards[i].runCount;
      ctx.progress((pilotShare + (1 - pilotShare) * (runsDone / input.runs)) * FINALIZE_FROM);
    };

    let cleanup = () => {};
    try {
      const outcome = new Promise<void>((resolve, reject) => {
        const complete = (id: string, value: unknown) => {
          const i = index.get(id);
          if (i === undefined || finished[i]) return;
          finished[i] = 1;
          let t0 = performance.now();
          partials[i] = typeof value === 'string' ? decode(value) : value;
          phases.decodeMs += performance.now() - t0;
          t0 = performance.now();
          while (folded < shards.length && partials[folded] !== undefined) {
            merged = this.engine.fold ? this.engine.fold(merged, partials[folded]) : this.engine.merge(folded === 0 ? [partials[0]] : [merged, partials[folded]]);
            partials[folded++] = undefined;
          }
          phases.mergeMs += performance.now() - t0;
          if (done + 1 === shards.length) phases.lastMergeMs = performance.now() - t0;
          shardProgress[i] = 1;
          done++;
          report();
          if (done === shards.length) resolve();
        };
        const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
          if (index.has(id)) complete(id, typeof returnvalue === 'string' && returnvalue.startsWith('"') ? JSON.parse(returnvalue) : returnvalue);
        };
        const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
          const i = index.get(id);
          if (i !== undefined && typeof data === 'number' && !finished[i]) {
            shardProgress[i] = Math.min(0.999, Math.max(shardProgress[i], data));
            report();
          }
        };
        const onFailed = async ({ jobId: id, failedReason }: { jobId: string; failedReason: string }) => {
          if (!index.has(id)) return;
          const job = await Job.fromId(this.queue, id).catch(() => undefined);
          // A shard with retries left goes back to waiting; only a final failure fails the job.
          if (job && (await job.getState().catch(() => 'failed')) !== 'failed') return;
          reject(new Error(`shard ${index.get(id)} failed on a worker: ${failedReason}`));
        };
        const onAbort = () => reject(ctx.signal.reason ?? new Error('cancelled'));
        // A worker died or hung mid-shard: the shard went back to the queue for another one.
        const onStalled = ({ jobId: id }: { jobId: string }) => {
          if (index.has(id)) this.logger.warn({ msg: 'shard stalled, requeued', jobId, shard: index.get(id) });
        };
        events.on('stalled', onStalled as never);
        events.on('completed', onCompleted as never);
        events.on('progress', onProgress as never);
        events.on('failed', onFailed as never);
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        // Events can be missed (a reconnect): poll the shards' states as well.
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
        cleanup = () => {
          clearInterval(poll);
          events.off('stalled', onStalled as never);
          events.off('completed', onCompleted as never);
          events.off('progress', onProgress as never);
          events.off('failed', onFailed as never);
          ctx.signal.removeEventListener('abort', onAbort);
        };
      });
      t = performance.now();
      await this.queue.addBulk(
        shards.map((shard, i) => ({
          name: 'shard',
          data: { jobId, snapshotKey: key, input, shard, ...(proposal !== undefined ? { proposal } : {}) },
          opts: { jobId: ids[i], attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      phases.queueMs = performance.now() - t;
      try {
        await outcome;
      } finally {
        cleanup();
      }
      phases.shardsMs = performance.now() - t;
      t = performance.now();
      const output = await this.engine.finalize(snapshot, input, merged, { onProgress: (f) => ctx.progress(f), signal: ctx.signal });
      phases.finalizeMs = performance.now() - t;
      this.logger.log({ msg: 'job phases', jobId, shards: shards.length, ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v * 10) / 10])) });
      return output;
    } catch (err) {
      if (ctx.signal.aborted) {
        await this.redis.set(cancelKey(jobId), '1', 'EX', 3600).catch(() => undefined);
      }
      throw err;
    } finally {
      await Promise.all(ids.map((id) => Job.fromId(this.queue, id).then((j) => j?.remove()).catch(() => undefined)));
      await this.redis.del(key).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events?.close(), this.queue.close(), this.redis.quit()]);
  }
}
