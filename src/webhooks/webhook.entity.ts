import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { Role } from '../domain/vocabulary';

export const WEBHOOK_EVENTS = ['assessment.done', 'assessment.stale', 'early-warning'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * An organisation's subscription: where to POST which events, signed with its secret. Payloads
 * are built for the subscribing key's organisation and role, so TLP applies as on reads.
 */
@Entity('webhook_subscriptions')
@Index(['organizationId'])
export class WebhookSubscription {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 128 })
  organizationId: string;

  /** The role of the key that subscribed: what its deliveries may carry. */
  @Column('varchar', { length: 16 })
  role: Role;

  @Column('varchar', { length: 2000 })
  url: string;

  /** HMAC-SHA256 key of the signatures; never returned. */
  @Column('varchar', { length: 200 })
  secret: string;

  @Column(COLUMN.json)
  events: WebhookEvent[];

  /** Early warning: the organisation's own entities, and the probability at which one is worth a call. */
  @Column(COLUMN.json)
  entityIds: string[];

  @Column({ type: COLUMN.float })
  threshold: number;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * The outbox: one row per event for one subscription, written in the transaction that notices
 * the event, then POSTed by the delivery loop, retried with exponential backoff, and kept as the
 * delivery log (attempts, last answer).
 */
@Entity('webhook_deliveries')
@Index(['status', 'nextAttemptAt'])
@Index(['subscriptionId', 'eventKey'], { unique: true })
export class WebhookDelivery {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 36 })
  subscriptionId: string;

  @Column('varchar', { length: 32 })
  event: WebhookEvent;

  /** The event and what it is about (`assessment.done:<id>`): one delivery per subscription. */
  @Column('varchar', { length: 100 })
  eventKey: string;

  @Column('text')
  payload: string;

  @Column('varchar', { length: 16 })
  status: DeliveryStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column(COLUMN.timestamp)
  nextAttemptAt: Date;

  @Column('integer', { nullable: true })
  lastStatusCode: number | null;

  @Column('varchar', { length: 500, nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;

  @Column({ type: COLUMN.timestamp, nullable: true })
  deliveredAt: Date | null;
}
