import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/http/principal';
import { DomainError, ErrorDetail, invalid, notFound } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import type { Report } from '../reports/report.entity';
import { CollectionVersion, ReportsService } from '../reports/reports.service';
import { stixTime } from '../stix/export';
import { StixImportResult, StixService } from '../stix/stix.service';
import { stixVersionAt } from '../stix/version-at';
import { encodeNext, TaxiiFilters } from './filters';
import { STIX_MEDIA_TYPE } from './media-type';
import { StatusDetail, TaxiiStatus } from './taxii-status.entity';

/** A page of a collection: its objects' entries and the TAXII headers' dates. */
export interface TaxiiPage<T> {
  items: T[];
  more: boolean;
  next: string | null;
  firstAdded: Date | null;
  lastAdded: Date | null;
}

interface Entry {
  report: Report;
  /** The STIX version: the imported `modified`, else when the report was filed. */
  version: Date;
}

/**
 * TAXII 2.1 over the reports: each report version is a version of its STIX sighting, added to
 * the reports collection when it was filed. Pages go in (date added, report id) order with a
 * cursor on the last pair, so reports filed while a client pages come after the cursor and are
 * neither skipped nor repeated. TLP is the reports' policy (src/reports/visibility.ts).
 */
@Injectable()
export class TaxiiService {
  constructor(
    private readonly db: DatabaseService,
    private readonly stix: StixService,
    private readonly reports: ReportsService,
  ) {}

  /** The sightings of a page of the reports collection. */
  objects(reader: Principal, filters: TaxiiFilters): Promise<TaxiiPage<Record<string, unknown>>> {
    return this.db.read(async (m) => {
      const page = await this.entries(m, reader, filters);
      return { ...page, items: await this.stix.sightingsWithin(m, page.items.map((e) => e.report)) };
    });
  }

  /** The manifest entries of a page of the reports collection (TAXII 2.1 section 5.6.1). */
  manifest(reader: Principal, filters: TaxiiFilters): Promise<TaxiiPage<Record<string, unknown>>> {
    return this.db.read(async (m) => {
      const page = await this.entries(m, reader, filters);
      return {
        ...page,
        items: page.items.map((e) => ({ id: e.report.stixId, date_added: stixTime(e.report.createdAt), version: stixTime(e.version), media_type: STIX_MEDIA_TYPE })),
      };
    });
  }

  /** One object's versions (as `objects`); 404 when the reader sees no version of it. */
  async object(reader: Principal, id: string, filters: TaxiiFilters): Promise<TaxiiPage<Record<string, unknown>>> {
    await this.requireVisible(reader, id);
    return this.objects(reader, { ...filters, ids: [id], types: null });
  }

  /** The versions of one object (TAXII 2.1 section 5.8.1). */
  async versions(reader: Principal, id: string, filters: TaxiiFilters): Promise<TaxiiPage<string>> {
    await this.requireVisible(reader, id);
    return this.db.read(async (m) => {
      const page = await this.entries(m, reader, { ...filters, ids: [id], types: null, versions: ['all'] });
      return { ...page, items: page.items.map((e) => stixTime(e.version)) };
    });
  }

