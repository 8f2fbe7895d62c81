import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { engineBinding } from './engine-binding';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { BullMqRunner } from './bullmq.runner';
import { InProcessRunner } from './in-process.runner';
import { JobSchedulerService } from './job-scheduler.service';
import { Job, JobResultPart } from './job.entity';
import { JobsService } from './jobs.service';
import { ENGINE_BINDING, EngineBinding, MONTE_CARLO_RUNNER, MonteCarloRunner } from './monte-carlo-runner';

/** The job rows, the scheduler and the runner chosen by JOB_QUEUE (in-process worker threads, or BullMQ shards). */
@Module({
  imports: [TypeOrmModule.forFeature([Job, JobResultPart]), ConfigModule],
  providers: [
    JobSchedulerService,
    JobsService,
    { provide: ENGINE_BINDING, useValue: engineBinding },
    {
      provide: MONTE_CARLO_RUNNER,
      inject: [ENGINE_BINDING, APP_CONFIG],
      useFactory: (engine: EngineBinding, config: AppConfig): MonteCarloRunner =>
        config.jobs.queue === 'bullmq'
          ? new BullMqRunner(engine, config.jobs.redisUrl, config.jobs.queueName, config.jobs.shardRuns, config.workerThreads, config.jobs.pilotSliceRuns)
          : new InProcessRunner(engine, config.workerThreads),
    },
  ],
  exports: [JobSchedulerService, JobsService, MONTE_CARLO_RUNNER, ENGINE_BINDING],
})
export class JobsModule implements OnApplicationShutdown {
  constructor(
    @Inject(MONTE_CARLO_RUNNER) private readonly runner: MonteCarloRunner & { close?: () => Promise<void> },
    @Inject(ENGINE_BINDING) private readonly engine: EngineBinding & { close?: () => Promise<void> },
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runner.close?.();
    await this.engine.close?.();
  }
}
