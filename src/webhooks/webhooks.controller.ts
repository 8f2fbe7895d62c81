import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiExampleResponse, ApiPathExample } from '../common/http/api-example';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CreateWebhookDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

/** A subscription as the API shows it (never its secret). */
const SUBSCRIPTION = {
  id: 'aa1238af-712a-4c1e-8fdd-3891fed796eb',
  organizationId: 'org-a',
  role: 'analyst',
  url: 'https://soc.example.org/spillover-hook',
  events: ['assessment.done'],
  entityIds: [],
  threshold: 0.5,
  createdAt: '2026-01-05T09:00:00.000Z',
};
const ID_EXAMPLE = ApiPathExample('id', SUBSCRIPTION.id, 'subscription id (UUID) from POST /v1/webhooks');

/** An organisation's webhook subscriptions (its own only; admins see all). */
@ApiTags('webhooks')
@ApiErrors()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Subscribe a URL with a secret to assessment.done, assessment.stale and early-warning (entityIds, threshold); deliveries carry what the subscribing key may see' })
  @ApiExampleResponse(201, SUBSCRIPTION, 'the subscription (without its secret)')
  create(@Body() body: CreateWebhookDto, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.subscribe(body, principal);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'The organisation\'s subscriptions' })
  @ApiExampleResponse(200, { items: [SUBSCRIPTION] })
  list(@CurrentPrincipal() principal: Principal) {
    return this.webhooks.list(principal);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Unsubscribe (pending deliveries are dropped)' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, SUBSCRIPTION, 'the removed subscription')
  remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.remove(id, principal);
  }

  @Get(':id/deliveries')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The delivery log: status, attempts, last HTTP status or error' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, {
    items: [{
      id: '5f0c3b2a-1d4e-4f6a-8b9c-0e1f2a3b4c5d', event: 'assessment.done', status: 'delivered', attempts: 1, nextAttemptAt: null,
      lastStatusCode: 204, lastError: null, createdAt: '2026-01-05T09:00:00.000Z', deliveredAt: '2026-01-05T09:00:01.000Z',
    }],
  })
  deliveries(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.deliveries(id, principal);
  }
}
