import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { AuthModule } from '../auth/auth.module';
import { GraphModule } from '../graph/graph.module';
import { WeaponsModule } from '../weapons/weapons.module';
import { Report } from './report.entity';
import { ReportsController } from './reports.controller';
import { ReportsEvents } from './reports.events';
import { ReportsService } from './reports.service';
import { ReportWriter } from './report-writer';
import { EvidenceVersions } from './evidence-versions';

/**
 * Spread reports (single, bulk JSON/CSV; STIX 2.1 is src/stix over this module). Exports ReportsService
 * (reading: evidenceFor, visibleCurrentFor, the TAXII collection's pages), ReportWriter (insertWithin, writeWithin), ReportsEvents (onEvidenceChanged) and EvidenceVersions
 * (for read caches) to other modules.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Report]), IdempotencyModule, AuthModule, GraphModule, WeaponsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportWriter, ReportsEvents, EvidenceVersions],
  exports: [ReportsService, ReportWriter, ReportsEvents, EvidenceVersions],
})
export class ReportsModule {}
