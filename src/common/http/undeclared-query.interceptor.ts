import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { invalid } from '../errors/domain-error';

/**
 * A /v1 route that reads no query parameters refuses any it is sent, as routes with a query DTO
 * refuse unknown ones (the ValidationPipe's whitelist): a misspelt filter is a 400, never silently
 * ignored.
 */
@Injectable()
export class UndeclaredQueryInterceptor implements NestInterceptor {
  private readonly readsQuery = new Map<Function, boolean>();

  intercept(context: ExecutionContext, next: CallHandler) {
    const request = context.switchToHttp().getRequest<Request>();
    const names = request.path.startsWith('/v1/') ? Object.keys(request.query ?? {}) : [];
    if (names.length && !this.declaresQuery(context)) {
      throw invalid(`this route takes no query parameters: ${names.join(', ')}`,
        names.map((field) => ({ field, rule: 'unknownProperty', message: `query parameter '${field}' is not allowed` })));
    }
    return next.handle();
  }

  private declaresQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.readsQuery.get(handler);
    if (reads === undefined) {
      const args: Record<string, unknown> = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
      reads = Object.keys(args).some((key) => Number(key.split(':')[0]) === RouteParamtypes.QUERY);
      this.readsQuery.set(handler, reads);
    }
    return reads;
  }
}
