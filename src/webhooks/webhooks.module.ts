import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssessmentsModule } from '../assessments/assessments.module';
import { WebhookDelivery, WebhookSubscription } from './webhook.entity';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks of assessment events from a database outbox (SQLite and PostgreSQL alike). */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery]), AssessmentsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
  exports: [WebhooksService],
})
export class WebhooksModule {}
