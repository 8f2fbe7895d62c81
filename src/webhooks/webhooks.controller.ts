import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CreateWebhookDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

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
  @ApiCreatedResponse({ description: 'the subscription (without its secret)' })
  create(@Body() body: CreateWebhookDto, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.subscribe(body, principal);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'The organisation\'s subscriptions' })
  list(@CurrentPrincipal() principal: Principal) {
    return this.webhooks.list(principal);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Unsubscribe (pending deliveries are dropped)' })
  remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.remove(id, principal);
  }

  @Get(':id/deliveries')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The delivery log: status, attempts, last HTTP status or error' })
  deliveries(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.deliveries(id, principal);
  }
}
