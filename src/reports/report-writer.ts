import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { Principal } from '../common/http/principal';
import { conflict, DomainError, ErrorDetail, invalid, unprocessable } from '../common/errors/domain-error';
import { IdempotencyContext, IdempotencyService } from '../common/idempotency/idempotency.service';
import { DatabaseService } from '../database/database.service';
import type { ReportRecord } from '../domain/records';
import { EntitiesService } from '../graph/entities.service';
import { BulkResultView, CreatedReportView, ReportRow, toView } from './report-view';
import { checkFiledReportOnce, FIRST_SEEN_MARGIN_MS, NewReport } from './report-rules';
import { ReportsEvents } from './reports.events';
import { insertRows, readDate, selectIn } from '../database/bulk-sql';
import { uuidV7 } from '../common/ids';
import { audienceKey, canSee } from './visibility';
import { bumpEvidenceVersions } from './evidence-versions';
import { sightingIdOfChain } from '../domain/stix-ids';
import { AuditService } from '../audit/audit.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { WeaponsService } from '../weapons/weapons.service';

/** Largest JSON or CSV bulk request. */
export const MAX_BULK_REPORTS = 10_000;

export interface WriteOptions {
  /** The reporting organisation of rows that name none; defaults to the actor's. */
  organizationId?: string;
  /** Bulk: put 1-based row numbers (plus `rowOffset`) on error details and warnings. */
  rows?: boolean;
  rowOffset?: number;
  /** STIX sighting id per input (import), kept on the report chain. */
  stixIds?: readonly (string | null)[];
  /** Audit action for new chains; corrections are always `supersede`. */
  auditAction?: string;
  /** Per-row actors when rows come from different requests (group commit); overrides `actor`. */
  actors?: readonly (Principal | null)[];
  /** Fixed ids per input (scenario loads); the others get a new UUIDv7. */
  ids?: readonly (string | undefined)[];
}

/** Single reports are group-committed at most this many per transaction. */
const MAX_GROUP_COMMIT = 256;

interface WaitingReport {
  body: unknown;
  actor: Principal;
  claim: IdempotencyContext | null;
  resolve: (view: CreatedReportView) => void;
  reject: (err: unknown) => void;
}

/** Thrown inside a group's transaction to roll it back: another request committed these Idempotency-Keys first. */
class KeysTaken extends Error {
  constructor(readonly ids: ReadonlySet<string>) {
    super('Idempotency-Keys taken');
  }
}

export interface WriteResult {
  reports: ReportRow[];
  entitiesCreated: string[];
  warnings: ErrorDetail[];
}

const REPORT_COLUMNS = [
  'id', 'weaponId', 'entityId', 'organizationId', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossLowUsd', 'lossHighUsd',
  'confidence', 'tlp', 'source', 'externalReferences', 'supersedesId', 'chainId', 'version', 'stixId', 'keyId', 'createdAt',
] as const;

/** Rules that concern authorisation (403) and stored data (422 or 409) rather than a row's shape. */
const FORBIDDEN_RULES = new Set(['ownOrganization', 'sameOrganization']);

const isUniqueViolation = (err: unknown) => err instanceof QueryFailedError && /unique|duplicate key|SQLITE_CONSTRAINT_UNIQUE/i.test(err.message + ' ' + String((err as any).code ?? ''));

function throwErrors(errors: ErrorDetail[], bulk: boolean): never {
  const rows = new Set(errors.map((e) => e.row ?? 0)).size;
  const message = bulk ? `${rows} report row(s) rejected; nothing was written` : `invalid report: ${[...new Set(errors.map((e) => e.field))].join(', ')}`;
  throw invalid(message, errors);
}

/**
 * Writing spread reports: append-only evidence. Every write is one transaction that validates
 * every row, resolves references, creates inline entities, inserts reports and one audit entry
 * per report (through the audit service), tells ReportsEvents listeners (assessments go stale)
 * and, when the request carries an Idempotency-Key, stores the response (through the
 * idempotency service), so a 2xx means all of it committed. Reading: ReportsService.
 */
