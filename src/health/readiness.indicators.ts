/**
 * What readiness checks beyond the database: Redis and the shard workers when jobs go to a
 * BullMQ queue (a queue nobody consumes would take jobs that never run; a worker counts while its
 * heartbeat is live and it is not draining), and the heartbeats of running jobs (a job whose
 * heartbeat is older than JOB_STALE_SECONDS lost its process).
 */
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import IORedis from 'ioredis';
import { redactUrl } from '../common/logging/redact-url';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { MONTE_CARLO_RUNNER, type MonteCarloRunner } from '../jobs/monte-carlo-runner';

const TIMEOUT_MS = 2_000;

@Injectable()
export class ReadinessIndicators implements OnModuleDestroy {
  private redis?: IORedis;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MONTE_CARLO_RUNNER) private readonly runner: MonteCarloRunner,
  ) {}

  get bullmq(): boolean {
    return this.config.jobs.queue === 'bullmq';
  }

  async redisUp() {
    const check = this.indicators.check('redis');
    try {
      this.redis ??= new IORedis(this.config.jobs.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
      if (this.redis.status === 'wait' || this.redis.status === 'end') await withTimeout(this.redis.connect(), TIMEOUT_MS);
      await withTimeout(this.redis.ping(), TIMEOUT_MS);
      return check.up({ url: redactUrl(this.config.jobs.redisUrl) });
    } catch (err) {
      return check.down({ url: redactUrl(this.config.jobs.redisUrl), message: String((err as Error)?.message ?? err) });
    }
  }

  /** The shard queue's depth and its workers (live heartbeats); down while none is ready. */
  async shardWorkers() {
    const check = this.indicators.check('queue');
    try {
      const readiness = await withTimeout(this.runner.readiness!(), TIMEOUT_MS);
      return readiness.ready
        ? check.up(readiness.queue)
        : check.down({ ...readiness.queue, message: 'no shard worker with a live heartbeat is ready (start src/jobs/worker.ts)' });
    } catch (err) {
      return check.down({ name: this.config.jobs.queueName, message: String((err as Error)?.message ?? err) });
    }
  }

  /** Running jobs and those whose heartbeat is stale (their process died; the scheduler requeues them). */
  async jobHeartbeats() {
    const check = this.indicators.check('jobs');
    const staleBefore = new Date(Date.now() - this.config.jobs.staleSeconds * 1000);
    const { running, stale } = await this.jobs.heartbeats(staleBefore);
    const info = { runner: this.config.jobs.queue, running, staleHeartbeats: stale, staleSeconds: this.config.jobs.staleSeconds };
    return stale === 0 ? check.up(info) : check.down({ ...info, message: `${stale} running job(s) without a heartbeat for ${this.config.jobs.staleSeconds} s` });
  }

  async onModuleDestroy() {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
