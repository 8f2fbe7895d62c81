/**
 * A shard worker for `JOB_QUEUE=bullmq`: takes shards of runs from the Redis queue, runs them
 * and returns their partial aggregates. Needs only Redis (the scenario travels through it), so
 * any number of them can run on any number of machines (docs/deploy/Procfile):
 *
 *     REDIS_URL=redis://queue-host:6379 WORKER_THREADS=1 node dist/src/jobs/worker.js
 *     REDIS_URL=... node -r @swc-node/register src/jobs/worker.ts        (from the sources)
 *
 * The queue also carries slices of the jobs' sampler pilots ('pilot' jobs, a few dozen pilot runs
 * each, queued by the coordinator before the shards); a worker runs them as it runs shards.
 *
 * Each worker takes one shard at a time (a shard already uses every thread it is given) and
 * runs it off its main thread (shard-off-thread.ts), which keeps renewing the shard's lock,
 * writing the worker's heartbeat to Redis (read by the API's GET /health/ready) and watching
 * for cancellation. A worker that dies loses its lock; the shard goes back to the queue for
 * another worker (JOB_SHARD_LOCK_SECONDS). SIGTERM drains: no new shard, the current one
 * finishes, or after WORKER_DRAIN_SECONDS is handed back to the queue; then the process exits.
 */
import 'reflect-metadata';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ScenarioSnapshot } from '../domain/records';
import type { EngineBinding } from './monte-carlo-runner';
import { ConfigError, loadConfig } from '../config/app-config';
import { decode, decodeSnapshot, encode, encodePartial } from './codec';
import { PilotRequest, ShardRequest, ShardThread } from './shard-off-thread';
import type { ShardTiming } from './shard.worker';
import { cancelKey, heartbeatKey, HEARTBEAT_SECONDS, partialKey, QueueJobData, redisOptions, WorkerBeat } from './queue-names';

let quiet = false;
const log = (fields: Record<string, unknown>, level: 'info' | 'error' = 'info') => {
  if (quiet && level !== 'error') return;
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, context: 'ShardWorker', ...fields }) + '\n');
};

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** A partial nobody read (its coordinator died) expires after a day, as the job's snapshot does. */
const PARTIAL_TTL_SECONDS = 86_400;

/** Runs one shard (or a slice of a job's pilot) and returns its partial (encodePartial's bytes), or the slice's codec-encoded rows. */
type RunShard = (req: ShardRequest | PilotRequest) => Promise<string | Uint8Array>;

/** A binding in this process (tests hand in scripted or instrumented ones): shards run on the main thread's event loop. */
function inProcess(binding: EngineBinding, redis: IORedis, threads: number | undefined): RunShard {
  // One job's snapshot, as the shard thread keeps one job's model (shard.worker.ts).
  let cache: { key: string; snapshot: ScenarioSnapshot } | null = null;
  const load = async (key: string): Promise<ScenarioSnapshot> => {
    if (cache?.key === key) return cache.snapshot;
    cache = null;
    const buf = await redis.getBuffer(key);
    if (!buf) throw new Error(`scenario ${key} is gone from Redis (expired or the job was cancelled)`);
    cache = { key, snapshot: decodeSnapshot(buf) };
    return cache.snapshot;
  };
  return async (req) => {
    if ('pilot' in req) {
      if (!binding.pilotSlice) throw new Error('this worker\'s engine runs no pilot slices');
      return encode(await binding.pilotSlice(await load(req.snapshotKey), req.input, decode<Float64Array>(req.pilot.z), req.pilot.base, { signal: req.signal }));
    }
    const { snapshotKey, input, shard, proposal, onProgress, signal } = req;
    return encodePartial(await binding.runShard(await load(snapshotKey), input, shard, { threads, signal, onProgress, proposal: proposal === undefined ? undefined : decode(proposal) }));
  };
}

