/**
 * A shard worker for `JOB_QUEUE=bullmq`: takes shards of runs from the Redis queue, runs them
 * on this machine's worker threads and returns their partial aggregates. Needs only Redis (the
 * scenario travels through it), so any number of them can run on any number of machines:
 *
 *     REDIS_URL=redis://queue-host:6379 WORKER_THREADS=2 node dist/src/jobs/worker.js
 *     REDIS_URL=... node -r @swc-node/register src/jobs/worker.ts        (from the sources)
 *
 * Each worker takes one shard at a time (a shard already uses every thread it is given).
 * SIGTERM lets the current shard finish, then exits.
 */
import 'reflect-metadata';
import { UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { ScenarioSnapshot } from '../assessments/scenario-snapshot';
import { engineBinding as defaultBinding } from '../assessments/engine-binding';
import type { EngineBinding } from './monte-carlo-runner';
import { ConfigError, loadConfig } from '../config/app-config';
import { decode, decodeBuffer, encode } from './codec';
import { cancelKey, redisOptions, ShardJobData } from './queue-names';

let quiet = false;
const log = (fields: Record<string, unknown>, level: 'info' | 'error' = 'info') => {
  if (quiet && level !== 'error') return;
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, context: 'ShardWorker', ...fields }) + '\n');
};

export async function startWorker(
  env: NodeJS.ProcessEnv = process.env,
  engineBinding: EngineBinding & { close?: () => Promise<void> } = defaultBinding,
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const config = loadConfig(env);
  quiet = config.logLevel === 'error' || config.logLevel === 'warn';
  const url = config.jobs.redisUrl;
  const redis = new IORedis(url, { maxRetriesPerRequest: null });
  const cache = new Map<string, ScenarioSnapshot>();

  const loadSnapshot = async (key: string): Promise<ScenarioSnapshot> => {
    const hit = cache.get(key);
    if (hit) return hit;
    const buf = await redis.getBuffer(key);
    if (!buf) throw new Error(`scenario ${key} is gone from Redis (expired or the job was cancelled)`);
    const snapshot = decodeBuffer<ScenarioSnapshot>(buf);
    cache.set(key, snapshot);
    while (cache.size > 2) cache.delete(cache.keys().next().value!);
    return snapshot;
  };

  const worker = new Worker<ShardJobData, string>(
    config.jobs.queueName,
    async (job) => {
      const { jobId, snapshotKey, input, shard, proposal } = job.data;
      // A cancelled job's shards fail without retries.
      if (await redis.exists(cancelKey(jobId))) throw new UnrecoverableError('the job was cancelled');
      const snapshot = await loadSnapshot(snapshotKey);
      const controller = new AbortController();
      const watch = setInterval(async () => {
        if (await redis.exists(cancelKey(jobId)).catch(() => 0)) controller.abort(new Error('the job was cancelled'));
      }, 500);
      let last = 0;
      const started = Date.now();
      try {
        const partial = await engineBinding.runShard(snapshot, input, shard, {
          threads: config.workerThreads,
          signal: controller.signal,
          proposal: proposal === undefined ? undefined : decode(proposal),
          onProgress: (f) => {
            if (Date.now() - last < 250) return;
            last = Date.now();
            void job.updateProgress(Math.min(0.999, f)).catch(() => undefined);
          },
        });
        log({ msg: 'shard done', jobId, shard: shard.index, runs: shard.runCount, seconds: (Date.now() - started) / 1000 });
        return encode(partial);
      } catch (err) {
        if (controller.signal.aborted) throw new UnrecoverableError('the job was cancelled');
        throw err;
      } finally {
        clearInterval(watch);
      }
    },
    { connection: redisOptions(url), concurrency: 1, lockDuration: 60_000 },
  );
  worker.on('error', (err) => log({ msg: 'worker error', error: String(err?.message ?? err) }, 'error'));
  worker.on('failed', (job, err) => log({ msg: 'shard failed', id: job?.id, error: String(err?.message ?? err) }, err instanceof UnrecoverableError ? 'info' : 'error'));
  await worker.waitUntilReady();
  log({ msg: 'worker ready', queue: config.jobs.queueName, redis: url.replace(/\/\/[^@]*@/, '//***@'), threads: config.workerThreads ?? 'cores' });
  return {
    worker,
    close: async () => {
      await worker.close();
      await redis.quit().catch(() => undefined);
      await engineBinding.close?.();
    },
  };
}

if (require.main === module) {
  startWorker().then(
    ({ close }) => {
      let stopping = false;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (stopping) return;
          stopping = true;
          log({ msg: 'stopping', signal });
          close().then(() => process.exit(0), () => process.exit(1));
        });
      }
    },
    (err) => {
      process.stderr.write(`spillover worker: ${err instanceof ConfigError ? err.message : err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
