import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { ReadinessIndicators } from './readiness.indicators';

const DB_TIMEOUT_MS = 2_000;

/**
 * `GET /health`: liveness with the database (its answer is a contract: `{status, database}`);
 * `GET /health/ready`: readiness through @nestjs/terminus: the database, Redis and connected
 * workers when jobs go to BullMQ, and running jobs' heartbeats. Both without auth.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly readiness: ReadinessIndicators,
    private readonly db: DatabaseService,
  ) {}

  private database() {
    return this.typeorm.pingCheck('database', { connection: this.db.dataSource, timeout: DB_TIMEOUT_MS });
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability (no auth)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up' } } })
  @ApiServiceUnavailableResponse({ schema: { example: { status: 'error', database: 'down' } } })
  async check(@Res({ passthrough: true }) res: Response) {
    let up = false;
    try {
      up = this.db.dataSource.isInitialized && (await this.database()).database.status === 'up';
    } catch {
      up = false;
    }
    if (up) return { status: 'ok', database: 'up' };
    res.status(503);
    return { status: 'error', database: 'down' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: database; with JOB_QUEUE=bullmq Redis, the shard queue depth and its workers with a live heartbeat; running jobs\' heartbeats (no auth; 503 when any is down)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', info: { database: { status: 'up' }, jobs: { status: 'up', runner: 'in-process', running: 0, staleHeartbeats: 0 } }, error: {}, details: {} } } })
  @ApiServiceUnavailableResponse({ description: "terminus's answer with status 'error' and the failing checks under `error`" })
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: HealthIndicatorFunction[] = [async () => this.database(), () => this.readiness.jobHeartbeats()];
    if (this.readiness.bullmq) checks.push(() => this.readiness.redisUp(), () => this.readiness.shardWorkers());
    try {
      return await this.health.check(checks);
    } catch (err) {
      // terminus's own answer (which checks failed, and why), not the API's error shape
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
  }
}
