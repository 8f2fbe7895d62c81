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

export function toErrorResponse(exception: unknown): ErrorResponseDto {
  if (exception instanceof DomainError) {
    const statusCode = ERROR_STATUS[exception.code];
    return { statusCode, error: REASON[statusCode], message: exception.message, details: exception.details };
  }
  const parsed = bodyParserError(exception);
  if (parsed) return { statusCode: parsed.status, error: REASON[parsed.status] ?? 'Bad Request', message: parsed.message, details: [parsed.detail] };
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
