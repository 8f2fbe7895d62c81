import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/principal';
import { DatabaseService } from '../database/database.service';
import { MONTE_CARLO_RUNNER, type MonteCarloRunner } from '../jobs/monte-carlo-runner';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DatabaseService,
    @Inject(MONTE_CARLO_RUNNER) private readonly runner: MonteCarloRunner,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability (no auth)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up' } } })
  @ApiServiceUnavailableResponse({ schema: { example: { status: 'error', database: 'down' } } })
  async check(@Res({ passthrough: true }) res: Response) {
    if (await this.databaseUp()) return { status: 'ok', database: 'up' };
    res.status(503);
    return { status: 'error', database: 'down' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness to run assessments (no auth): the database, and with JOB_QUEUE=bullmq the shard queue (depth by state) and the shard workers whose heartbeat is live; 503 when the database is down or no worker is ready',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up', runner: 'bullmq', queue: { name: 'spillover-shards', waiting: 0, active: 1, delayed: 0, failed: 0, workers: [{ id: 'host:4242:1a2b3c4d', state: 'running', shard: 'job-1', shardsDone: 12 }] } } } })
  @ApiServiceUnavailableResponse({ schema: { example: { status: 'error', database: 'up', runner: 'bullmq', queue: null } } })
  async ready(@Res({ passthrough: true }) res: Response) {
    const database = (await this.databaseUp()) ? 'up' : 'down';
    // In-process: this process runs the jobs itself. BullMQ: Redis must answer and a worker live.
    const readiness = this.runner.readiness ? await withTimeout(this.runner.readiness(), 2_000).catch(() => null) : null;
    const ok = database === 'up' && (!this.runner.readiness || !!readiness?.ready);
    if (!ok) res.status(503);
    return { status: ok ? 'ok' : 'error', database, runner: this.runner.kind, queue: readiness?.queue ?? null };
  }

  private async databaseUp(): Promise<boolean> {
    try {
      if (!this.db.dataSource.isInitialized) return false;
      await withTimeout(this.db.read((m) => m.query('SELECT 1')), 2_000);
      return true;
    } catch {
      return false;
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
