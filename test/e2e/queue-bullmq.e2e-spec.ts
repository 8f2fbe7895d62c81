/**
 * JOB_QUEUE=bullmq: an assessment split into shards on Redis, run by two shard workers, merged
 * exactly (every run index once), progress throughout, cancellation reaching the workers.
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379): without it this test FAILS, it does not skip.
 */
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { SHARD_QUEUE, redisOptions } from '../../src/jobs/queue-names';
import { startWorker } from '../../src/jobs/worker';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function requireRedis(): Promise<void> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is required for the BullMQ queue test and is not reachable at ${REDIS_URL} (${(err as Error).message}). Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
  } finally {
    redis.disconnect();
  }
}

describe('assessments on a BullMQ queue with shard workers', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const engine = new ScriptedEngine();
  const workers: Array<{ close: () => Promise<void> }> = [];
  const workerEngines = [new ScriptedEngine(), new ScriptedEngine()];

  beforeAll(async () => {
    await requireRedis();
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    await queue.obliterate({ force: true });
    await queue.close();
    app = await createScriptedApp(engine, { queue: 'bullmq', redisUrl: REDIS_URL, shardRuns: 100 });
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    for (const e of workerEngines) workers.push(await startWorker({ ...process.env, REDIS_URL, LOG_LEVEL: 'error' }, e));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await app?.close();
  });

  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const res = await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200);
      if (res.body.status === status) return res.body;
      if (['failed', 'cancelled', 'done'].includes(res.body.status)) throw new Error(`ended ${res.body.status}: ${JSON.stringify(res.body.error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never reached ${status}`);
  };

  it('splits the runs into shards for both workers, shows progress, and merges every run exactly once', async () => {
    engine.durationMs = 0;
    for (const e of workerEngines) e.durationMs = 400;
    const { body } = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 1050 }).expect(202);
    expect(body.runner).toBe('bullmq');
    const seen: number[] = [];
    for (;;) {
      const s = (await http.get(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200)).body;
      seen.push(s.progress);
      if (s.status === 'done') break;
      if (s.status === 'failed') throw new Error(JSON.stringify(s.error));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(seen.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(2);
    expect(workerEngines[0].shardCalls).toBeGreaterThan(0);
    expect(workerEngines[1].shardCalls).toBeGreaterThan(0);
    expect(workerEngines[0].shardCalls + workerEngines[1].shardCalls).toBe(11);
    const csv = (await http.get(`/v1/assessments/${body.id}/runs.csv`).set(auth(keys.a.researcher)).expect(200)).text;
    expect(csv.trim().split('\n').slice(1).map(Number)).toEqual(Array.from({ length: 1050 }, (_, i) => i));
  });

  it('cancels: the job ends cancelled and the workers stop taking its shards', async () => {
    for (const e of workerEngines) {
      e.durationMs = 1500;
      e.shardCalls = 0;
    }
    const { body } = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 2000 }).expect(202);
    await waitFor(body.id, 'running');
    await new Promise((r) => setTimeout(r, 300));
    await http.delete(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await http.get(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200)).body.status).toBe('cancelled');
    expect(workerEngines[0].shardCalls + workerEngines[1].shardCalls).toBeLessThan(20);
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    try {
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
