import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/http/principal';
import { DomainError } from '../common/errors/domain-error';
import type { HierarchyLevel } from '../graph/hierarchy';
import type { JobKind } from '../jobs/job-input';
import type { Job, JobOf } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { sharedLevels } from '../tlp/policy';
import type { PartName, PartsOf } from './result-parts';
import type { Summary } from './result-types';
import {
  cellCounts, earlyWarningView, entitiesView, hiddenFor, OrganizationPage, RollupMemo, RollupPart, rollupView, runsCsv, summaryFor, suppressionFor, SuppressionGroup,
  timelineFor, warningRows, warningsFor,
} from './views';

/** Parsed result parts and what is derived from them, kept in memory (least recently used out first). */
const MAX_CACHED_PARTS = 64;

type Assessment = JobOf<'assessment'>;

/** Readers who see the same TLP levels in the same organisation see the same entity-level views. */
const audienceOf = (reader: Principal) => {
  const levels = sharedLevels(reader);
  return levels === null ? 'all' : `${levels.join(',')}/${reader.organizationId}`;
};

/**
 * A finished job's stored parts, read by part name, and an assessment's results as a reader
 * sees them: every entity-level answer goes through the reader's TLP here (views.ts), so a
 * route, a briefing, a STIX note or a webhook shows one reader the same thing.
 */
@Injectable()
export class ResultsService {
  /**
   * A finished job's parts never change, so readers share one parsed copy (views never modify
   * it), and what is derived from them per audience: a hot assessment costs one primary-key
   * read per request, not a parse of its parts.
   */
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly jobs: JobsService) {}

  /** A stored result part, parsed; 409 while the job has not finished. Aggregates: the same for every reader. */
  part<K extends JobKind, N extends PartName<K>>(job: JobOf<K>, name: N): Promise<PartsOf[K][N]> {
    return this.read<PartsOf[K][N]>(job, name);
  }

  /** The summary without what rests on entities hidden from the reader (views.ts summaryFor). */
  async summary(job: Assessment, reader: Principal): Promise<Summary> {
    const [summary, hidden] = await Promise.all([this.part(job, 'summary'), this.suppressed(job, reader)]);
    return summaryFor(summary, hidden);
  }

  /** The run's warnings the reader may read (views.ts warningsFor). */
  async warnings(job: Assessment, reader: Principal): Promise<string[]> {
    const [meta, hidden] = await Promise.all([this.part(job, 'meta'), this.suppressed(job, reader)]);
    return warningsFor(Array.isArray(meta.warnings) ? meta.warnings.filter((w): w is string => typeof w === 'string') : [], hidden);
  }

  async entities(job: Assessment, reader: Principal, q: Parameters<typeof entitiesView>[2]) {
    const [rows, hidden] = await Promise.all([this.part(job, 'entities'), this.suppressed(job, reader)]);
    const hiddenRows = hidden.size ? this.derived(`${job.id}/hiddenRows/${audienceOf(reader)}`, () => Uint8Array.from(rows, (r) => (hidden.has(r.entityId) ? 1 : 0))) : undefined;
    return entitiesView(rows, hidden, q, hiddenRows);
  }

  /**
   * `organizations`: a page of the organisations of each group (views.ts OrganizationPage). What
   * the rollup derives from the entities that is the same for every request (the counts by country
   * and sector; each entity's organisation, for the reader's audience) is kept beside the parts.
   */
  async rollup(job: Assessment, reader: Principal, levels: HierarchyLevel[], part: RollupPart, organizations?: OrganizationPage) {
    const [rows, groups, hidden, summary] = await Promise.all([this.part(job, 'entities'), this.part(job, 'groups'), this.suppressed(job, reader), this.part(job, 'summary')]);
    const cells = this.derived(`${job.id}/entities#cells`, () => cellCounts(rows));
    const memo = this.derived(`${job.id}/rollup#${audienceOf(reader)}`, (): RollupMemo => ({}));
    memo.cells = cells;
    return rollupView(rows, groups, levels, hidden, { part, summary, organizations, memo });
  }

  async timeline(job: Assessment, reader: Principal) {
    return timelineFor(await this.part(job, 'timeline'), reader);
  }

  /**
   * The early warning as the reader sees it: within `withinHours` of asOf (default: the longest
   * window computed), `collateral` or intended entities only, `only` these entities.
   */
  async earlyWarning(job: Assessment, reader: Principal, q: { withinHours?: number; limit: number; collateral?: boolean; only?: ReadonlySet<string> }) {
    const [warning, rows, hidden] = await Promise.all([this.part(job, 'earlyWarning'), this.part(job, 'entities'), this.suppressed(job, reader)]);
    const withinHours = q.withinHours ?? Math.max(0, ...warning.windows.map((w) => w.withinHours));
    const named = this.derived(`${job.id}/earlyWarning#rows`, () => warningRows(warning, rows));
    return earlyWarningView(warning, named, hidden, withinHours, q.limit, q.collateral, q.only);
  }

  /** One CSV row per run (aggregates: the same for every reader). */
  async runsCsv(job: Assessment): Promise<string> {
    return runsCsv(await this.part(job, 'runs'));
  }

  /**
   * The entities this reader's entity-level views leave out (views.ts suppressionFor): whole
   * suppression groups around the ones resting on reports it may not see. The same for every
   * reader who sees the same TLP levels in the same organisation, so kept per such audience.
   */
  private async suppressed(job: Assessment, reader: Principal): Promise<ReadonlyMap<string, SuppressionGroup>> {
    if (sharedLevels(reader) === null) return new Map();
    const key = `${job.id}/suppressed/${audienceOf(reader)}`;
    const cached = this.cache.get(key);
    if (cached instanceof Map) return cached;
    const hidden = hiddenFor(await this.part(job, 'restricted'), reader);
    const groups = hidden.size ? suppressionFor(await this.part(job, 'entities'), hidden) : new Map<string, SuppressionGroup>();
    this.remember(key, groups);
    return groups;
  }

  private async read<T>(job: Job, part: string): Promise<T> {
    if (job.status !== 'done') {
      throw new DomainError('CONFLICT', `${job.kind} ${job.id} is ${job.status}: results exist once it is done`, [
        { field: 'id', rule: 'done', message: `status is ${job.status}` },
      ]);
    }
    const key = `${job.id}/${part}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached as T;
    }
    const body = await this.jobs.part(job.id, part);
    if (body === null) throw new DomainError('NOT_FOUND', `${job.kind} ${job.id} has no ${part}`, [{ field: 'path', rule: 'exists', message: `no ${part} stored` }]);
    const parsed = JSON.parse(body) as T;
    // The raw runs are large and read rarely (CSV export): not kept.
    if (part !== 'runs') this.remember(key, parsed);
    return parsed;
  }

  /** What is computed once from a job's parts and kept (with them, least recently used out first). */
  private derived<T>(key: string, make: () => T): T {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached as T;
    }
    const value = make();
    this.remember(key, value);
    return value;
  }

  private remember(key: string, value: unknown): void {
    if (this.cache.size >= MAX_CACHED_PARTS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, value);
  }
}
