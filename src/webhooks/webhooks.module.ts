import { AssessmentsModule } from '../assessments/assessments.module';
import { GraphModule } from '../graph/graph.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResultsModule } from '../results/results.module';
import { WebhookDelivery, WebhookSubscription } from './webhook.entity';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks of assessment events from a database outbox (SQLite and PostgreSQL alike). */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery]), AssessmentsModule, GraphModule, ResultsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
  exports: [WebhooksService],
})
export class WebhooksModule {}
