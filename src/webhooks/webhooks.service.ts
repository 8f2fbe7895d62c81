import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, LessThanOrEqual } from 'typeorm';
import type { Assessment } from '../assessments/assessment-rows';
import { AssessmentsService } from '../assessments/assessments.service';
import type { Summary } from '../results/result-types';
import { ResultsService } from '../results/results.service';
import type { Principal } from '../common/http/principal';
import { invalid, notFound } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import { EntitiesService } from '../graph/entities.service';
import type { CreateWebhookDto } from './dto/webhook.dto';
import { sign } from './signature';
import { WebhookDelivery, WebhookEvent, WebhookSubscription } from './webhook.entity';

/** Delivery settings, from the environment (milliseconds). */
export interface WebhookOptions {
  pollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export function webhookOptions(env: NodeJS.ProcessEnv = process.env): WebhookOptions {
  const int = (name: string, fallback: number) => (env[name] && /^[0-9]+$/.test(env[name]!) ? Number(env[name]) : fallback);
  return { pollMs: int('WEBHOOK_POLL_MS', 1000), retryBaseMs: int('WEBHOOK_RETRY_BASE_MS', 30_000), maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 8), timeoutMs: int('WEBHOOK_TIMEOUT_MS', 5000) };
}

/** How long a claimed delivery stays claimed by one process before another may retry it. */
const CLAIM_MS = 60_000;
const BATCH = 20;

/** What a subscription's owner may see of a subscription (never the secret). */
export function subscriptionView(s: WebhookSubscription) {
  return { id: s.id, organizationId: s.organizationId, role: s.role, url: s.url, events: s.events, entityIds: s.entityIds, threshold: s.threshold, createdAt: s.createdAt };
}

/**
 * Webhooks. Events come from the jobs table itself: a loop notices assessments that
 * finished or turned stale since it last looked and writes one outbox row per subscription and
 * event (unique, so a restart or a second process writes nothing twice); the same loop POSTs
 * due rows, signed, and reschedules failures with exponential backoff. Payloads are built for
 * the subscriber's organisation and role through the assessments' TLP views.
 */
