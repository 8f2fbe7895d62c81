import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { conflict, ErrorDetail, foundOrFail, invalid, notFound } from '../common/errors/domain-error';
import { decodeCursor, encodeCursor, Page } from '../common/http/pagination';
import { DatabaseService } from '../database/database.service';
import { insertRows, tupleIndices } from './bulk-sql';
import { Dependency } from './dependency.entity';
import { EntityNode } from './entity-node.entity';
import { throwRowErrors } from './entities.service';
import { checkDependency, DependencyInput, NewDependency } from './entity-rules';

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
const edgeKey = (d: { sourceId: string; targetId: string; kind: string }) => `${d.sourceId}\u0000${d.targetId}\u0000${d.kind}`;

@Injectable()
export class DependenciesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
  ) {}

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
    options: { rowOffset?: number; auditAction?: string } = {},
  ): Promise<number> {
    const rowOffset = options.rowOffset ?? 0;
    const errors: ErrorDetail[] = [];
    const ok: { row: number; value: NewDependency }[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; i < inputs.length; i++) {
      const row = i + 1 + rowOffset;
      const { value, errors: e } = checkDependency(inputs[i], row);
      if (!value) { errors.push(...e); continue; }
      const key = edgeKey(value);
      const first = seen.get(key);
      if (first !== undefined) { errors.push({ row, field: 'targetId', rule: 'duplicate', message: `same source, target and kind as row ${first}` }); continue; }
      seen.set(key, row);
      ok.push({ row, value });
    }
    const endpoints = new Set<string>();
    for (const { value } of ok) { endpoints.add(value.sourceId); endpoints.add(value.targetId); }
    const ends = [...endpoints];
    const missing = new Set((await tupleIndices(m, 'absent', 'entities', ['id'], ends.map((id) => [id]))).map((i) => ends[i]));
    const clashes = await tupleIndices(m, 'present', 'dependencies', ['sourceId', 'targetId', 'kind'], ok.map(({ value: d }) => [d.sourceId, d.targetId, d.kind]));
    if (missing.size) {
      for (const { row, value } of ok) {
        for (const field of ['sourceId', 'targetId'] as const) {
          if (missing.has(value[field])) errors.push({ row, field, rule: 'exists', message: `no entity '${value[field]}'` });
        }
      }
    }
    for (const i of clashes) errors.push({ row: ok[i].row, field: 'targetId', rule: 'unique', message: 'this dependency (source, target, kind) already exists' });
    if (errors.length) {
      errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      if (inputs.length === 1 && rowOffset === 0) errors.forEach((e) => delete e.row);
      throwRowErrors('dependency', errors);
    }
    // Inserting in (source, target) order keeps the unique index's B-tree pages hot: about a
    // third faster on large imports. Ids therefore follow that order, not the input's.
    const rows = ok.map(({ value: d }) => [d.sourceId, d.targetId, d.kind, d.weight, d.bidirectional]);
    if (rows.length > 1000) rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    await insertRows(m, 'dependencies', DEPENDENCY_COLUMNS, rows);
    if (ok.length <= AUDIT_EACH_MAX && options.auditAction !== 'bulk-create') {
      for (const { value } of ok) await this.audit.record(m, actor, options.auditAction ?? 'create', 'dependency', `${value.sourceId}->${value.targetId}:${value.kind}`);
    } else {
      await this.audit.record(m, actor, options.auditAction ?? 'bulk-create', 'dependency', `${ok.length} dependencies`, { count: ok.length });
    }
    return ok.length;
  }

  async create(body: unknown, actor: Principal): Promise<Dependency> {
    return this.db.write(async (m) => {
      const { value, errors } = checkDependency(body);
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

  async bulkCreate(rows: readonly unknown[], actor: Principal, rowOffset = 0): Promise<{ created: number }> {
    return this.db.write(async (m) => ({ created: await this.createWithin(m, rows as Record<string, unknown>[], actor, { rowOffset, auditAction: 'bulk-create' }) }));
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
      const kinds = query.kind ? query.kind.split(',').map((s) => s.trim()).filter(Boolean) : [];
      if (kinds.length) qb.andWhere('d.kind IN (:...kinds)', { kinds });
      if (query.cursor) {
        const after = Number(decodeCursor(query.cursor));
        if (!Number.isInteger(after)) throw invalid('invalid cursor', [{ field: 'cursor', rule: 'cursor', message: 'pass the nextCursor of the previous page unchanged' }]);
        qb.andWhere('d.id > :after', { after });
      }
      const rows = await qb.getMany();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: more ? encodeCursor(String(items[items.length - 1].id)) : null };
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