export async function startWorker(
  env: NodeJS.ProcessEnv = process.env,
  /** Omitted: the real engine, on a thread of the worker's own. */
  engineBinding?: EngineBinding & { close?: () => Promise<void> },
): Promise<{ worker: Worker; id: string; drain: () => Promise<void>; close: () => Promise<void> }> {
  const config = loadConfig(env);
  quiet = config.logLevel === 'error' || config.logLevel === 'warn';
  const url = config.jobs.redisUrl;
  const queueName = config.jobs.queueName;
  const redis = new IORedis(url, { maxRetriesPerRequest: null });
  /** The last snapshot fetched from Redis (for the shard log): its key, ms and bytes. */
  let fetched = { key: '', ms: 0, bytes: 0 };
  const snapshotBuffer = async (key: string) => {
    const t = performance.now();
    const buf = await redis.getBuffer(key);
    if (!buf) throw new Error(`scenario ${key} is gone from Redis (expired or the job was cancelled)`);
    fetched = { key, ms: performance.now() - t, bytes: buf.length };
    return buf;
  };
  // One thread: the engine runs the shard on it (no pool to start per shard); more: the engine's pool.
  const thread = engineBinding ? undefined : new ShardThread(snapshotBuffer, config.workerThreads === 1 ? 0 : (config.workerThreads ?? 0));
  const runShard: RunShard = engineBinding ? inProcess(engineBinding, redis, config.workerThreads) : (req) => thread!.run(req);
  // Loading the engine into the thread takes about a second from the sources: before taking
  // work, not in the first job's pilot, where the coordinator waits for it.
  await thread?.start();

  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const beat: WorkerBeat = { id, host: hostname(), pid: process.pid, threads: config.workerThreads ?? null, startedAt: new Date().toISOString(), state: 'idle', shard: null, shardsDone: 0, at: '' };
  const writeBeat = () => {
    beat.at = new Date().toISOString();
    return redis.set(heartbeatKey(queueName, id), JSON.stringify(beat), 'EX', HEARTBEAT_SECONDS * 3).catch(() => undefined);
  };
  /** When this worker last finished a shard (ms since the epoch; 0: none yet). */
  let lastDone = 0;
  /** Aborts the running shard so it is handed back (drain deadline passed). */
  let handBack: (() => void) | null = null;

  const worker = new Worker<QueueJobData, string>(
    queueName,
    async (job, token) => {
      const data = job.data;
      const { jobId, snapshotKey, input } = data;
      const what = 'pilot' in data ? { slice: data.pilot.base } : { shard: data.shard.index };
      // A cancelled job's shards fail without retries.
      if (await redis.exists(cancelKey(jobId))) throw new UnrecoverableError('the job was cancelled');
      const controller = new AbortController();
      let handedBack = false;
      handBack = () => {
        handedBack = true;
        controller.abort(new Error('handed back while draining'));
      };
      const watch = setInterval(async () => {
        if (await redis.exists(cancelKey(jobId)).catch(() => 0)) controller.abort(new Error('the job was cancelled'));
      }, 500);
      beat.state = beat.state === 'draining' ? 'draining' : 'running';
      beat.shard = job.id ?? null;
      void writeBeat();
      let last = 0;
      const started = Date.now();
      let timing: ShardTiming | undefined;
      try {
        if ('pilot' in data) {
          // A slice of the job's pilot: a few dozen pilot runs (on the shard thread), answered as rows.
          const rows = (await runShard({ snapshotKey, input, pilot: data.pilot, signal: controller.signal, onTiming: (t) => (timing = t) })) as string;
          const fetch = fetched.key === snapshotKey && fetched.ms > 0 ? fetched : undefined;
          if (fetch) fetched = { key: snapshotKey, ms: 0, bytes: 0 };
          log({
            msg: 'pilot slice done',
            jobId,
            base: data.pilot.base,
            seconds: (Date.now() - started) / 1000,
            queuedMs: started - job.timestamp,
            idleMs: lastDone ? started - lastDone : null,
            fetchMs: fetch ? round1(fetch.ms) : 0,
            snapshotBytes: fetch?.bytes ?? 0,
            ...(timing ? { decodeMs: round1(timing.decodeMs), prepareMs: round1(timing.prepareMs), runMs: round1(timing.runMs) } : {}),
          });
          lastDone = Date.now();
          return rows;
        }
        const { shard, proposal } = data;
        const partial = await runShard({
          snapshotKey,
          input,
          shard,
          proposal,
          signal: controller.signal,
          onTiming: (t) => (timing = t),
          onProgress: (f) => {
            if (Date.now() - last < 250) return;
            last = Date.now();
            void job.updateProgress(Math.min(0.999, f)).catch(() => undefined);
          },
        });
        // The answer is where the partial waits (queue-names.ts partialKey): a retried shard
        // writes the same bytes under the same key.
        const key = partialKey(job.id!);
        const stored = performance.now();
        const bytes = partial as Uint8Array;
        await redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', PARTIAL_TTL_SECONDS);
        const storeMs = performance.now() - stored;
        beat.shardsDone++;
        const fetch = fetched.key === snapshotKey && fetched.ms > 0 ? fetched : undefined;
        if (fetch) fetched = { key: snapshotKey, ms: 0, bytes: 0 };
        log({
          msg: 'shard done',
          jobId,
          shard: shard.index,
          runs: shard.runCount,
          seconds: (Date.now() - started) / 1000,
          // Where the time went (ms): waiting in the queue since the shard was added, idle since this
          // worker's previous shard, the snapshot's fetch (first shard of a job), the thread's steps.
          queuedMs: started - job.timestamp,
          idleMs: lastDone ? started - lastDone : null,
          fetchMs: fetch ? round1(fetch.ms) : 0,
          snapshotBytes: fetch?.bytes ?? 0,
          ...(timing ? { decodeMs: round1(timing.decodeMs), prepareMs: round1(timing.prepareMs), runMs: round1(timing.runMs), encodeMs: round1(timing.encodeMs), partialBytes: timing.partialBytes } : {}),
          storeMs: round1(storeMs),
        });
        lastDone = Date.now();
        return key;
      } catch (err) {
        if (handedBack) {
          // Back to waiting without using up an attempt: another worker runs it from the start.
          await job.moveToWait(token);
          log({ msg: 'pilot' in data ? 'pilot slice handed back' : 'shard handed back', jobId, ...what });
          throw new WaitingError();
        }
        if (controller.signal.aborted) throw new UnrecoverableError('the job was cancelled');
        throw err;
      } finally {
        clearInterval(watch);
        handBack = null;
        beat.shard = null;
        if (beat.state === 'running') beat.state = 'idle';
        void writeBeat();
      }
    },
    {
      connection: redisOptions(url),
      concurrency: 1,
      // The lock is renewed every half of it by this (free) main thread; a dead worker's shard is
      // found by the stalled check, which runs as often.
      lockDuration: config.jobs.shardLockSeconds * 1000,
      stalledInterval: config.jobs.shardLockSeconds * 1000,
      // A shard that stalls twice (its workers died twice) fails the job rather than loop.
      maxStalledCount: 2,
    },
  );
  worker.on('error', (err) => log({ msg: 'worker error', error: String(err?.message ?? err) }, 'error'));
  worker.on('failed', (job, err) => log({ msg: job?.name === 'pilot' ? 'pilot slice failed' : 'shard failed', id: job?.id, error: String(err?.message ?? err) }, err instanceof UnrecoverableError ? 'info' : 'error'));
  await worker.waitUntilReady();
  await writeBeat();
  const heartbeat = setInterval(writeBeat, HEARTBEAT_SECONDS * 1000);
  log({ msg: 'worker ready', id, queue: queueName, redis: url.replace(/\/\/[^@]*@/, '//***@'), threads: config.workerThreads ?? 'cores' });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      await worker.close();
      thread?.stop();
      await redis.del(heartbeatKey(queueName, id)).catch(() => undefined);
      await redis.quit().catch(() => undefined);
      await engineBinding?.close?.();
    })());
  /** Takes no new shard; lets the running one finish for `drainSeconds`, then hands it back; closes. */
  const drain = async () => {
    beat.state = 'draining';
    await writeBeat();
    const deadline = setTimeout(() => handBack?.(), config.jobs.drainSeconds * 1000);
    try {
      await close();
    } finally {
      clearTimeout(deadline);
    }
  };
  return { worker, id, drain, close };
}

if (require.main === module) {
  startWorker().then(
    ({ drain }) => {
      let stopping = false;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (stopping) return;
          stopping = true;
          log({ msg: 'draining', signal });
          drain().then(() => {
            log({ msg: 'stopped' });
            process.exit(0);
          }, () => process.exit(1));
        });
      }
    },
    (err) => {
      process.stderr.write(`spillover worker: ${err instanceof ConfigError ? err.message : err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
