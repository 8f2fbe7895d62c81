import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JobsModule } from '../jobs/jobs.module';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness.indicators';

@Module({ imports: [TerminusModule, JobsModule], controllers: [HealthController], providers: [ReadinessIndicators] })
export class HealthModule {}