@Injectable()
export class ReportWriter {
  private readonly waiting: WaitingReport[] = [];
  /** A group commit is about to start or under way. */
  private flushing = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly entities: EntitiesService,
    private readonly idempotency: IdempotencyService,
    private readonly events: ReportsEvents,
    private readonly audit: AuditService,
    private readonly weapons: WeaponsService,
    private readonly keys: ApiKeysService,
  ) {}

  // ---- HTTP operations: one transaction each ----

  /**
   * Files one report. Concurrent single reports are group-committed: one transaction takes every
   * report waiting, so a burst costs one commit (and on PostgreSQL one evidence-version bump, the
   * row every post of a weapon would otherwise queue on) instead of one each (see `commitGroup`).
   * The response still comes only after the commit.
   */
  create(body: unknown, actor: Principal, claim: IdempotencyContext | null): Promise<CreatedReportView> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ body, actor, claim, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts a group on the next turn of the event loop (it takes every report that arrived until
   * then) unless one is under way: the next starts when it ends. Two or four groups at once on
   * PostgreSQL were slower on a loaded machine (more round trips for the same reports).
   */
  private schedule(): void {
    if (this.flushing || !this.waiting.length) return;
    this.flushing = true;
    setImmediate(() => {
      const batch = this.waiting.splice(0, MAX_GROUP_COMMIT);
      void this.commitGroup(batch)
        .catch((err) => batch.forEach((p) => p.reject(err)))
        .finally(() => {
          this.flushing = false;
          this.schedule();
        });
    });
  }

  private createAlone(body: unknown, actor: Principal, claim: IdempotencyContext | null): Promise<CreatedReportView> {
    return this.db.write(async (m) => {
      const result = await this.writeWithin(m, [body], actor, {});
      const view: CreatedReportView = { ...toView(result.reports[0]), warnings: result.warnings };
      await this.idempotency.remember(m, claim, 201, view);
      return view;
    });
  }

  /**
   * Group commit: the waiting single reports go through `writeWithin` together, their
   * Idempotency-Keys stored in one statement, in one transaction. When it is refused, the
   * requests whose rows were refused are taken out and the rest retried in a new transaction;
   * refused ones then run alone, in their own transaction, so each gets exactly the error (or
   * success) it would have had by itself. A key repeated in the group, or that another request
   * committed first, runs alone after the others, and so replays the committed response. One
   * failure never fails another request's report.
   */
  private async commitGroup(batch: WaitingReport[]): Promise<void> {
    const alone: WaitingReport[] = [];
    const later: WaitingReport[] = [];
    const keys = new Set<string>();
    let live = batch.filter((p) => !p.claim || (keys.has(p.claim.id) ? !later.push(p) : !!keys.add(p.claim.id)));
    while (live.length) {
      const group = live;
      try {
        const views = await this.db.write(async (m) => {
          const result = await this.writeWithin(m, group.map((p) => p.body), null, { rows: true, actors: group.map((p) => p.actor) });
          const views: CreatedReportView[] = group.map((_p, i) => ({
            ...toView(result.reports[i]), warnings: result.warnings.filter((w) => w.row === i + 1).map(({ row: _row, ...w }) => w),
          }));
          const claims = group.flatMap((p, i) => (p.claim ? [{ context: p.claim, statusCode: 201, body: views[i] }] : []));
          const taken = await this.idempotency.rememberMany(m, claims);
          if (taken.size) throw new KeysTaken(taken);
          return views;
        });
        group.forEach((p, i) => p.resolve(views[i]));
        break;
      } catch (err) {
        if (err instanceof KeysTaken) {
          later.push(...group.filter((p) => err.ids.has(p.claim?.id ?? '')));
          live = group.filter((p) => !err.ids.has(p.claim?.id ?? ''));
          continue;
        }
        const bad = new Set(err instanceof DomainError ? err.details.map((d) => d.row) : []);
        live = group.filter((_p, i) => !bad.has(i + 1));
        if (live.length === group.length) live = [];
        alone.push(...group.filter((p) => !live.includes(p)));
      }
    }
    const runAlone = (p: WaitingReport) => this.createAlone(p.body, p.actor, p.claim).then(p.resolve, p.reject);
    // Outside the group's turn: the next group need not wait for these.
    void Promise.all(alone.map(runAlone)).then(() => Promise.all(later.map(runAlone)));
  }

  /** JSON rows (or CSV rows already turned into objects): all or nothing, every bad row listed. */
  async bulk(rows: readonly unknown[], actor: Principal, claim: IdempotencyContext | null, rowOffset = 0): Promise<BulkResultView> {
    if (rows.length === 0) throw invalid('a bulk request needs at least one report', [{ field: 'body', rule: 'minSize', message: 'send 1 to 10,000 reports' }]);
    if (rows.length > MAX_BULK_REPORTS) {
      throw invalid(`at most ${MAX_BULK_REPORTS} reports per bulk request`, [{ field: 'body', rule: 'maxSize', message: `send at most ${MAX_BULK_REPORTS} reports; split larger uploads` }]);
    }
    const view = await this.db.write(async (m) => {
      const result = await this.writeWithin(m, rows, actor, { rows: true, rowOffset, auditAction: 'bulk-create' });
      const view: BulkResultView = {
        created: result.reports.length,
        ids: result.reports.map((r) => r.id),
        entitiesCreated: result.entitiesCreated,
        warnings: result.warnings,
      };
      await this.idempotency.remember(m, claim, 201, view);
      return view;
    });
    await this.db.analyzeAfterBulk('reports', view.created);
    return view;
  }

  /**
   * Inserts reports inside the caller's transaction (the scenario loader's entry point):
   * validated like the API (a DomainError lists every bad row), audited, listeners told.
   * `organizationId` is the reporting organisation and must exist; `ids`, when given, fix the new
   * reports' ids (in input order). Returns the new ids in order.
   */
  async insertWithin(m: EntityManager, records: readonly ReportRecord[], actor: Principal | null, organizationId: string, ids?: readonly (string | undefined)[]): Promise<string[]> {
    const inputs = records.map(({ id: _id, ...rest }) => Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined)));
    const result = await this.writeWithin(m, inputs, actor, { organizationId, rows: true, auditAction: 'import', ids });
    return result.reports.map((r) => r.id);
  }

  /**
   * The write path every route shares, inside the caller's transaction: validates every input,
   * checks authorisation and references, creates inline entities, inserts, audits, notifies.
   * Throws a DomainError listing every problem: 400 shape, 403 organisation, 422 references,
   * 409 when the only problem is superseding a report that is no longer current.
   */
  async writeWithin(m: EntityManager, inputs: readonly unknown[], actor: Principal | null, options: WriteOptions): Promise<WriteResult> {
    const bulk = !!options.rows;
    const rowOf = (i: number) => (bulk ? i + 1 + (options.rowOffset ?? 0) : undefined);
    const withRow = (i: number, d: Omit<ErrorDetail, 'row'>): ErrorDetail => (bulk ? { row: rowOf(i), ...d } : d);
    const now = Date.now();

    // 1. Shape of every row.
    const errors: ErrorDetail[] = [];
    const values: NewReport[] = [];
    inputs.forEach((input, i) => {
      const { value, errors: rowErrors } = checkFiledReportOnce(input, rowOf(i), now);
      errors.push(...rowErrors);
      if (value) {
        value.stixId = options.stixIds?.[i] ?? null;
        values.push(value);
      }
    });
    if (errors.length) throwErrors(errors, bulk);

    // 2. Who may write for which organisation.
    const actorOf = (i: number) => (options.actors ? options.actors[i] : actor);
    values.forEach((v, i) => {
      const actor = actorOf(i);
      v.organizationId ??= options.organizationId ?? actor?.organizationId ?? null;
      if (!v.organizationId) errors.push(withRow(i, { field: 'organizationId', rule: 'required', message: 'organizationId is required' }));
      else if (actor && actor.role !== 'admin' && v.organizationId !== actor.organizationId) {
        errors.push(withRow(i, { field: 'organizationId', rule: 'ownOrganization', message: `a ${actor.role} may report only for its own organisation '${actor.organizationId}'` }));
      }
    });
    if (errors.length) {
      if (errors.every((e) => FORBIDDEN_RULES.has(e.rule))) throw new DomainError('FORBIDDEN', 'reports may be filed only for your own organisation', errors);
      throwErrors(errors, bulk);
    }

    // 3. References: organisations, weapons, entities (or inline ones) through their owners'
    // services (auth, weapons, graph), superseded reports.
    const ownOrg = (org: string, i: number) => org === actorOf(i)?.organizationId;
    const knownOrgs = await this.keys.existingOrganizationsWithin(m, values.map((v) => v.organizationId!).filter((o, i) => !ownOrg(o, i)));
    const weapons = await this.weapons.firstSeenWithin(m, values.map((v) => v.weaponId));
    // Concurrent reports naming one new inline entity: the first creates it, the others wait and reuse it.
    await this.entities.lockIdsWithin(m, values.filter((v) => v.entity).map((v) => v.entityId));
    const knownEntities = await this.entities.existingIdsWithin(m, values.map((v) => v.entityId));
    const supersededIds = values.map((v) => v.supersedesId).filter((s): s is string => !!s);
    const targets = new Map(
      (await selectIn<{ id: string; organizationId: string; tlp: string; chainId: string; version: number; stixId: string | null; observedAt: unknown }>(
        m, 'reports', ['id', 'organizationId', 'tlp', 'chainId', 'version', 'stixId', 'observedAt'], 'id', supersededIds,
      )).map((t) => [t.id, t]),
    );
    const alreadySuperseded = new Map(
      (await selectIn<{ id: string; supersedesId: string }>(m, 'reports', ['id', 'supersedesId'], 'supersedesId', supersededIds)).map((s) => [s.supersedesId, s.id]),
    );
    const inline = new Map<string, Record<string, unknown>>();
    const inlineRow = new Map<string, number>();
    const supersededInBatch = new Set<string>();
    values.forEach((v, i) => {
      if (!ownOrg(v.organizationId!, i) && !knownOrgs.has(v.organizationId!)) {
        errors.push(withRow(i, { field: 'organizationId', rule: 'exists', message: `no organisation '${v.organizationId}'` }));
      }
      if (!weapons.has(v.weaponId)) errors.push(withRow(i, { field: 'weaponId', rule: 'exists', message: `no weapon '${v.weaponId}'` }));
      if (!knownEntities.has(v.entityId)) {
        if (v.entity) {
          if (!inline.has(v.entityId)) {
            inline.set(v.entityId, v.entity);
            inlineRow.set(v.entityId, i);
          }
        } else errors.push(withRow(i, { field: 'entityId', rule: 'exists', message: `no entity '${v.entityId}'; send an inline entity to create it` }));
      }
      if (v.supersedesId) {
        const target = targets.get(v.supersedesId);
        const actor = actorOf(i);
        if (!target || (actor && !canSee(actor, target))) {
          errors.push(withRow(i, { field: 'supersedes', rule: 'exists', message: `no report '${v.supersedesId}'` }));
        } else if (target.organizationId !== v.organizationId) {
          errors.push(withRow(i, { field: 'supersedes', rule: 'sameOrganization', message: 'only the reporting organisation may correct its report' }));
        } else if (alreadySuperseded.has(v.supersedesId)) {
          errors.push(withRow(i, { field: 'supersedes', rule: 'current', message: `report '${v.supersedesId}' was already superseded by '${alreadySuperseded.get(v.supersedesId)}'; supersede the current version` }));
        } else if (supersededInBatch.has(v.supersedesId)) {
          errors.push(withRow(i, { field: 'supersedes', rule: 'duplicate', message: `report '${v.supersedesId}' is superseded twice in this request` }));
        }
        supersededInBatch.add(v.supersedesId);
      }
    });
    if (errors.length) {
      const message = bulk ? `${new Set(errors.map((e) => e.row)).size} report row(s) rejected; nothing was written` : errors[0].message;
      if (errors.every((e) => FORBIDDEN_RULES.has(e.rule))) throw new DomainError('FORBIDDEN', message, errors);
      if (errors.every((e) => e.rule === 'current')) throw conflict(message, errors);
      throw unprocessable(message, errors);
    }

    // 4. Inline entities, with the entities API's own validation and audit.
    const entitiesCreated = [...inline.keys()];
    if (entitiesCreated.length) {
      try {
        await this.entities.createWithin(m, [...inline.values()], actorOf(inlineRow.get(entitiesCreated[0])!));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        const details = err.details.map((d) => {
          const i = d.row === undefined ? undefined : inlineRow.get(entitiesCreated[d.row - 1]);
          const { row: _row, ...rest } = d;
          return i === undefined ? { ...rest, field: `entity.${d.field}` } : withRow(i, { ...rest, field: `entity.${d.field}` });
        });
        throw new DomainError(err.code, err.message, details);
      }
      // Listed only to readers who may see the report that created it (src/tlp/policy.ts).
      const byOrigin = new Map<string, string[]>();
      for (const id of entitiesCreated) {
        const key = audienceKey(values[inlineRow.get(id)!]);
        byOrigin.set(key, [...(byOrigin.get(key) ?? []), id]);
      }
      for (const ids of byOrigin.values()) {
        const v = values[inlineRow.get(ids[0])!];
        await this.entities.setOriginWithin(m, ids, { tlp: v.tlp, organizationId: v.organizationId });
      }
    }

    // 5. Insert reports and their audit entries.
    const createdAt = new Date(now);
    const warnings: ErrorDetail[] = [];
    const rows: ReportRow[] = values.map((v, i) => {
      const firstSeen = weapons.get(v.weaponId);
      if (firstSeen && v.observedAt.getTime() < firstSeen.getTime() - FIRST_SEEN_MARGIN_MS) {
        warnings.push(withRow(i, {
          field: 'observedAt', rule: 'beforeFirstSeen',
          message: `observedAt is more than ${FIRST_SEEN_MARGIN_MS / 86_400_000} days before weapon '${v.weaponId}' was first seen (${firstSeen.toISOString()}); check the date`,
        }));
      }
      const id = options.ids?.[i] ?? uuidV7(now);
      const target = v.supersedesId ? targets.get(v.supersedesId)! : null;
      const chainId = target ? target.chainId : id;
      return {
        id, weaponId: v.weaponId, entityId: v.entityId, organizationId: v.organizationId!, observedAt: v.observedAt, status: v.status,
        hostsAffected: v.hostsAffected, downtimeHours: v.downtimeHours, lossLowUsd: v.lossLowUsd, lossHighUsd: v.lossHighUsd,
        confidence: v.confidence, tlp: v.tlp, source: v.source, externalReferences: v.externalReferences, supersedesId: v.supersedesId,
        chainId, version: target ? Number(target.version) + 1 : 1, stixId: v.stixId ?? target?.stixId ?? sightingIdOfChain(chainId), createdAt,
      };
    });
    try {
      await insertRows(m, 'reports', REPORT_COLUMNS, rows.map((r, i) => [
        r.id, r.weaponId, r.entityId, r.organizationId, r.observedAt, r.status, r.hostsAffected, r.downtimeHours, r.lossLowUsd, r.lossHighUsd,
        r.confidence, r.tlp, r.source, r.externalReferences ? JSON.stringify(r.externalReferences) : null, r.supersedesId, r.chainId, r.version,
        r.stixId, actorOf(i)?.keyId ?? null, r.createdAt,
      ]));
    } catch (err) {
      // Two concurrent corrections of one report (PostgreSQL; SQLite serialises writes).
      if (isUniqueViolation(err)) throw conflict('the report was superseded concurrently; read it again', [{ field: 'supersedes', rule: 'current', message: 'supersede the current version' }]);
      throw err;
    }
    await this.audit.recordMany(m, rows.map((r, i) => ({
      at: createdAt, principal: actorOf(i) ?? null, action: r.supersedesId ? 'supersede' : (options.auditAction ?? 'create'), targetType: 'report', targetId: r.id,
      details: { weaponId: r.weaponId, entityId: r.entityId, organizationId: r.organizationId, tlp: r.tlp, status: r.status, ...(r.supersedesId ? { supersedes: r.supersedesId } : {}) },
    })));

    // 6. Listeners (assessments of these weapons become stale) in the same transaction; the
    // evidence versions last, so their rows stay locked (PostgreSQL) for as short as possible.
    const weaponIds = [...new Set(rows.map((r) => r.weaponId))];
    await this.events.evidenceChangedWithin(m, {
      weaponIds,
      reportIds: rows.map((r) => r.id),
      reports: rows.map((r) => ({
        weaponId: r.weaponId, tlp: r.tlp, organizationId: r.organizationId, observedAt: r.observedAt,
        supersededAt: r.supersedesId ? readDate(targets.get(r.supersedesId)!.observedAt) : null,
      })),
    });
    await bumpEvidenceVersions(m, weaponIds);
    return { reports: rows, entitiesCreated, warnings };
  }
}
