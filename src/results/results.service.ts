import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/http/principal';
import { DomainError } from '../common/errors/domain-error';
import type { HierarchyLevel } from '../graph/hierarchy';
import type { JobKind } from '../jobs/job-input';
import type { Job, JobOf } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { sharedLevels } from '../tlp/policy';
import type { EntityRow, PartName, PartsOf } from './result-parts';
import type { Summary } from './result-types';
import { runsCsv, summaryFor, timelineFor, warningsFor } from './views';
import { earlyWarningView, warningRows } from './early-warning-view';
import { entitiesTopView, entitiesView } from './entities-view';
import { cellCountsOf, decodeColumns, decodeKeyRanks, decodeLinks, type EntityCells } from './entity-index';
import { columnsSource, type DecodedColumns, type DecodedLinks } from './rollup-tree';
import { rollupView, rollupViewOf, type OrganizationPage, type RollupMemo, type RollupPart } from './rollup-view';
import { cellCounts, hiddenFor, suppressionAmong, suppressionFor, suppressionPlan, type SuppressionGroup, type SuppressionPlan } from './suppression';

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
 * sees them: every entity-level answer goes through the reader's TLP here (suppression.ts,
 * views.ts), so a route, a briefing, a STIX note or a webhook shows one reader the same thing.
 */
@Injectable()
export class ResultsService {
  /**
   * A finished job's parts never change, so readers share one parsed copy (views never modify
   * it), and what is derived from them per audience: a hot assessment costs one primary-key
   * read per request, not a parse of its parts.
   */
  private readonly cache = new Map<string, unknown>();
  /** What is being read or derived, by key (see `once`). */
  private readonly making = new Map<string, Promise<unknown>>();

  constructor(private readonly jobs: JobsService) {}

  /** A stored result part, parsed; 409 while the job has not finished. Aggregates: the same for every reader. */
  part<K extends JobKind, N extends PartName<K>>(job: JobOf<K>, name: N): Promise<PartsOf[K][N]> {
    return this.read<PartsOf[K][N]>(job, name);
  }

  /** The summary without what rests on entities hidden from the reader (views.ts summaryFor). */
  async summary(job: Assessment, reader: Principal): Promise<Summary> {
    const [summary, plan] = await Promise.all([this.part(job, 'summary'), this.plan(job, reader)]);
    if (plan) return summaryFor(summary, suppressionAmong(plan.size ? await this.part(job, 'namedEntities') as EntityRow[] : [], plan));
    return summaryFor(summary, await this.suppressed(job, reader));
  }

  /** The run's warnings the reader may read (views.ts warningsFor). */
  async warnings(job: Assessment, reader: Principal): Promise<string[]> {
    const [meta, plan] = await Promise.all([this.part(job, 'meta'), this.plan(job, reader)]);
    const hidden = plan ? suppressionAmong([], plan) : await this.suppressed(job, reader);
    return warningsFor(Array.isArray(meta.warnings) ? meta.warnings.filter((w): w is string => typeof w === 'string') : [], hidden);
  }

  /**
   * Stored rows holding at least every entity the summary (its protected hits) and the early
   * warning name, before any reader's filter: the rows kept for them (entity-index.ts
   * namedEntities: the protected entities hit and a few thousand more) when stored, else all
   * rows (jobs stored before them).
   */
  async namedRows(job: Assessment): Promise<EntityRow[]> {
    return (await this.optional<EntityRow[]>(job, 'namedEntities')) ?? this.part(job, 'entities');
  }

  /** From the first rows by the page's order when they hold the page (entity-index.ts), else from all rows. */
  async entities(job: Assessment, reader: Principal, q: Parameters<typeof entitiesView>[2]) {
    const plan = await this.plan(job, reader);
    if (plan) {
      const [top, cells] = await Promise.all([this.part(job, q.sort === 'loss' ? 'entitiesByLoss' : 'entitiesByProbability'), this.part(job, 'entityCells')]);
      const page = entitiesTopView(top!, cells!, plan, q);
      if (page) return page;
    }
    const [rows, hidden] = await Promise.all([this.part(job, 'entities'), this.suppressed(job, reader)]);
    const hiddenRows = hidden.size ? this.derived(`${job.id}/hiddenRows/${audienceOf(reader)}`, () => Uint8Array.from(rows, (r) => (hidden.has(r.entityId) ? 1 : 0))) : undefined;
    return entitiesView(rows, hidden, q, hiddenRows);
  }

