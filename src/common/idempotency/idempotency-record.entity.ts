import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../../database/column-types';

/**
 * The stored outcome of a request sent with an `Idempotency-Key`, written in the same transaction
 * as the request's own writes: after a crash either both exist or neither does, so a retry
 * either replays the committed response or performs the write for the first time.
 */
@Entity('idempotency_keys')
export class IdempotencyRecord {
  /** sha256(api key id, Idempotency-Key): keys are scoped to the API key that sent them. */
  @PrimaryColumn('varchar', { length: 64 })
  id: string;

  @Column('varchar', { length: 36 })
  keyId: string;

  /** sha256 of method, route and body: the same key with another request is refused (422). */
  @Column('varchar', { length: 64 })
  fingerprint: string;

  @Column('integer')
  statusCode: number;

  /** The JSON response body as sent. */
  @Column('text')
  responseBody: string;

  @Index()
  @Column({ type: COLUMN.timestamp })
  createdAt: Date;
}
