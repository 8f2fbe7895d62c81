import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { json } from 'express';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GraphModule } from '../graph/graph.module';
import { StixService } from '../stix/stix.service';
import { StixVersion } from '../stix/stix-version.entity';
import { WeaponsModule } from '../weapons/weapons.module';
import { Report } from './report.entity';
import { ReportsController } from './reports.controller';
import { ReportsEvents } from './reports.events';
import { ReportsService } from './reports.service';
import { EvidenceVersions } from './evidence-versions';

/**
 * Spread reports (single, bulk JSON/CSV, STIX 2.1 import and export). Exports ReportsService
 * (evidenceFor, insertWithin, writeWithin), ReportsEvents (onEvidenceChanged) and EvidenceVersions
 * (for read caches) to other modules.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Report, StixVersion]), IdempotencyModule, GraphModule, WeaponsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportsEvents, StixService, EvidenceVersions],
  exports: [ReportsService, ReportsEvents, StixService, EvidenceVersions],
})
export class ReportsModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** STIX and TAXII media types are JSON: parse them on the import route (application/json is parsed app-wide). */
  configure(consumer: MiddlewareConsumer) {
    consumer
      .apply(json({ type: ['application/stix+json', 'application/taxii+json', 'application/vnd.oasis.stix+json'], limit: this.config.bodyLimit }))
      .forRoutes({ path: 'v1/reports/stix', method: RequestMethod.POST });
  }
}