  /**
   * `organizations`: a page of the organisations of each group (rollup-view.ts OrganizationPage). What
   * the rollup derives from the entities that is the same for every request (the counts by country
   * and sector; each entity's organisation, for the reader's audience) is kept beside the parts.
   */
  async rollup(job: Assessment, reader: Principal, levels: HierarchyLevel[], part: RollupPart, organizations?: OrganizationPage) {
    const plan = await this.plan(job, reader);
    if (plan) {
      // The stored columns (entity-index.ts), decoded once per job; parents, ids and names only down to organisations.
      const [groups, summary, cells, columns, links] = await Promise.all([
        this.part(job, 'groups'), this.part(job, 'summary'), this.part(job, 'entityCells'), this.columns(job), levels.includes('organization') ? this.links(job) : undefined,
      ]);
      const memo = this.derived(`${job.id}/rollup#${audienceOf(reader)}`, (): RollupMemo => ({}));
      memo.cells = this.derived(`${job.id}/entityCells#counts`, () => cellCountsOf(cells!));
      return rollupViewOf(columnsSource(columns, cells!, plan, links), groups, levels, { part, summary, organizations, memo });
    }
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
    const [warning, plan] = await Promise.all([this.part(job, 'earlyWarning'), this.plan(job, reader)]);
    const withinHours = q.withinHours ?? Math.max(0, ...warning.windows.map((w) => w.withinHours));
    if (plan) {
      // The stored rows of the entities it names (entity-index.ts): warningRows' without all rows.
      const rows = (await this.part(job, 'namedEntities'))!;
      const named = this.derived(`${job.id}/earlyWarning#rows`, () => warningRows(warning, rows));
      // Per audience, as its plan: the named rows are a few thousand, looked up on every request.
      const hidden = this.derived(`${job.id}/earlyWarning#hidden/${audienceOf(reader)}`, () => suppressionAmong(rows, plan));
      return earlyWarningView(warning, named, hidden, withinHours, q.limit, q.collateral, q.only);
    }
    const [rows, hidden] = await Promise.all([this.part(job, 'entities'), this.suppressed(job, reader)]);
    const named = this.derived(`${job.id}/earlyWarning#rows`, () => warningRows(warning, rows));
    return earlyWarningView(warning, named, hidden, withinHours, q.limit, q.collateral, q.only);
  }

  /** One CSV row per run (aggregates: the same for every reader). */
  async runsCsv(job: Assessment): Promise<string> {
    return runsCsv(await this.part(job, 'runs'));
  }

  /**
   * The entities this reader's entity-level views leave out (suppression.ts suppressionFor): whole
   * suppression groups around the ones resting on reports it may not see. The same for every
   * reader who sees the same TLP levels in the same organisation, so kept per such audience.
   */
  private async suppressed(job: Assessment, reader: Principal): Promise<ReadonlyMap<string, SuppressionGroup>> {
    if (sharedLevels(reader) === null) return new Map();
    return this.once(`${job.id}/suppressed/${audienceOf(reader)}`, async () => {
      const hidden = hiddenFor(await this.part(job, 'restricted'), reader);
      return hidden.size ? suppressionFor(await this.part(job, 'entities'), hidden) : new Map<string, SuppressionGroup>();
    });
  }

  /**
   * The reader's suppression plan (suppression.ts) from the stored cells (entity-index.ts), kept
   * per audience; null for a job stored without them (its reads use the whole entities part).
   */
  private async plan(job: Assessment, reader: Principal): Promise<SuppressionPlan | null> {
    const cells = await this.optional<EntityCells>(job, 'entityCells');
    if (!cells) return null;
    return this.once(`${job.id}/plan/${audienceOf(reader)}`, async () => {
      const hidden = sharedLevels(reader) === null ? new Set<string>() : hiddenFor(await this.part(job, 'restricted'), reader);
      const hiddenCells: Array<[string, string]> = [];
      for (const id of hidden) {
        const k = cells.restricted[id];
        if (k !== undefined) hiddenCells.push([cells.cells[k].country, cells.cells[k].sector]);
      }
      return suppressionPlan(this.derived(`${job.id}/entityCells#counts`, () => cellCountsOf(cells)), hiddenCells);
    });
  }

