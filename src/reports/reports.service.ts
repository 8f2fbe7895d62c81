import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager } from 'typeorm';
import type { Principal } from '../common/http/principal';
import { DomainError, ErrorDetail, invalid } from '../common/errors/domain-error';
import { CURSOR_ERROR, CursorCodec, Page } from '../common/http/pagination';
import { DatabaseService } from '../database/database.service';
import type { ReportRecord } from '../domain/records';
import { REPORT_STATUSES, TLP_LEVELS } from '../domain/vocabulary';
import { ReportDetailView, ReportView, toRecord, toView } from './report-view';
import { Report } from './report.entity';
import { parseDateTime } from './report-rules';
import { currentEvidence, currentReport, whereCurrentFor } from './current';
import { canSee, sharedLevels, whereVisible } from './visibility';
import { EvidenceVersions } from './evidence-versions';
import { CachedPage, cachedPage, PageCache } from './page-cache';

const REPORTS_CURSOR = new CursorCodec('reports', ['timestamp', 'id'] as const);
/** STIX ids per look-up: bound parameters stay under SQLite's limit. */
const SIGHTINGS_CHUNK = 5_000;

/** A checked list query: what decides a page's content, so also the page cache's key. */
interface ListFilter {
  limit: number;
  weaponId?: string;
  entityId?: string;
  organizationId?: string;
  statuses: string[];
  tlps: string[];
  since?: string;
  until?: string;
  after?: [string, string];
  includeSuperseded: boolean;
}

export interface ReportListQuery {
  limit: number;
  cursor?: string;
  weaponId?: string;
  entityId?: string;
  organizationId?: string;
  status?: string;
  tlp?: string;
  since?: string;
  until?: string;
  includeSuperseded?: boolean;
}

/** A condition on the report row `alias`, from another feature (e.g. the STIX version of a report). */
export type ReportCondition = (alias: string) => { sql: string; params?: Record<string, unknown> };

/** A version of a report chain: the current one, the first, or one meeting a condition. */
export type CollectionVersion = 'current' | 'first' | ReportCondition;

/** A page of the reports as a collection of STIX sightings (see collectionPageWithin). */
export interface CollectionQuery {
  /** Only the versions of these STIX ids (null: all). */
  stixIds: readonly string[] | null;
  /** The versions of a chain listed: those meeting any of these (null: every version). */
  versions: readonly CollectionVersion[] | null;
  addedAfter: Date | null;
  /** The (filed at, id) of the previous page's last version. */
  after: { added: Date; id: string } | null;
  limit: number;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/**
 * Reading spread reports: the list (pages cached per audience, see listPage), one report with
 * its chain, and for other services the evidence of a weapon and its current reports a reader
 * may see. Writing: ReportWriter.
 */
@Injectable()
export class ReportsService {
  private readonly pages = new PageCache(32 * 1024 * 1024);

  constructor(
    private readonly db: DatabaseService,
    private readonly versions: EvidenceVersions,
  ) {}

  /**
   * GET /v1/reports, serialised. Pages are cached per audience (the TLP levels the reader sees
   * in other organisations' reports, and its organisation: readers who share both see exactly
   * the same reports) and query, and served while the evidence version they were read at is
   * still current. The version is bumped in every report-writing transaction and read (after
   * the request arrived, see FreshRead) before the list, so a page is never older than its
   * version: a committed report is in the next answer, in this process or any other.
   */
  async listPage(query: ReportListQuery, reader: Principal): Promise<CachedPage> {
    const filter = this.listFilter(query);
    const levels = sharedLevels(reader);
    const key = JSON.stringify([levels ?? 'all', levels ? reader.organizationId : null, filter]);
    const version = await this.versions.current(filter.weaponId);
    const cached = this.pages.get(key, version);
    if (cached) return cached;
    const page = cachedPage(await this.db.read((m) => this.listWithin(m, filter, reader)));
    this.pages.remember(key, version, page);
    return page;
  }

  list(query: ReportListQuery, reader: Principal): Promise<Page<ReportView>> {
    const filter = this.listFilter(query);
    return this.db.read((m) => this.listWithin(m, filter, reader));
  }

