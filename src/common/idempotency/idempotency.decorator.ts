import { applyDecorators, createParamDecorator, ExecutionContext, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import type { IdempotencyContext } from './idempotency.service';

/** Marks a POST route idempotent under the `Idempotency-Key` header (documented in OpenAPI). */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'retry safely: the same key and request return the original response without a second write (kept at least 24 h); the same key with another request is a 422',
    }),
    ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'Idempotency-Key reused with a different request, or references that do not resolve' }),
  );

/** The request's idempotency claim (null without the header): pass it to IdempotencyService.remember inside the write. */
export const IdempotencyClaim = createParamDecorator((_: unknown, ctx: ExecutionContext): IdempotencyContext | null => {
  return ctx.switchToHttp().getRequest().idempotency ?? null;
});
