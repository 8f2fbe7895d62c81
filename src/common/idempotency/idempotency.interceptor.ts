import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, from, Observable, switchMap, throwError } from 'rxjs';
import type { Principal } from '../http/principal';
import { invalid, unprocessable } from '../errors/domain-error';
import { IdempotencyContext, IdempotencyRace, IdempotencyService, sha256, StoredResponse } from './idempotency.service';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Makes a POST route idempotent under the `Idempotency-Key` header (IETF draft
 * httpapi-idempotency-key-header): the first request runs and its response is stored in the
 * same transaction as its writes (the service calls IdempotencyService.remember); a retry with
 * the same key and the same request gets the stored status and body back without a second
 * write (`Idempotent-Replayed: true`); the same key with another request is refused with 422.
 * Two concurrent requests with one key: the loser's transaction rolls back and it replays the winner.
 * Requests without the header run normally.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly service: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal; idempotency?: IdempotencyContext }>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw invalid('invalid Idempotency-Key', [
        { field: 'idempotency-key', rule: 'idempotencyKey', message: 'Idempotency-Key must be 1-255 printable ASCII characters (a UUID is a good choice)' },
      ]);
    }
    const keyId = req.principal?.keyId ?? 'anonymous';
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null);
    const route = `${req.method} ${req.baseUrl ?? ''}${req.path}`;
    const claim: IdempotencyContext = {
      id: sha256(`${keyId}\n${key}`),
      keyId,
      fingerprint: sha256(`${route}\n${req.headers['content-type'] ?? ''}\n${body}`),
    };
    req.idempotency = claim;
    const replay = (record: StoredResponse | null) => {
      if (!record) throw new Error('idempotency record vanished');
      if (record.fingerprint !== claim.fingerprint) {
        throw unprocessable('this Idempotency-Key was used for a different request', [
          { field: 'idempotency-key', rule: 'sameRequest', message: 'reuse a key only to retry the identical request; send a new key for a new request' },
        ]);
      }
      res.status(record.statusCode);
      res.setHeader('Idempotent-Replayed', 'true');
      return JSON.parse(record.responseBody) as unknown;
    };
    return from(this.service.find(claim.id)).pipe(
      switchMap((existing) => {
        if (existing) return from([replay(existing)]);
        return next.handle().pipe(
          catchError((err) => (err instanceof IdempotencyRace ? from(this.service.find(claim.id)).pipe(switchMap((r) => from([replay(r)]))) : throwError(() => err))),
        );
      }),
    );
  }
}
