/**
 * GET /health/ready: in-process, ready with the database; with JOB_QUEUE=bullmq, ready only while
 * a shard worker's heartbeat is live (the queue's depth and workers listed), 503 without one or
 * when it drains. Needs Redis (REDIS_URL): without it this test FAILS, it does not skip.
 */
import { INestApplication } from '@nestjs/common';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { heartbeatKey, WorkerBeat } from '../../src/jobs/queue-names';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { request } from './support/app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('GET /health/ready', () => {
  it('in-process: ready when the database answers, no queue', async () => {
    const app = await createScriptedApp(new ScriptedEngine());
    try {
      const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, jobs: { status: 'up', runner: 'in-process' } } });
      expect(res.body.info.queue).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  describe('bullmq', () => {
    const queueName = `spillover-shards-test-${randomUUID()}`;
    let app: INestApplication;
    let redis: IORedis;
    const beat = (state: WorkerBeat['state']): WorkerBeat => ({ id: 'w1', host: 'h', pid: 1, threads: 1, startedAt: new Date().toISOString(), state, shard: null, shardsDone: 3, at: new Date().toISOString() });

    beforeAll(async () => {
      redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect().catch((err) => {
        throw new Error(`Redis is required and is not reachable at ${REDIS_URL} (${err.message})`);
      });
      app = await createScriptedApp(new ScriptedEngine(), { queue: 'bullmq', redisUrl: REDIS_URL, queueName });
    });
    afterAll(async () => {
      await redis?.del(heartbeatKey(queueName, 'w1'));
      redis?.disconnect();
      await app?.close();
    });

    it('503 without a live worker; 200 with its heartbeat, listing it and the queue depth; 503 while it drains', async () => {
      const http = request(app.getHttpServer());
      const none = await http.get('/health/ready').expect(503);
      expect(none.body).toMatchObject({ status: 'error', info: { database: { status: 'up' } }, error: { queue: { status: 'down', name: queueName, waiting: 0, workers: [] } } });
      await redis.set(heartbeatKey(queueName, 'w1'), JSON.stringify(beat('idle')), 'EX', 15);
      const one = await http.get('/health/ready').expect(200);
      expect(one.body).toMatchObject({ status: 'ok', info: { queue: { status: 'up', name: queueName, waiting: 0, active: 0, failed: 0, workers: [{ id: 'w1', state: 'idle', shardsDone: 3 }] } } });
      await redis.set(heartbeatKey(queueName, 'w1'), JSON.stringify(beat('draining')), 'EX', 15);
      expect((await http.get('/health/ready').expect(503)).body.error.queue.workers[0].state).toBe('draining');
    });
  });
});
