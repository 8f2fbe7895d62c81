import { whereEntityVisible } from '../tlp/policy';
import { Injectable } from '@nestjs/common';
import { EntityManager, In, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { conflict, ErrorDetail, foundOrFail, invalid, notFound, unprocessable } from '../common/errors/domain-error';
import { throwRowErrors } from '../common/errors/row-errors';
import { filterValues, likeEscape } from '../common/http/query-filters';
import { CursorCodec, Page } from '../common/http/pagination';
import { lockKeys } from '../common/locks/key-locks';
import { DatabaseService } from '../database/database.service';
import { deleteIn, insertOrDiagnose, insertRows, quote as q, selectIn, tupleIndices } from '../database/bulk-sql';
import type { EntityRecord, WeaponTargeting } from '../domain/records';
import { checkEntitySet, checkNewEntity, entitySkeleton, type EntityInput, type NewEntity } from '../domain/rules/entity';
import { EntityNode } from './entity-node.entity';
import { parentsFirst } from './parents-first';
import { wholeOrganisations } from './whole-organisations';
import type { UpdateEntityDto } from './dto/entity.dto';
import { ENTITY_KINDS, SECTORS } from '../domain/vocabulary';
import { normaliseCountry } from '../domain/countries';
import { normaliseSector } from '../domain/sectors';

const ENTITIES_CURSOR = new CursorCodec('entities', ['id'] as const);

export interface EntityListQuery {
  limit: number;
  cursor?: string;
  country?: string;
  sector?: string;
  kind?: string;
  tag?: string;
  q?: string;
  parentId?: string;
}

export interface CreateWithinOptions {
  /** Added to the 1-based row numbers of error details (e.g. 1 when a CSV header is row 1). */
  rowOffset?: number;
  /** The inputs are CSV cells (strings): numbers, booleans and `;`-separated tags are parsed from text. */
  text?: boolean;
  /** Audit action; defaults to `create` (one entry per entity) or `bulk-create` (one summary entry) above 100 entities. */
  auditAction?: string;
}

const AUDIT_EACH_MAX = 100;
const ENTITY_COLUMNS = ['id', 'name', 'kind', 'parentId', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected', 'stixId'] as const;

@Injectable()
export class EntitiesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
  ) {}

  // ---- for other services: inside the caller's transaction ----

  /**
   * Validates and inserts entities inside the caller's transaction: every row is checked
   * (shape, duplicate ids in the batch or the database, unknown parents, hierarchy cycles) and
   * on any error nothing is written and a DomainError lists every bad row (400 malformed,
   * 422 references). Parents are inserted before children whatever the input order.
   * Returns the normalised records in input order. Signature is stable: reports and the
   * scenario loader call it.
   */
  async createWithin(m: EntityManager, inputs: readonly (EntityInput | Record<string, unknown>)[], actor: Principal | null, options: CreateWithinOptions = {}): Promise<NewEntity[]> {
    const ordered = await this.insertChecked(m, inputs, options.rowOffset ?? 0, options.text ?? false);
    await this.auditCreated(m, actor, ordered.map((e) => e.id), options.auditAction);
    const byId = new Map(ordered.map((e) => [e.id, e]));
    return inputs.map((i) => byId.get(String((i as EntityInput).id))!);
  }

  /**
   * Returns the stored entity with `input.id` (or, when given, `input.stixId`), or creates it
   * from `input` inside the caller's transaction. An existing entity is never modified.
   */
  async findOrCreateWithin(m: EntityManager, input: EntityInput, actor: Principal | null): Promise<{ entity: EntityNode; created: boolean }> {
    const existing =
      (input.id ? await m.findOneBy(EntityNode, { id: input.id }) : null) ??
      (input.stixId ? await m.findOneBy(EntityNode, { stixId: input.stixId }) : null);
    if (existing) return { entity: existing, created: false };
    await this.createWithin(m, [input], actor);
    return { entity: await m.findOneByOrFail(EntityNode, { id: input.id }), created: true };
  }

  /** The stored entities among `ids` (missing ones are simply absent). */
  async findManyWithin(m: EntityManager, ids: readonly string[]): Promise<EntityNode[]> {
    const unique = [...new Set(ids)];
    const out: EntityNode[] = [];
    for (let start = 0; start < unique.length; start += 5000) out.push(...(await m.findBy(EntityNode, { id: In(unique.slice(start, start + 5000)) })));
    return out;
  }

  /**
   * Serialises, until the caller's transaction ends, every transaction creating one of `ids` (the
   * lock POST /v1/entities takes), so "create if absent" runs once per id.
   */
  lockIdsWithin(m: EntityManager, ids: readonly string[]): Promise<void> {
    return lockKeys(m, 'entities', ids);
  }

  /** The positions in `ids` of the stored entities (one look-up per 200,000 ids), inside the caller's transaction. */
  storedIndicesWithin(m: EntityManager, ids: readonly string[]): Promise<number[]> {
    return tupleIndices(m, 'present', 'entities', ['id'], ids.map((id) => [id]));
  }

  /** Which of `ids` name stored entities. */
  async existingIdsWithin(m: EntityManager, ids: Iterable<string>): Promise<Set<string>> {
    return new Set((await selectIn<{ id: string }>(m, 'entities', ['id'], 'id', ids)).map((e) => e.id));
  }

  /** The ids of the stored entities with these STIX ids, by STIX id. */
  async idsByStixIdWithin(m: EntityManager, stixIds: Iterable<string>): Promise<Map<string, string>> {
    return new Map((await selectIn<{ id: string; stixId: string }>(m, 'entities', ['id', 'stixId'], 'stixId', stixIds)).map((e) => [e.stixId, e.id]));
  }

  /** `ids` and the whole organisations of the stored ones (top-level ancestor and every entity below), inside the caller's transaction. */
  wholeOrganisationsWithin(m: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    return wholeOrganisations(m, ids);
  }

  /** The ids of at most `limit` entities named `name` (ignoring case), in id order. */
  async idsNamedWithin(m: EntityManager, name: string, limit: number): Promise<string[]> {
    return (await m.createQueryBuilder(EntityNode, 'e').where('LOWER(e.name) = LOWER(:name)', { name }).orderBy('e.id').limit(limit).getMany()).map((e) => e.id);
  }

  /**
   * A page of the entities `targeting` designates (the rule of src/weapons/targeting.ts, in
   * SQL), in id order after `afterId`: at most `limit`, and whether more follow.
   */
  async targetedWithin(m: EntityManager, t: WeaponTargeting, page: { limit: number; afterId?: string }): Promise<{ items: EntityNode[]; more: boolean }> {
    const pg = m.connection.options.type === 'postgres';
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), pg ? `$${params.length}` : '?');
    const conditions: string[] = [];
    if (t.entityIds?.length) conditions.push(`e."id" IN (${t.entityIds.map(p).join(', ')})`);
    const selectors: string[] = [];
    if (t.countries?.length) selectors.push(`e."country" IN (${t.countries.map(p).join(', ')})`);
    if (t.sectors?.length) selectors.push(`e."sector" IN (${t.sectors.map(p).join(', ')})`);
    if (t.tags?.length) selectors.push(`(${t.tags.map((tag) => `e."tags" LIKE ${p(`%${likeEscape(JSON.stringify(tag))}%`)} ESCAPE '\\'`).join(' OR ')})`);
    if (selectors.length) conditions.push(`(${selectors.join(' AND ')})`);
    if (!conditions.length) return { items: [], more: false };
    let where = `(${conditions.join(' OR ')})`;
    if (page.afterId !== undefined) where += ` AND e."id" > ${p(page.afterId)}`;
    const rows: { id: string }[] = await m.query(`SELECT e."id" FROM "entities" e WHERE ${where} ORDER BY e."id" LIMIT ${page.limit + 1}`, params);
    const ids = rows.slice(0, page.limit).map((r) => r.id);
    const items = ids.length ? await m.getRepository(EntityNode).createQueryBuilder('e').whereInIds(ids).orderBy('e.id', 'ASC').getMany() : [];
    return { items, more: rows.length > page.limit };
  }

  /**
   * Records where entities came from (the TLP and organisation of the report that created them
   * inline): they are listed only to readers who may see that report (src/tlp/policy.ts).
   */
  async setOriginWithin(m: EntityManager, ids: readonly string[], origin: { tlp: string; organizationId: string | null }): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      await m.createQueryBuilder().update(EntityNode).set({ originTlp: origin.tlp, originOrganizationId: origin.organizationId }).where('id IN (:...ids)', { ids: ids.slice(i, i + 500) }).execute();
    }
  }

  // ---- HTTP operations: one transaction each ----

  async create(body: unknown, actor: Principal): Promise<EntityNode> {
    return this.db.write(async (m) => {
      const { value, errors } = checkNewEntity(body);
      if (!value) throw invalid(`invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
      // A concurrent create of the same id waits here, then sees it taken: 409 for every loser.
      await this.lockIdsWithin(m, [value.id]);
      if (await m.existsBy(EntityNode, { id: value.id })) {
        throw conflict(`entity '${value.id}' already exists`, [{ field: 'id', rule: 'unique', message: `'${value.id}' is taken` }]);
      }
      if (value.parentId && !(await m.existsBy(EntityNode, { id: value.parentId }))) throw notFound('entity', value.parentId, 'parentId');
      if (value.stixId && (await m.existsBy(EntityNode, { stixId: value.stixId }))) {
        throw conflict(`stixId '${value.stixId}' already belongs to an entity`, [{ field: 'stixId', rule: 'unique', message: 'stixId is taken' }]);
      }
      await this.createWithin(m, [value], actor);
      return m.findOneByOrFail(EntityNode, { id: value.id });
    });
  }

  /** Bulk create from JSON objects (or CSV rows already parsed into objects): all or nothing. */
  async bulkCreate(rows: readonly unknown[], actor: Principal, options: { text?: boolean } = {}): Promise<{ created: number }> {
    const result = await this.db.write(async (m) => {
      const created = await this.createWithin(m, rows as Record<string, unknown>[], actor, { text: options.text, auditAction: 'bulk-create' });
      return { created: created.length };
    });
    await this.db.analyzeAfterBulk('entities', result.created);
    return result;
  }

  /** One entity as `reader` may see it: 404 for an entity created inline by a report hidden from it. */
  /** The number of stored entities (whoever may see them). */
  count(): Promise<number> {
    return this.db.read((m) => m.count(EntityNode));
  }

  get(id: string, reader: Principal): Promise<EntityNode> {
    return this.db.read(async (m) => foundOrFail(await whereEntityVisible(m.getRepository(EntityNode).createQueryBuilder('e'), reader).andWhere('e.id = :id', { id }).getOne(), 'entity', id));
  }

  list(query: EntityListQuery, reader: Principal): Promise<Page<EntityNode>> {
    return this.db.read(async (m) => {
      const qb = whereEntityVisible(m.getRepository(EntityNode).createQueryBuilder('e'), reader).orderBy('e.id', 'ASC').take(query.limit + 1);
      const countries = filterValues('country', query.country, normaliseCountry, 'isoCountry', 'ISO 3166-1 alpha-2 codes');
      if (countries.length) qb.andWhere('e.country IN (:...countries)', { countries });
      const sectors = filterValues('sector', query.sector, normaliseSector, 'isIn', `CISA sectors: ${SECTORS.join(', ')}`);
      if (sectors.length) qb.andWhere('e.sector IN (:...sectors)', { sectors });
      const kinds = filterValues('kind', query.kind, (k) => ((ENTITY_KINDS as readonly string[]).includes(k) ? k : null), 'isIn', ENTITY_KINDS.join(', '));
      if (kinds.length) qb.andWhere('e.kind IN (:...kinds)', { kinds });
      // Tags are a JSON array of strings: match the quoted element.
      if (query.tag) qb.andWhere(`e.tags LIKE :tag ESCAPE '\\'`, { tag: `%${likeEscape(JSON.stringify(query.tag.toLowerCase()))}%` });
      if (query.q) qb.andWhere(`LOWER(e.name) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(query.q.toLowerCase())}%` });
      if (query.parentId) qb.andWhere('e.parentId = :parentId', { parentId: query.parentId });
      if (query.cursor) qb.andWhere('e.id > :after', { after: ENTITIES_CURSOR.decode(query.cursor)[0] });
      const rows = await qb.getMany();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: more ? ENTITIES_CURSOR.encode(items[items.length - 1].id) : null };
    });
  }

  /**
   * Changes the given fields; the merged entity passes the same rules as a new one. When the
   * sector or kind changes and `protected` is not given, `protected` is recomputed from them.
   */
  async update(id: string, patch: UpdateEntityDto, actor: Principal): Promise<EntityNode> {
    return this.db.write(async (m) => {
      const current = foundOrFail(await m.findOneBy(EntityNode, { id }), 'entity', id);
      // The fields sent (a DTO instance holds the others as undefined).
      const p: Record<string, unknown> = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const errors: ErrorDetail[] = [];
      if ('id' in p && p.id !== id) errors.push({ field: 'id', rule: 'immutable', message: 'id cannot be changed' });
      const { createdAt: _c, updatedAt: _u, parent: _p, originTlp: _t, originOrganizationId: _o, ...stored } = current;
      const merged: Record<string, unknown> = { ...stored, ...p, id };
      if (!('protected' in p) && (('sector' in p && p.sector !== current.sector) || ('kind' in p && p.kind !== current.kind))) {
        delete merged.protected;
      }
      const { value, errors: ruleErrors } = checkNewEntity(merged);
      errors.push(...ruleErrors);
      if (!value || errors.length) throw invalid(`invalid input: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
      if (value.parentId && value.parentId !== current.parentId) {
        if (!(await m.existsBy(EntityNode, { id: value.parentId }))) throw notFound('entity', value.parentId, 'parentId');
        const chain = await this.ancestors(m, value.parentId);
        if (chain.includes(id)) {
          throw unprocessable('the new parent would make a cycle', [
            { field: 'parentId', rule: 'cycle', message: `'${value.parentId}' is a descendant of '${id}': ${[...chain.slice(0, chain.indexOf(id) + 1)].reverse().join(' > ')}` },
          ]);
        }
      }
      if (value.stixId && value.stixId !== current.stixId && (await m.existsBy(EntityNode, { stixId: value.stixId }))) {
        throw conflict(`stixId '${value.stixId}' already belongs to an entity`, [{ field: 'stixId', rule: 'unique', message: 'stixId is taken' }]);
      }
      const changed = Object.fromEntries(
        Object.entries(value).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((current as any)[k])),
      ) as Partial<NewEntity>;
      if (Object.keys(changed).length) {
        await m.update(EntityNode, { id }, changed);
        await this.audit.record(m, actor, 'update', 'entity', id, { changed: Object.keys(changed) });
      }
      return m.findOneByOrFail(EntityNode, { id });
    });
  }

  /**
   * Deletes an entity. Refused (409) while children, dependencies, reports or any other table
   * refer to it, unless `cascade`: then its whole subtree goes, with every row referring to
   * any entity of the subtree (dependencies, reports, ...). The audit entry keeps the counts.
   */
  async remove(id: string, cascade: boolean, actor: Principal): Promise<{ deleted: Record<string, number> }> {
    return this.db.write(async (m) => {
      if (!(await m.existsBy(EntityNode, { id }))) throw notFound('entity', id);
      const refs = this.referencingColumns(m);
      if (!cascade) {
        const details: ErrorDetail[] = [];
        for (const ref of refs) {
          const n = await this.countWhereIn(m, ref.table, [ref.column], [id]);
          if (n > 0) details.push({ field: 'id', rule: 'referenced', message: `${n} row(s) of ${ref.table}.${ref.column} refer to '${id}'` });
        }
        if (details.length) throw conflict(`entity '${id}' is referred to; pass cascade=true (admin) to delete it with what refers to it`, details);
        await m.delete(EntityNode, { id });
        await this.audit.record(m, actor, 'delete', 'entity', id);
        return { deleted: { entities: 1 } };
      }
      const levels = await this.descendantLevels(m, id);
      const subtree = levels.flat();
      const deleted: Record<string, number> = {};
      try {
        for (const ref of refs) {
          if (ref.table === 'entities') continue;
          const n = await this.countWhereIn(m, ref.table, [ref.column], subtree);
          if (n > 0) {
            await deleteIn(m, ref.table, ref.column, subtree);
            deleted[ref.table] = (deleted[ref.table] ?? 0) + n;
          }
        }
        // Deepest level first: the parentId foreign key is checked row by row on PostgreSQL (RESTRICT).
        for (let l = levels.length - 1; l >= 0; l--) await deleteIn(m, 'entities', 'id', levels[l]);
      } catch (err) {
        if (err instanceof QueryFailedError) {
          throw conflict(`entity '${id}' cannot be deleted: other data still refers to its subtree`, [
            { field: 'id', rule: 'referenced', message: 'another table refers to rows that would be deleted' },
          ]);
        }
        throw err;
      }
      deleted.entities = subtree.length;
      await this.audit.record(m, actor, 'delete', 'entity', id, { cascade: true, deleted, subtree: subtree.slice(0, 100) });
      return { deleted };
    });
  }

  // ---- internals ----

  /** Validates a batch against itself and the database; returns it parents-first or throws listing every bad row. */
  /**
   * Checks a batch and inserts it parents-first, or throws listing every bad row. Row shapes,
   * duplicates and cycles within the batch are checked in memory; ids already stored and
   * parents missing from the database are left to the database's own constraints, and only when
   * it refuses the insert (or some row is already known to be bad) do the look-ups run that name
   * every offending row.
   */
  private async insertChecked(m: EntityManager, inputs: readonly unknown[], rowOffset: number, text: boolean): Promise<NewEntity[]> {
    const errors: ErrorDetail[] = [];
    const rows = inputs.map((_, i) => i + 1 + rowOffset);
    // Bad rows keep their id and parentId (a skeleton) so duplicates, references and cycles are still checked over them.
    const records: (EntityRecord | null)[] = new Array(inputs.length);
    const values: (NewEntity | null)[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const { value, errors: e } = checkNewEntity(inputs[i], rows[i], text);
      if (e.length) errors.push(...e);
      values[i] = value;
      const input = inputs[i];
      records[i] = value ?? (typeof input === 'object' && input !== null && !Array.isArray(input) ? entitySkeleton(input as Record<string, unknown>) : null);
    }
    const rowErrors = errors.length;
    const stixDuplicates = (): ErrorDetail[] => {
      const out: ErrorDetail[] = [];
      const stixRow = new Map<string, number>();
      values.forEach((v, i) => {
        if (!v?.stixId) return;
        const first = stixRow.get(v.stixId);
        if (first !== undefined) out.push({ row: rows[i], field: 'stixId', rule: 'duplicate', message: `stixId is already used on row ${first}` });
        else stixRow.set(v.stixId, rows[i]);
      });
      return out;
    };

    const diagnose = async (): Promise<ErrorDetail[]> => {
      const all = errors.slice(0, rowErrors);
      const declared = new Set<string>();
      for (const r of records) if (r) declared.add(r.id);
      const outside = [...new Set(records.flatMap((r) => (r?.parentId && !declared.has(r.parentId) ? [r.parentId] : [])))];
      const missing = new Set((await tupleIndices(m, 'absent', 'entities', ['id'], outside.map((id) => [id]))).map((i) => outside[i]));
      // Duplicates, unknown parents and cycles: src/domain/rules/entity.ts, with stored entities as known parents.
      const index = checkEntitySet(records, all, { rows, known: (id) => !missing.has(id) });
      all.push(...stixDuplicates());
      const firsts = values.flatMap((v, i) => (v && index.position.get(v.id) === i ? [{ row: rows[i], v }] : []));
      for (const i of await this.storedIndicesWithin(m, firsts.map(({ v }) => v.id))) {
        all.push({ row: firsts[i].row, field: 'id', rule: 'unique', message: `entity '${firsts[i].v.id}' already exists` });
      }
      const withStix = firsts.filter(({ v }) => v.stixId);
      for (const i of await tupleIndices(m, 'present', 'entities', ['stixId'], withStix.map(({ v }) => [v.stixId!]))) {
        all.push({ row: withStix[i].row, field: 'stixId', rule: 'unique', message: 'stixId already belongs to a stored entity' });
      }
      return all.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    };
    const fail = (details: ErrorDetail[]): never => {
      throwRowErrors('entity', details);
    };

    // In memory: duplicates and cycles within the batch (parents outside it are assumed stored
    // here; a stored entity cannot be the child of a new one, so they cannot close a cycle).
    checkEntitySet(records, errors, { rows, known: () => true });
    errors.push(...stixDuplicates());
    if (errors.length) fail(await diagnose());
    const order = parentsFirst(values as NewEntity[]).order;
    await insertOrDiagnose(m, () => insertRows(m, 'entities', ENTITY_COLUMNS, order.map(toRow)).then(() => undefined), diagnose, fail);
    return order;
  }

  private async auditCreated(m: EntityManager, actor: Principal | null, ids: string[], action?: string) {
    if (ids.length <= AUDIT_EACH_MAX && action !== 'bulk-create') {
      for (const id of ids) await this.audit.record(m, actor, action ?? 'create', 'entity', id);
    } else {
      await this.audit.record(m, actor, action ?? 'bulk-create', 'entity', `${ids.length} entities`, {
        count: ids.length, ids: ids.slice(0, 100), truncated: ids.length > 100,
      });
    }
  }

  /** Ancestors of `id`, nearest first, starting with `id` itself. */
  private async ancestors(m: EntityManager, id: string): Promise<string[]> {
    const chain: string[] = [];
    let cur: string | null = id;
    while (cur && !chain.includes(cur)) {
      chain.push(cur);
      const row: { parentId: string | null } | undefined = (await m.query(`SELECT ${q('parentId')} FROM ${q('entities')} WHERE ${q('id')} = ${this.ph(m, 1)}`, [cur]))[0];
      cur = row?.parentId ?? null;
    }
    return chain;
  }

  /** `[[id], [children], [grandchildren], ...]`. */
  private async descendantLevels(m: EntityManager, id: string): Promise<string[][]> {
    const levels = [[id]];
    for (;;) {
      const rows = await selectIn<{ id: string }>(m, 'entities', ['id'], 'parentId', levels[levels.length - 1]);
      if (!rows.length) return levels;
      levels.push(rows.map((r) => r.id));
    }
  }

  /**
   * Columns of other tables that hold entity ids: foreign keys to `entities` declared in the
   * TypeORM metadata, plus `reports.entityId` when the reports feature is registered without one.
   */
  private referencingColumns(m: EntityManager): { table: string; column: string }[] {
    const out = new Map<string, { table: string; column: string }>();
    for (const meta of m.connection.entityMetadatas) {
      for (const fk of meta.foreignKeys) {
        if (fk.referencedTablePath !== 'entities' && fk.referencedEntityMetadata?.tableName !== 'entities') continue;
        for (const col of fk.columnNames) out.set(`${meta.tableName}.${col}`, { table: meta.tableName, column: col });
      }
      if (meta.tableName === 'reports' && meta.findColumnWithDatabaseName('entityId')) out.set('reports.entityId', { table: 'reports', column: 'entityId' });
    }
    return [...out.values()];
  }

  private async countWhereIn(m: EntityManager, table: string, columns: string[], ids: string[]): Promise<number> {
    let n = 0;
    for (let start = 0; start < ids.length; start += 5000) {
      const chunk = ids.slice(start, start + 5000);
      const where = columns.map((c) => `${q(c)} IN (${chunk.map((_, i) => this.ph(m, i + 1)).join(', ')})`).join(' OR ');
      const [row] = await m.query(`SELECT COUNT(*) AS n FROM ${q(table)} WHERE ${where}`, chunk);
      n += Number(row.n);
    }
    return n;
  }

  private ph(m: EntityManager, n: number) {
    return m.connection.options.type === 'postgres' ? `$${n}` : '?';
  }
}

const toRow = (e: NewEntity): unknown[] => [
  e.id, e.name, e.kind, e.parentId, e.country, e.sector, e.hosts, e.dailyValueUsd, e.populationServed, JSON.stringify(e.tags), e.protected, e.stixId,
];
