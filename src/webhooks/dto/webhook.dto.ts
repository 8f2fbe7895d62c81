import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { SLUG } from '../../domain/ids';
import { WEBHOOK_EVENTS } from '../webhook.entity';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://soc.example.org/spillover-hook' })
  @IsString() @MaxLength(2000) @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http or https URL' })
  url: string;

  @ApiProperty({ minLength: 16, maxLength: 200, example: 'a-long-random-shared-secret-0123456789', description: 'HMAC-SHA256 key of the X-Spillover-Signature header; never returned' })
  @IsString() @MinLength(16) @MaxLength(200)
  secret: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['assessment.done'] })
  @IsArray() @ArrayMinSize(1) @IsIn(WEBHOOK_EVENTS, { each: true })
  events: string[];

  @ApiPropertyOptional({ type: [String], description: 'early-warning: the organisation\'s own entities to watch' })
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @Matches(SLUG, { each: true, message: 'each entity id must be a slug' })
  entityIds?: string[];

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5, description: 'early-warning: notify when an entity\'s probability of infection within the horizon reaches this' })
  @IsOptional() @IsNumber() @Min(0) @Max(1)
  threshold?: number;
}
