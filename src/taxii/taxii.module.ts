import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { json } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ReportsModule } from '../reports/reports.module';
import { TaxiiStatus } from './taxii-status.entity';
import { TaxiiController } from './taxii.controller';
import { TaxiiService } from './taxii.service';

/** TAXII 2.1 server over the reports (read under TLP) and a responders inbox (write). */
@Module({
  imports: [TypeOrmModule.forFeature([TaxiiStatus]), ReportsModule],
  controllers: [TaxiiController],
  providers: [TaxiiService],
})
export class TaxiiModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** TAXII envelopes are JSON under their own media type (application/json is parsed app-wide). */
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(json({ type: ['application/taxii+json'], limit: this.config.bodyLimit })).forRoutes({ path: 'taxii2/*path', method: RequestMethod.POST });
  }
}
