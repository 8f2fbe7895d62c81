import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager, LessThan, QueryFailedError } from 'typeorm';
import { DatabaseService } from '../../database/database.service';
import { insertNew, insertRows, isPostgres, selectIn } from '../../database/bulk-sql';
import { IdempotencyRecord } from './idempotency-record.entity';

/** Keys are kept at least this long (the issue asks for 24 h); older ones are purged hourly. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3_600_000;
const PURGE_EVERY_MS = 3_600_000;
const RECORD_COLUMNS = ['id', 'keyId', 'fingerprint', 'statusCode', 'responseBody', 'createdAt'] as const;

/** One request's idempotency claim: built by the interceptor, stored by the service's transaction. */
export interface IdempotencyContext {
  /** sha256(api key id, Idempotency-Key). */
  id: string;
  keyId: string;
  fingerprint: string;
}

/** What a replay needs of a stored response. */
export type StoredResponse = Pick<IdempotencyRecord, 'id' | 'fingerprint' | 'statusCode' | 'responseBody'>;

/** Thrown inside a transaction when another request with the same key committed first; the interceptor replays it. */
export class IdempotencyRace extends Error {
  constructor(readonly id: string) {
    super('a request with the same Idempotency-Key committed first');
  }
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const isUniqueViolation = (err: unknown) =>
  err instanceof QueryFailedError && /unique|duplicate key|SQLITE_CONSTRAINT/i.test(String((err as any).code ?? '') + ' ' + err.message);

@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private readonly lookups: { id: string; resolve: (r: StoredResponse | null) => void; reject: (err: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly db: DatabaseService) {}

  /**
   * The stored response of `id`, or null. Look-ups that arrive together (a burst of keyed single
   * posts) share one query, issued after all of them: each sees whatever committed before it asked.
   */
  find(id: string): Promise<StoredResponse | null> {
    return new Promise((resolve, reject) => {
      if (this.lookups.push({ id, resolve, reject }) === 1) setImmediate(() => void this.findWaiting());
    });
  }

  private async findWaiting(): Promise<void> {
    const batch = this.lookups.splice(0);
    try {
      const table = this.db.dataSource.getRepository(IdempotencyRecord).metadata.tableName;
      const rows = await this.db.read((m) => selectIn<StoredResponse>(m, table, ['id', 'fingerprint', 'statusCode', 'responseBody'], 'id', batch.map((l) => l.id)));
      const byId = new Map(rows.map((r) => [r.id, { ...r, statusCode: Number(r.statusCode) }]));
      for (const l of batch) l.resolve(byId.get(l.id) ?? null);
    } catch (err) {
      for (const l of batch) l.reject(err);
    }
  }

  /**
   * Stores the responses of several requests (a group commit) inside the caller's transaction,
   * in one statement, and returns the ids another request committed first: the caller must roll
   * back (its writes would repeat that request's) and let those requests replay. On PostgreSQL
   * the insert skips a key another transaction holds once that one commits (it waits for it);
   * on SQLite transactions are serialised, so a look-up first is exact.
   */
  async rememberMany(m: EntityManager, entries: readonly { context: IdempotencyContext; statusCode: number; body: unknown }[]): Promise<Set<string>> {
    if (!entries.length) return new Set();
    const table = m.getRepository(IdempotencyRecord).metadata.tableName;
    const createdAt = new Date();
    // Sorted: two groups holding the same keys wait on them in one order, never on each other.
    const rows = [...entries].sort((a, b) => (a.context.id < b.context.id ? -1 : 1)).map((e) => [
      e.context.id, e.context.keyId, e.context.fingerprint, e.statusCode, JSON.stringify(e.body), createdAt,
    ]);
    const ids = rows.map((r) => r[0] as string);
    if (isPostgres(m)) {
      const stored = await insertNew(m, table, RECORD_COLUMNS, rows, 'id');
      return new Set(ids.filter((id) => !stored.has(id)));
    }
    const taken = new Set((await selectIn<{ id: string }>(m, table, ['id'], 'id', ids)).map((r) => r.id));
    if (!taken.size) await insertRows(m, table, RECORD_COLUMNS, rows);
    return taken;
  }

  /**
   * Stores the response of `context`'s request inside the caller's transaction (call it last,
   * with the body the controller returns). If a request with the same key committed first this
   * throws IdempotencyRace, the transaction rolls back, and the interceptor replays the winner:
   * on PostgreSQL the insert waits on the primary key until the other transaction ends; on
   * SQLite transactions are serialised, so the check below sees any committed winner.
   */
  async remember(m: EntityManager, context: IdempotencyContext | null | undefined, statusCode: number, body: unknown): Promise<void> {
    if (!context) return;
    if (await m.existsBy(IdempotencyRecord, { id: context.id })) throw new IdempotencyRace(context.id);
    try {
      await m.insert(IdempotencyRecord, {
        id: context.id, keyId: context.keyId, fingerprint: context.fingerprint, statusCode,
        responseBody: JSON.stringify(body), createdAt: new Date(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new IdempotencyRace(context.id);
      throw err;
    }
  }

  /** Deletes records older than the retention period; returns how many. */
  async purge(now = Date.now()): Promise<number> {
    const result = await this.db.write((m) => m.delete(IdempotencyRecord, { createdAt: LessThan(new Date(now - IDEMPOTENCY_RETENTION_MS)) }));
    return result.affected ?? 0;
  }

  onApplicationBootstrap(): void {
    const run = () => this.purge().catch((err) => this.logger.warn({ msg: 'idempotency purge failed', error: String(err?.message ?? err) }));
    void run();
    this.timer = setInterval(run, PURGE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
