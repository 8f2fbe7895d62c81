/**
 * GET /health (liveness, its contract unchanged) and GET /health/ready (readiness through
 * @nestjs/terminus): the database and job heartbeats; with JOB_QUEUE=bullmq also Redis and the
 * workers of the shard queue (their heartbeats), which turn it from 503 to 200 when a worker starts.
 * Needs Redis at REDIS_URL (default 127.0.0.1:6379): fails loudly without it.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { startWorker } from '../../src/jobs/worker';
import { createTestApp, request, testConfig } from './support/app';

jest.setTimeout(600_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('health and readiness', () => {
  describe('in-process jobs', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp();
    });
    afterAll(async () => app?.close());

    it('GET /health keeps its contract; /health/ready lists the database and job heartbeats, without a key', async () => {
      const http = request(app.getHttpServer());
      expect((await http.get('/health').expect(200)).body).toEqual({ status: 'ok', database: 'up' });
      const ready = await http.get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, jobs: { status: 'up', runner: 'in-process', running: 0, staleHeartbeats: 0 } },
      });
      expect(Object.keys(ready.body.info).sort()).toEqual(['database', 'jobs']);
    });
  });

  describe('BullMQ jobs', () => {
    let app: INestApplication;
    const queueName = `health-${randomUUID()}`;
    beforeAll(async () => {
      app = await createTestApp({ jobs: { ...testConfig().jobs, queue: 'bullmq', redisUrl: REDIS_URL, queueName } });
    });
    afterAll(async () => app?.close());

    it('is not ready until a worker listens on the queue; Redis is checked and its URL shown without a password', async () => {
      const http = request(app.getHttpServer());
      const before = await http.get('/health/ready').expect(503);
      expect(before.body.info.redis).toMatchObject({ status: 'up' });
      expect(before.body.error.queue).toMatchObject({ status: 'down', name: queueName, workers: [] });
      const worker = await startWorker({ ...process.env, REDIS_URL, JOB_QUEUE_NAME: queueName, LOG_LEVEL: 'error' });
      try {
        const after = await http.get('/health/ready').expect(200);
        expect(after.body.info.queue).toMatchObject({ status: 'up', name: queueName, waiting: 0 });
        expect(after.body.info.queue.workers).toHaveLength(1);
      } finally {
        await worker.close();
      }
    });
  });
});