@Injectable()
export class WebhooksService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  readonly options = webhookOptions();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private scannedUntil: Date | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly results: ResultsService,
    private readonly entities: EntitiesService,
    private readonly assessments: AssessmentsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async subscribe(dto: CreateWebhookDto, principal: Principal) {
    const entityIds = [...new Set(dto.entityIds ?? [])];
    if (dto.events.includes('early-warning') && !entityIds.length) {
      throw invalid('early-warning needs the entities to watch', [{ field: 'entityIds', rule: 'required', message: 'list the organisation\'s own entities for early-warning' }]);
    }
    return this.db.write(async (m) => {
      const known = await this.entities.existingIdsWithin(m, entityIds);
      const missing = entityIds.filter((id) => !known.has(id));
      if (missing.length) throw invalid('unknown entities', missing.map((id) => ({ field: 'entityIds', rule: 'reference', message: `no entity '${id}'` })));
      const s = m.create(WebhookSubscription, {
        id: randomUUID(), organizationId: principal.organizationId, role: principal.role, url: dto.url, secret: dto.secret,
        events: [...new Set(dto.events)] as WebhookEvent[], entityIds, threshold: dto.threshold ?? 0.5,
        // To the millisecond (SQLite's default is to the second): events are compared with it.
        createdAt: new Date(),
      });
      await m.insert(WebhookSubscription, s);
      return subscriptionView(await m.findOneByOrFail(WebhookSubscription, { id: s.id }));
    });
  }

  list(principal: Principal) {
    return this.db.read(async (m) => ({
      items: (await m.find(WebhookSubscription, { where: principal.role === 'admin' ? {} : { organizationId: principal.organizationId }, order: { createdAt: 'ASC' } })).map(subscriptionView),
    }));
  }

  async remove(id: string, principal: Principal) {
    return this.db.write(async (m) => {
      const s = await this.ownWithin(m, id, principal);
      await m.delete(WebhookDelivery, { subscriptionId: s.id });
      await m.delete(WebhookSubscription, { id: s.id });
      return subscriptionView(s);
    });
  }

  /** The delivery log of a subscription, newest first. */
  deliveries(id: string, principal: Principal) {
    return this.db.read(async (m) => {
      const s = await this.ownWithin(m, id, principal);
      const rows = await m.find(WebhookDelivery, { where: { subscriptionId: s.id }, order: { createdAt: 'DESC' }, take: 200 });
      return {
        items: rows.map((d) => ({
          id: d.id, event: d.event, status: d.status, attempts: d.attempts, nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
          lastStatusCode: d.lastStatusCode, lastError: d.lastError, createdAt: d.createdAt, deliveredAt: d.deliveredAt,
        })),
      };
    });
  }

  /** One pass of the loop: notice events, then deliver what is due. Never overlaps itself. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        await this.scan();
        await this.deliverDue();
      } catch (err) {
        this.logger.error({ msg: 'webhook loop failed', error: (err as Error).message });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async ownWithin(m: EntityManager, id: string, principal: Principal): Promise<WebhookSubscription> {
    const s = /^[0-9a-f-]{36}$/.test(id) ? await m.findOneBy(WebhookSubscription, { id }) : null;
    if (!s || (principal.role !== 'admin' && s.organizationId !== principal.organizationId)) throw notFound('webhook', id);
    return s;
  }

  private async scan(): Promise<void> {
    const subs = await this.db.read((m) => m.find(WebhookSubscription, { order: { createdAt: 'ASC' } }));
    if (!subs.length) return;
    const now = new Date();
    // A second of overlap: rows updated in the same instant as the last look are looked at again (the outbox is unique).
    const since = new Date((this.scannedUntil ?? subs[0].createdAt).getTime() - 1000);
    for (const row of await this.assessments.doneSince(since)) {
      for (const sub of subs) {
        for (const event of sub.events) {
          // A subscription hears of what happens after it was made: results finishing, results turning stale.
          if (event === 'assessment.stale' ? !row.evidence.stale || row.updatedAt < sub.createdAt : !row.finishedAt || row.finishedAt < sub.createdAt) continue;
          const payload = await this.payloadFor(event, row, sub);
          if (payload) await this.enqueue(sub, event, `${event}:${row.id}`, payload);
        }
      }
    }
    this.scannedUntil = now;
  }

  /** The payload of an event for one subscriber, through the TLP views; null when there is nothing to say. */
  private async payloadFor(event: WebhookEvent, row: Assessment, sub: WebhookSubscription): Promise<Record<string, unknown> | null> {
    const base = { event, assessmentId: row.id, weaponId: row.weaponId, asOf: row.input.asOf, horizonHours: row.input.horizonHours };
    if (event === 'assessment.stale') return { ...base, stale: true };
    const reader: Principal = { keyId: `webhook:${sub.id}`, organizationId: sub.organizationId, role: sub.role };
    if (event === 'assessment.done') {
      const s = await this.results.summary(row, reader);
      const figures = (f: Summary['total']) => ({ entitiesInfected: f.entitiesInfected, lossUsd: f.lossUsd.total });
      return { ...base, finishedAt: row.finishedAt, total: figures(s.total), intended: figures(s.intended), collateral: figures(s.collateral), protectedHits: s.protectedHits };
    }
    const { withinHours, items: ranked } = await this.results.earlyWarning(row, reader, { limit: Number.MAX_SAFE_INTEGER });
    const watched = new Set(sub.entityIds);
    const items = ranked.filter((i) => watched.has(i.entityId) && i.probability.p >= sub.threshold);
    return items.length ? { ...base, withinHours, threshold: sub.threshold, entities: items } : null;
  }

  private async enqueue(sub: WebhookSubscription, event: WebhookEvent, eventKey: string, payload: Record<string, unknown>): Promise<void> {
    const id = randomUUID();
    try {
      await this.db.write(async (m) => {
        if (await m.existsBy(WebhookDelivery, { subscriptionId: sub.id, eventKey })) return;
        await m.insert(WebhookDelivery, {
          id, subscriptionId: sub.id, event, eventKey, payload: JSON.stringify({ deliveryId: id, ...payload }), status: 'pending', attempts: 0, nextAttemptAt: new Date(),
          lastStatusCode: null, lastError: null, deliveredAt: null,
        });
      });
    } catch (err) {
      // Another process wrote the same event first (the unique index): nothing to add.
      if (!/unique|duplicate/i.test((err as Error).message)) throw err;
    }
  }

  private async deliverDue(): Promise<void> {
    const now = new Date();
    const due = await this.db.read((m) => m.find(WebhookDelivery, { where: { status: 'pending', nextAttemptAt: LessThanOrEqual(now) }, order: { nextAttemptAt: 'ASC' }, take: BATCH }));
    for (const d of due) {
      // Claim it: only the process whose update matched sends it.
      const claimed = await this.db.write((m) => m.update(WebhookDelivery, { id: d.id, status: 'pending', nextAttemptAt: d.nextAttemptAt }, { nextAttemptAt: new Date(Date.now() + CLAIM_MS) }));
      if (!claimed.affected) continue;
      const sub = await this.db.read((m) => m.findOneBy(WebhookSubscription, { id: d.subscriptionId }));
      if (!sub) continue;
      await this.send(d, sub);
    }
  }

  private async send(d: WebhookDelivery, sub: WebhookSubscription): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json', 'User-Agent': 'Spillover-Webhooks/1', 'X-Spillover-Event': d.event, 'X-Spillover-Delivery': d.id,
          'X-Spillover-Timestamp': timestamp, 'X-Spillover-Signature': sign(sub.secret, timestamp, d.payload),
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message.slice(0, 500);
    }
    const attempts = d.attempts + 1;
    const delivered = error === null;
    const failed = !delivered && attempts >= this.options.maxAttempts;
    const next = new Date(Date.now() + this.options.retryBaseMs * 2 ** (attempts - 1));
    await this.db.write((m) => m.update(WebhookDelivery, { id: d.id }, {
      attempts, lastStatusCode: statusCode, lastError: error, status: delivered ? 'delivered' : failed ? 'failed' : 'pending',
      nextAttemptAt: delivered || failed ? new Date() : next, deliveredAt: delivered ? new Date() : null,
    }));
    this.logger.log({ msg: 'webhook delivery', deliveryId: d.id, subscriptionId: sub.id, event: d.event, attempt: attempts, statusCode, error, outcome: delivered ? 'delivered' : failed ? 'failed' : 'retry' });
  }
}
