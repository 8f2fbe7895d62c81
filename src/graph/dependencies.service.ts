import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { conflict, ErrorDetail, foundOrFail, invalid, notFound } from '../common/errors/domain-error';
import { CursorCodec, Page } from '../common/http/pagination';
import { DatabaseService } from '../database/database.service';
import { insertOrDiagnose, insertRows, tupleIndices } from '../database/bulk-sql';
import { Dependency } from './dependency.entity';
import { EntityNode } from './entity-node.entity';
import { DEPENDENCY_KINDS } from '../domain/vocabulary';
import { throwRowErrors } from '../common/errors/row-errors';
import { filterValues } from '../common/http/query-filters';
import type { DependencyRecord } from '../domain/records';
import { checkDependencySet, checkNewDependency, dependencySkeleton, type DependencyInput, type NewDependency } from '../domain/rules/dependency';

const DEPENDENCIES_CURSOR = new CursorCodec('dependencies', ['int'] as const);

export interface DependencyListQuery {
  limit: number;
  cursor?: string;
  entityId?: string;
  /** With entityId: `out` (entityId is the source), `in` (the target), `both` (default). */
  direction?: 'in' | 'out' | 'both';
  kind?: string;
}

const DEPENDENCY_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional'] as const;
const AUDIT_EACH_MAX = 100;

