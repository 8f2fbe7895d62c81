import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { json } from 'express';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GraphModule } from '../graph/graph.module';
import { ReportsModule } from '../reports/reports.module';
import { WeaponsModule } from '../weapons/weapons.module';
import { StixController } from './stix.controller';
import { StixService } from './stix.service';
import { StixVersion } from './stix-version.entity';

/** STIX 2.1 bundles over the reports: import (sightings become reports) and export. Exports StixService (TAXII, MISP). */
@Module({
  imports: [TypeOrmModule.forFeature([StixVersion]), IdempotencyModule, AuthModule, GraphModule, WeaponsModule, ReportsModule],
  controllers: [StixController],
  providers: [StixService],
  exports: [StixService],
})
export class StixModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** STIX and TAXII media types are JSON: parse them on the import route (application/json is parsed app-wide). */
  configure(consumer: MiddlewareConsumer) {
    consumer
      .apply(json({ type: ['application/stix+json', 'application/taxii+json', 'application/vnd.oasis.stix+json'], limit: this.config.bodyLimit }))
      .forRoutes({ path: 'v1/reports/stix', method: RequestMethod.POST });
  }
}
