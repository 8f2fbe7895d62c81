import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, ERROR_STATUS, ErrorDetail } from './domain-error';
import type { ErrorResponseDto } from './error-response';

const REASON: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Errors thrown by body-parser before Nest sees the request carry a `type` and a `status`. */
function bodyParserError(err: any): { status: number; message: string; detail: ErrorDetail } | undefined {
  if (!err || typeof err.type !== 'string' || typeof err.status !== 'number') return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return { status: 400, message: 'request body is not valid JSON', detail: { field: 'body', rule: 'json', message: 'body is not valid JSON' } };
    case 'entity.too.large':
      return { status: 413, message: `request body exceeds the limit of ${err.limit} bytes`, detail: { field: 'body', rule: 'maxSize', message: `at most ${err.limit} bytes` } };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, message: err.message, detail: { field: 'content-type', rule: 'charset', message: err.message } };
    default:
      return { status: err.status >= 400 && err.status < 500 ? err.status : 400, message: 'malformed request body', detail: { field: 'body', rule: err.type, message: 'malformed request body' } };
  }
}

/**
 * Database refusals that are the client's doing. A unique key taken by a concurrent request is a
 * 409 (services insert rather than upsert, so the loser of a race is refused, never overwrites);
 * a PostgreSQL data exception (class 22: a value out of range or not encodable) that validation
 * let through is a 400 rather than a 500.
 */
function databaseRefusal(err: unknown): { status: number; message: string; detail: ErrorDetail } | undefined {
  if (!(err instanceof QueryFailedError)) return undefined;
  const e = err as QueryFailedError & { code?: string; detail?: string };
  const sqliteUnique = /UNIQUE constraint failed: \w+\.(\w+)/.exec(e.message);
  if (e.code === '23505' || sqliteUnique) {
    const field = sqliteUnique?.[1] ?? /^Key \(("?)([^,)"]+)\1/.exec(e.detail ?? '')?.[2] ?? 'id';
    return { status: 409, message: `${field} is already taken`, detail: { field, rule: 'unique', message: `another request took this ${field} first` } };
  }
  if (typeof e.code === 'string' && e.code.startsWith('22')) {
    return { status: 400, message: 'a value cannot be stored', detail: { field: 'body', rule: 'storable', message: 'a value is out of range or not storable' } };
  }
  return undefined;
}

export function toErrorResponse(exception: unknown): ErrorResponseDto {
  if (exception instanceof DomainError) {
    const statusCode = ERROR_STATUS[exception.code];
    return { statusCode, error: REASON[statusCode], message: exception.message, details: exception.details };
  }
  const parsed = bodyParserError(exception);
  if (parsed) return { statusCode: parsed.status, error: REASON[parsed.status] ?? 'Bad Request', message: parsed.message, details: [parsed.detail] };
  const refused = databaseRefusal(exception);
  if (refused) return { statusCode: refused.status, error: REASON[refused.status], message: refused.message, details: [refused.detail] };
  if (exception instanceof ThrottlerException) {
    return { statusCode: 429, error: REASON[429], message: 'rate limit exceeded, retry later', details: [{ field: 'authorization', rule: 'rateLimit', message: 'too many requests for this key' }] };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : Array.isArray((body as any).message) ? (body as any).message.join('; ') : String((body as any).message ?? exception.message);
    const details: ErrorDetail[] = Array.isArray((body as any).details) ? (body as any).details : [];
    if (statusCode === 404 && details.length === 0) details.push({ field: 'path', rule: 'route', message });
    return { statusCode, error: REASON[statusCode] ?? 'Error', message, details };
  }
  return { statusCode: 500, error: REASON[500], message: 'internal error; the request id in the X-Request-Id header identifies it in the logs', details: [] };
}

/** Maps every error to the one error shape; never a stack trace or SQL text in a response. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorResponse(exception);
    if (body.statusCode >= 500) {
      const err = exception as Error;
      this.logger.error({ msg: 'unhandled error', error: err?.message, stack: err?.stack, sql: exception instanceof QueryFailedError ? (exception as any).query : undefined });
    }
    if (response.headersSent) return;
    response.status(body.statusCode || HttpStatus.INTERNAL_SERVER_ERROR).json(body);
  }
}