@Injectable()
export class DependenciesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
  ) {}

  /** The positions in `arcs` of the stored dependencies (same source, target and kind), inside the caller's transaction. */
  storedIndicesWithin(m: EntityManager, arcs: readonly Pick<DependencyRecord, 'sourceId' | 'targetId' | 'kind'>[]): Promise<number[]> {
    return tupleIndices(m, 'present', 'dependencies', ['sourceId', 'targetId', 'kind'], arcs.map((d) => [d.sourceId, d.targetId, d.kind]));
  }

  /**
   * Validates and inserts dependencies inside the caller's transaction. Every row is checked
   * (shape, self-loop, weight in [0,1], both endpoints stored, no duplicate `source, target,
   * kind` in the batch or the database); on any error nothing is written and the DomainError
   * lists every bad row. Returns the number inserted. Endpoints must already exist in this
   * transaction (insert entities first). Stable signature: the scenario loader calls it.
   */
  async createWithin(
    m: EntityManager,
    inputs: readonly (DependencyInput | Record<string, unknown>)[],
    actor: Principal | null,
    options: { rowOffset?: number; auditAction?: string; text?: boolean } = {},
  ): Promise<number> {
    const rowOffset = options.rowOffset ?? 0;
    const errors: ErrorDetail[] = [];
    const rows = inputs.map((_, i) => i + 1 + rowOffset);
    const values: (NewDependency | null)[] = new Array(inputs.length);
    // Bad rows keep their endpoints (a skeleton) so references and duplicates are still checked over them.
    const records: (DependencyRecord | null)[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const { value, errors: e } = checkNewDependency(inputs[i], rows[i], options.text ?? false);
      if (e.length) errors.push(...e);
      values[i] = value;
      const input = inputs[i];
      records[i] = value ?? (typeof input === 'object' && input !== null && !Array.isArray(input) ? dependencySkeleton(input as Record<string, unknown>) : null);
    }
    const rowErrors = errors.length;
    // Every problem of every row: unknown endpoints, duplicates in the request (src/domain/rules/dependency.ts)
    // and arcs already stored. Run up front when some row is already known to be bad, else only
    // when the database refuses the insert (the clean import pays for no look-up).
    const diagnose = async (): Promise<ErrorDetail[]> => {
      const all = errors.slice(0, rowErrors);
      const endpoints = new Set<string>();
      for (const r of records) if (r) { endpoints.add(r.sourceId); endpoints.add(r.targetId); }
      const ends = [...endpoints];
      const missing = new Set((await tupleIndices(m, 'absent', 'entities', ['id'], ends.map((id) => [id]))).map((i) => ends[i]));
      const before = all.length;
      checkDependencySet(records, { position: new Map(), has: (id) => !missing.has(id) }, all, { rows });
      const bad = new Set(all.slice(before).map((e) => e.row));
      const candidates = values.flatMap((v, i) => (v && !bad.has(rows[i]) ? [{ row: rows[i], value: v }] : []));
      const clashes = await this.storedIndicesWithin(m, candidates.map(({ value }) => value));
      for (const i of clashes) all.push({ row: candidates[i].row, field: 'targetId', rule: 'unique', message: 'this dependency (source, target, kind) already exists' });
      return all.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    };
    const fail = (details: ErrorDetail[]): never => {
      throwRowErrors('dependency', details);
    };
    // Duplicates within the request are found here without the database.
    checkDependencySet(records, { position: new Map(), has: () => true }, errors, { rows });
    if (errors.length) fail(await diagnose());
    const ok = values as NewDependency[];
    // Inserting in (source, target) order keeps the unique index's B-tree pages hot: about a
    // third faster on large imports. Ids therefore follow that order, not the input's.
    const tuples = ok.map((d) => [d.sourceId, d.targetId, d.kind, d.weight, d.bidirectional]);
    if (tuples.length > 1000) tuples.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    await insertOrDiagnose(m, () => insertRows(m, 'dependencies', DEPENDENCY_COLUMNS, tuples).then(() => undefined), diagnose, fail);
    if (ok.length <= AUDIT_EACH_MAX && options.auditAction !== 'bulk-create') {
      for (const value of ok) await this.audit.record(m, actor, options.auditAction ?? 'create', 'dependency', `${value.sourceId}->${value.targetId}:${value.kind}`);
    } else {
      await this.audit.record(m, actor, options.auditAction ?? 'bulk-create', 'dependency', `${ok.length} dependencies`, { count: ok.length });
    }
    return ok.length;
  }

  async create(body: unknown, actor: Principal): Promise<Dependency> {
    return this.db.write(async (m) => {
      const { value, errors } = checkNewDependency(body);
      if (!value) throw invalid(`invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
      for (const field of ['sourceId', 'targetId'] as const) {
        if (!(await m.existsBy(EntityNode, { id: value[field] }))) throw notFound('entity', value[field], field);
      }
      const same = { sourceId: value.sourceId, targetId: value.targetId, kind: value.kind };
      if (await m.existsBy(Dependency, same)) {
        throw conflict('this dependency already exists', [{ field: 'targetId', rule: 'unique', message: 'a dependency with this source, target and kind exists' }]);
      }
      await this.createWithin(m, [value], actor);
      return m.findOneByOrFail(Dependency, same);
    });
  }

  async bulkCreate(rows: readonly unknown[], actor: Principal, options: { text?: boolean } = {}): Promise<{ created: number }> {
    const result = await this.db.write(async (m) => ({ created: await this.createWithin(m, rows as Record<string, unknown>[], actor, { text: options.text, auditAction: 'bulk-create' }) }));
    await this.db.analyzeAfterBulk('dependencies', result.created);
    return result;
  }

  get(id: number): Promise<Dependency> {
    return this.db.read(async (m) => foundOrFail(await m.findOneBy(Dependency, { id }), 'dependency', String(id)));
  }

  /**
   * Lists dependencies in id order. `entityId` with `direction=out` gives the arcs leaving the
   * entity, `in` those reaching it; a bidirectional dependency counts in both directions.
   */
  list(query: DependencyListQuery): Promise<Page<Dependency>> {
    return this.db.read(async (m) => {
      const qb = m.getRepository(Dependency).createQueryBuilder('d').orderBy('d.id', 'ASC').take(query.limit + 1);
      if (query.entityId) {
        const out = 'd.sourceId = :entityId';
        const inn = 'd.targetId = :entityId';
        const clause =
          query.direction === 'out' ? `(${out} OR (${inn} AND d.bidirectional = :yes))`
          : query.direction === 'in' ? `(${inn} OR (${out} AND d.bidirectional = :yes))`
          : `(${out} OR ${inn})`;
        qb.andWhere(clause, { entityId: query.entityId, yes: true });
      }
      const kinds = filterValues('kind', query.kind, (k) => ((DEPENDENCY_KINDS as readonly string[]).includes(k) ? k : null), 'isIn', DEPENDENCY_KINDS.join(', '));
      if (kinds.length) qb.andWhere('d.kind IN (:...kinds)', { kinds });
      if (query.cursor) qb.andWhere('d.id > :after', { after: DEPENDENCIES_CURSOR.decode(query.cursor)[0] });
      const rows = await qb.getMany();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: more ? DEPENDENCIES_CURSOR.encode(items[items.length - 1].id) : null };
    });
  }

  async remove(id: number, actor: Principal): Promise<Dependency> {
    return this.db.write(async (m) => {
      const dep = foundOrFail(await m.findOneBy(Dependency, { id }), 'dependency', String(id));
      await m.delete(Dependency, { id });
      await this.audit.record(m, actor, 'delete', 'dependency', String(id), { sourceId: dep.sourceId, targetId: dep.targetId, kind: dep.kind });
      return dep;
    });
  }
}
