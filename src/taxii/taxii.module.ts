import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { json } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AssessmentsModule } from '../assessments/assessments.module';
import { GraphModule } from '../graph/graph.module';
import { JobsModule } from '../jobs/jobs.module';
import { ReportsModule } from '../reports/reports.module';
import { ResultsModule } from '../results/results.module';
import { StixModule } from '../stix/stix.module';
import { WeaponsModule } from '../weapons/weapons.module';
import { TaxiiStatus } from './taxii-status.entity';
import { EstimatesService } from './estimates.service';
import { EstimatesController, TaxiiController } from './taxii.controller';
import { TaxiiService } from './taxii.service';

/** TAXII 2.1 server over the reports (read under TLP), a responders inbox (write) and published estimates (read); estimates as STIX bundles. */
@Module({
  imports: [TypeOrmModule.forFeature([TaxiiStatus]), ReportsModule, StixModule, AssessmentsModule, ResultsModule, GraphModule, JobsModule, WeaponsModule],
  controllers: [TaxiiController, EstimatesController],
  providers: [TaxiiService, EstimatesService],
})
export class TaxiiModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** TAXII envelopes are JSON under their own media type (application/json is parsed app-wide). */
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(json({ type: ['application/taxii+json'], limit: this.config.bodyLimit })).forRoutes({ path: 'taxii2/*path', method: RequestMethod.POST });
  }
}
