import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ConfigModule } from '../config/config.module';
import { JobsModule } from '../jobs/jobs.module';
import { ModelsModule } from '../models/models.module';
import { ReportsModule } from '../reports/reports.module';
import { Assessment, AssessmentResultPart } from '../jobs/job.entity';
import { AssessmentsController, MyEarlyWarningController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';
import { EvidenceSource } from './evidence-source';
import { SimulationsController } from './simulations.controller';
import { SimulationsService } from './simulations.service';

@Module({
  imports: [TypeOrmModule.forFeature([Assessment, AssessmentResultPart]), AuditModule, ConfigModule, JobsModule, ModelsModule, ReportsModule],
  controllers: [AssessmentsController, MyEarlyWarningController, SimulationsController],
  providers: [AssessmentsService, EvidenceSource, SimulationsService],
  exports: [AssessmentsService],
})
export class AssessmentsModule {}
