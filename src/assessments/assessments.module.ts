import { WeaponsModule } from '../weapons/weapons.module';
import { GraphModule } from '../graph/graph.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ConfigModule } from '../config/config.module';
import { JobsModule } from '../jobs/jobs.module';
import { ModelsModule } from '../models/models.module';
import { ReportsModule } from '../reports/reports.module';
import { ResultsModule } from '../results/results.module';
import { AssessmentEvidence } from './assessment-evidence.entity';
import { AssessmentsController, MyEarlyWarningController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';
import { EvidenceSource } from './evidence-source';

@Module({
  imports: [TypeOrmModule.forFeature([AssessmentEvidence]), AuditModule, ConfigModule, GraphModule, JobsModule, ModelsModule, ReportsModule, ResultsModule, WeaponsModule],
  controllers: [AssessmentsController, MyEarlyWarningController],
  providers: [AssessmentsService, EvidenceSource],
  exports: [AssessmentsService],
})
export class AssessmentsModule {}