  /** The list query checked and normalised (400 naming each bad parameter). */
  private listFilter(query: ReportListQuery): ListFilter {
    const errors: ErrorDetail[] = [];
    const statuses = list(query.status);
    for (const s of statuses) if (!(REPORT_STATUSES as readonly string[]).includes(s)) errors.push({ field: 'status', rule: 'isIn', message: `status must be among ${REPORT_STATUSES.join(', ')}` });
    const tlps = list(query.tlp).map((t) => t.toLowerCase());
    for (const t of tlps) if (!(TLP_LEVELS as readonly string[]).includes(t)) errors.push({ field: 'tlp', rule: 'isIn', message: `tlp must be among ${TLP_LEVELS.join(', ')}` });
    const since = query.since ? parseDateTime(query.since) ?? parseDateTime(`${query.since}T00:00:00Z`) : null;
    const until = query.until ? parseDateTime(query.until) ?? parseDateTime(`${query.until}T00:00:00Z`) : null;
    if (query.since && !since) errors.push({ field: 'since', rule: 'isDateTime', message: 'since must be an ISO 8601 date or date-time' });
    if (query.until && !until) errors.push({ field: 'until', rule: 'isDateTime', message: 'until must be an ISO 8601 date or date-time' });
    const after = query.cursor ? REPORTS_CURSOR.tryDecode(query.cursor) : null;
    if (query.cursor && !after) errors.push(CURSOR_ERROR);
    if (errors.length) throw invalid(`invalid query: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
    return {
      limit: query.limit, weaponId: query.weaponId, entityId: query.entityId, organizationId: query.organizationId, statuses, tlps,
      since: since?.toISOString(), until: until?.toISOString(), after: after ? [after[0].toISOString(), after[1]] : undefined, includeSuperseded: !!query.includeSuperseded,
    };
  }

  private async listWithin(m: EntityManager, f: ListFilter, reader: Principal): Promise<Page<ReportView>> {
    const qb = m.getRepository(Report).createQueryBuilder('r');
    whereVisible(qb, reader);
    if (!f.includeSuperseded) whereCurrentFor(qb, reader);
    if (f.weaponId) qb.andWhere('r.weaponId = :weaponId', { weaponId: f.weaponId });
    if (f.entityId) qb.andWhere('r.entityId = :entityId', { entityId: f.entityId });
    if (f.organizationId) qb.andWhere('r.organizationId = :organizationId', { organizationId: f.organizationId });
    if (f.statuses.length) qb.andWhere('r.status IN (:...statuses)', { statuses: f.statuses });
    if (f.tlps.length) qb.andWhere('r.tlp IN (:...tlps)', { tlps: f.tlps });
    if (f.since) qb.andWhere('r.observedAt >= :since', { since: new Date(f.since) });
    if (f.until) qb.andWhere('r.observedAt < :until', { until: new Date(f.until) });
    if (f.after) {
      const [at, id] = f.after;
      qb.andWhere(new Brackets((w) => w.where('r.observedAt < :afterAt', { afterAt: new Date(at) }).orWhere('r.observedAt = :afterAt AND r.id < :afterId', { afterAt: new Date(at), afterId: id })));
    }
    const rows = await qb.orderBy('r.observedAt', 'DESC').addOrderBy('r.id', 'DESC').take(f.limit + 1).getMany();
    const more = rows.length > f.limit;
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return { items: items.map(toView), nextCursor: more ? REPORTS_CURSOR.encode(last.observedAt, last.id) : null };
  }

  /** One report with its chain; 404 when it does not exist or the reader may not see it. */
  get(id: string, reader: Principal): Promise<ReportDetailView> {
    return this.db.read(async (m) => {
      const notFound = new DomainError('NOT_FOUND', `report '${id}' not found`, [{ field: 'id', rule: 'exists', message: `no report with id '${id}'` }]);
      if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound;
      const report = await whereVisible(m.getRepository(Report).createQueryBuilder('r'), reader).andWhere('r.id = :id', { id }).getOne();
      if (!report) throw notFound;
      // The chain as the reader may see it: hidden versions are left out, as if never filed.
      const chain = (await m.getRepository(Report).find({ where: { chainId: report.chainId }, order: { version: 'ASC' } })).filter((r) => canSee(reader, r));
      const next = chain.find((r) => r.version > report.version) ?? null;
      return {
        ...toView(report),
        current: next === null,
        supersededBy: next ? next.id : null,
        currentId: chain[chain.length - 1].id,
        chain: chain.map(toView),
      };
    });
  }

  // ---- for other services ----

  /**
   * Every current (not superseded) report of a weapon observed at or before `asOf`, oldest first,
   * WITHOUT TLP filtering: restricted reports count in aggregate estimates. Never return these
   * records to a client as they are.
   */
  evidenceFor(weaponId: string, asOf: Date = new Date()): Promise<ReportRecord[]> {
    return this.db.read((m) => this.evidenceWithin(m, weaponId, asOf));
  }

  /** evidenceFor inside the caller's transaction. */
  async evidenceWithin(m: EntityManager, weaponId: string, asOf: Date = new Date()): Promise<ReportRecord[]> {
    return (await currentEvidence(m, weaponId, asOf)).map(toRecord);
  }

  /**
   * The entities named by the reports `organizationId` filed (any weapon, any version, any TLP:
   * its own reports), inside the caller's transaction.
   */
  async entityIdsFiledByWithin(m: EntityManager, organizationId: string): Promise<string[]> {
    const rows = await m.getRepository(Report).createQueryBuilder('r')
      .select('DISTINCT r.entityId', 'entityId')
      .where('r.organizationId = :org', { org: organizationId })
      .getRawMany<{ entityId: string }>();
    return rows.map((r) => r.entityId);
  }

  /**
   * The current report of every chain whose STIX sighting id is among `stixIds`, filed by any
   * organisation, inside the caller's transaction, WITHOUT TLP filtering (STIX imports: a
   * sighting stored before is not filed again; its organisation may supersede it).
   */
  async currentOfSightingsWithin(m: EntityManager, stixIds: readonly string[]): Promise<Report[]> {
    const unique = [...new Set(stixIds)];
    const out: Report[] = [];
    for (let start = 0; start < unique.length; start += SIGHTINGS_CHUNK) {
      const chunk = unique.slice(start, start + SIGHTINGS_CHUNK);
      out.push(...(await m.getRepository(Report).createQueryBuilder('r').where('r.stixId IN (:...chunk)', { chunk }).andWhere(currentReport('r')).getMany()));
    }
    return out;
  }

  /** Does `reader` see some version of the sighting `stixId`? */
  async seesSighting(reader: Principal, stixId: string): Promise<boolean> {
    return (await this.db.read((m) => whereVisible(m.getRepository(Report).createQueryBuilder('r'), reader).andWhere('r.stixId = :id', { id: stixId }).getCount())) > 0;
  }

  /**
   * A page of the report versions `reader` may see as a collection of STIX sightings (TAXII),
   * inside the caller's read, in (filed at, id) order: those after `after`, filed after
   * `addedAfter`, of the given STIX ids, meeting any of `versions` (null: every version).
   */
  async collectionPageWithin(m: EntityManager, reader: Principal, q: CollectionQuery): Promise<{ items: Report[]; more: boolean }> {
    const qb = whereVisible(m.getRepository(Report).createQueryBuilder('r'), reader);
    if (q.stixIds) qb.andWhere('r.stixId IN (:...ids)', { ids: q.stixIds });
    const versions = q.versions;
    if (versions) {
      qb.andWhere(new Brackets((w) => {
        for (const v of versions) {
          if (v === 'current') w.orWhere(currentReport('r'));
          else if (v === 'first') w.orWhere('r.version = 1');
          else {
            const c = v('r');
            w.orWhere(c.sql, c.params);
          }
        }
      }));
    }
    if (q.addedAfter) qb.andWhere('r.createdAt > :addedAfter', { addedAfter: q.addedAfter });
    if (q.after) {
      const { added, id } = q.after;
      qb.andWhere(new Brackets((w) => w.where('r.createdAt > :nextAt', { nextAt: added }).orWhere('r.createdAt = :nextAt AND r.id > :nextId', { nextAt: added, nextId: id })));
    }
    const rows = await qb.orderBy('r.createdAt', 'ASC').addOrderBy('r.id', 'ASC').limit(q.limit + 1).getMany();
    return { items: rows.slice(0, q.limit), more: rows.length > q.limit };
  }

  /** The current reports of a weapon `reader` may see, for export. */
  visibleCurrentFor(weaponId: string, reader: Principal): Promise<Report[]> {
    return this.db.read((m) =>
      whereCurrentFor(whereVisible(m.getRepository(Report).createQueryBuilder('r'), reader), reader)
        .andWhere('r.weaponId = :weaponId', { weaponId })
        .orderBy('r.observedAt', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .getMany(),
    );
  }
}