  /**
   * Adds an envelope's objects as the reader's reports (all or nothing, as the bundle import)
   * and answers the status resource: every object a success (filed, already stored, or used by
   * a sighting) or a failure with the reason.
   */
  async add(reader: Principal, envelope: unknown): Promise<Record<string, unknown>> {
    const objects = (envelope as { objects?: unknown })?.objects;
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope) || !Array.isArray(objects)) {
      throw invalid('the body must be a TAXII envelope {"objects": [...]}', [{ field: 'objects', rule: 'isArray', message: 'objects must be an array of STIX objects' }]);
    }
    const status = new TaxiiStatus();
    Object.assign(status, { id: randomUUID(), organizationId: reader.organizationId, requestTimestamp: new Date() });
    try {
      await this.db.write(async (m) => {
        const result = await this.stix.importWithin(m, { objects }, reader);
        Object.assign(status, outcome(objects, result.warnings, result.skipped, null));
        await m.insert(TaxiiStatus, status);
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      Object.assign(status, outcome(objects, err.details, [], err.message));
      await this.db.write((m) => m.insert(TaxiiStatus, status));
    }
    return statusResource(status);
  }

  /** A status resource of the reader's organisation (admins: any); 404 otherwise. */
  async status(reader: Principal, id: string): Promise<Record<string, unknown>> {
    const status = /^[0-9a-f-]{36}$/.test(id) ? await this.db.read((m) => m.findOneBy(TaxiiStatus, { id })) : null;
    if (!status || (reader.role !== 'admin' && status.organizationId !== reader.organizationId)) throw notFound('status', id);
    return statusResource(status);
  }

  private async requireVisible(reader: Principal, id: string): Promise<void> {
    if (!(await this.reports.seesSighting(reader, id))) throw notFound('object', id);
  }

  private async entries(m: EntityManager, reader: Principal, f: TaxiiFilters): Promise<TaxiiPage<Entry>> {
    const empty = { items: [], more: false, next: null, firstAdded: null, lastAdded: null };
    if ((f.types && !f.types.includes('sighting')) || (f.specVersions && !f.specVersions.includes('2.1'))) return empty;
    const { items: rows, more } = await this.reports.collectionPageWithin(m, reader, {
      stixIds: f.ids,
      versions: f.versions.includes('all') ? null : f.versions.map((v, i): CollectionVersion => (v instanceof Date ? stixVersionAt(v, `at${i}`) : v === 'first' ? 'first' : 'current')),
      addedAfter: f.addedAfter,
      after: f.next,
      limit: f.limit,
    });
    const versions = await this.stix.versionsOf(m, rows.map((r) => r.id));
    const items = rows.map((report) => ({ report, version: versions.get(report.id)?.modified ?? report.createdAt }));
    if (!items.length) return empty;
    const last = items[items.length - 1].report;
    return { items, more, next: more ? encodeNext({ added: last.createdAt, id: last.id }) : null, firstAdded: items[0].report.createdAt, lastAdded: last.createdAt };
  }
}

/** Successes and failures of an add, one per object of the envelope. */
function outcome(objects: unknown[], problems: ErrorDetail[], skipped: StixImportResult['skipped'], refusal: string | null): Pick<TaxiiStatus, 'successes' | 'failures'> {
  const reasons = new Map<string, string>();
  for (const p of problems) {
    const m = /^objects\[(\d+)\]/.exec(p.field);
    const key = m ? `#${m[1]}` : '*';
    reasons.set(key, reasons.has(key) ? `${reasons.get(key)}; ${p.message}` : p.message);
  }
  for (const s of skipped) reasons.set(s.id, s.reason);
  const successes: StatusDetail[] = [];
  const failures: StatusDetail[] = [];
  objects.forEach((raw, i) => {
    const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const id = typeof o.id === 'string' ? o.id : `objects[${i}]`;
    const version = String(o.modified ?? o.created ?? '');
    const reason = reasons.get(`#${i}`) ?? reasons.get(id) ?? (refusal ? `not added: ${refusal}${reasons.has('*') ? ` (${reasons.get('*')})` : ''}` : null);
    if (reason) failures.push({ id, version, message: reason });
    else successes.push({ id, version });
  });
  return { successes, failures };
}

function statusResource(s: TaxiiStatus): Record<string, unknown> {
  return {
    id: s.id, status: 'complete', request_timestamp: stixTime(s.requestTimestamp),
    total_count: s.successes.length + s.failures.length,
    success_count: s.successes.length, successes: s.successes,
    failure_count: s.failures.length, failures: s.failures,
    pending_count: 0, pendings: [],
  };
}