  /** The stored columns, decoded (the base64 text is not kept). */
  private columns(job: Assessment): Promise<DecodedColumns> {
    return this.once(`${job.id}/entityColumns#decoded`, async () => decodeColumns(await this.read<string>(job, 'entityColumns', false)));
  }

  private links(job: Assessment): Promise<DecodedLinks> {
    return this.once(`${job.id}/entityLinks#decoded`, async () => {
      // Jobs stored before the key ranks: organisations ordered by their keys (rollup-tree.ts).
      const [[links, ids, names], ranks] = await Promise.all([
        Promise.all(['entityLinks', 'entityIds', 'entityNames'].map((p) => this.read<string>(job, p, false))),
        this.optional<string>(job, 'entityKeyRanks', false),
      ]);
      return { ...decodeLinks(links, ids, names), ...(ranks !== null && { keyRanks: decodeKeyRanks(ranks) }) };
    });
  }

  /** A part that jobs stored before it lack: null then (remembered, so one read per job). */
  private async optional<T>(job: Job, part: string, keep?: boolean): Promise<T | null> {
    const key = `${job.id}/${part}#stored`;
    if (this.cache.get(key) === false) return null;
    try {
      return await this.read<T>(job, part, keep);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'NOT_FOUND')) throw err;
      this.remember(key, false);
      return null;
    }
  }

  /** A stored part, parsed; not kept (`keep` false) for the raw runs, large and read rarely (CSV export), and the columns, kept decoded. */
  private async read<T>(job: Job, part: string, keep = part !== 'runs'): Promise<T> {
    if (job.status !== 'done') {
      throw new DomainError('CONFLICT', `${job.kind} ${job.id} is ${job.status}: results exist once it is done`, [
        { field: 'id', rule: 'done', message: `status is ${job.status}` },
      ]);
    }
    return this.once(`${job.id}/${part}`, async () => {
      const body = await this.jobs.part(job.id, part);
      if (body === null) throw new DomainError('NOT_FOUND', `${job.kind} ${job.id} has no ${part}`, [{ field: 'path', rule: 'exists', message: `no ${part} stored` }]);
      // A stored text without escapes (the base64 columns, the ids and names one after the other):
      // its JSON is itself in quotes, taken as it is (JSON.parse takes ~1 s for 40 MB of it).
      return (body.length > 1 && body[0] === '"' && body[body.length - 1] === '"' && !body.includes('\\') ? body.slice(1, -1) : JSON.parse(body)) as T;
    }, keep);
  }

  /**
   * What `key` names: kept, being made (readers arriving at once on a cold assessment share it:
   * at a million entities a part is tens of megabytes, parsed and decoded in hundreds of
   * milliseconds), or made now, and kept when `keep`.
   */
  private once<T>(key: string, make: () => Promise<T>, keep = true): Promise<T> {
    const cached = this.kept(key);
    if (cached !== undefined) return Promise.resolve(cached as T);
    const pending = this.making.get(key);
    if (pending) return pending as Promise<T>;
    // Kept before it stops being pending: a reader arriving in between finds one or the other.
    const made = make()
      .then((value) => {
        if (keep) this.remember(key, value);
        return value;
      })
      .finally(() => this.making.delete(key));
    this.making.set(key, made);
    return made;
  }

  /** What is computed once from a job's parts and kept (with them, least recently used out first). */
  private derived<T>(key: string, make: () => T): T {
    const cached = this.kept(key);
    if (cached !== undefined) return cached as T;
    const value = make();
    this.remember(key, value);
    return value;
  }

  /** A kept value, made the most recently used; undefined when not kept. */
  private kept(key: string): unknown {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, cached);
    }
    return cached;
  }

  private remember(key: string, value: unknown): void {
    if (this.cache.size >= MAX_CACHED_PARTS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, value);
  }
}
