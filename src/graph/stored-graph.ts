/**
 * The stored dependency model (every entity and dependency) as the plain records the engine
 * takes: what an assessment and a simulation on the stored graph run on. The graph feature owns
 * these tables, so their bulk read lives here; a plain function on an EntityManager (no Nest).
 */
import type { EntityManager } from 'typeorm';
import type { DependencyRecord, EntityRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';
import { dependencyView, setDependency, type DependencyColumns } from '../engine/dependency-columns';

const json = <T>(v: unknown, fallback: T): T => {
  if (v === null || v === undefined) return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
/** A boolean column as the driver returns it (PostgreSQL true, SQLite 1). */
export const storedBoolean = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';

/** Rows a page of the graph read holds at once (keyset pages, so each is an index range scan). */
const GRAPH_PAGE_ROWS = 50_000;

/** Grows a typed array to at least `need` elements (doubling), keeping its contents. */
function grow<T extends Int32Array | Uint8Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Every entity and every dependency, read with plain SQL in keyset pages (no change tracking,
 * and no page of rows kept: at 1M entities and 10M dependencies all rows at once took 4 GB).
 * Entities come as records in id order; dependencies as columns of entity indexes behind a
 * read-only array view (dependencyView), in id order.
 */
export async function readGraph(m: EntityManager, pageRows = GRAPH_PAGE_ROWS): Promise<{ entities: EntityRecord[]; dependencies: readonly DependencyRecord[] }> {
  const param = m.connection.options.type === 'postgres' ? '$1' : '?';
  const entities: EntityRecord[] = [];
  const index = new Map<string, number>();
  for (let after: string | null = null; ;) {
    const rows: any[] = await m.query(
      'SELECT "id", "name", "kind", "parentId", "country", "sector", "hosts", "dailyValueUsd", "populationServed", "tags", "protected" FROM "entities"' +
        (after === null ? '' : ` WHERE "id" > ${param}`) + ` ORDER BY "id" LIMIT ${pageRows}`,
      after === null ? [] : [after],
    );
    for (const r of rows) {
      index.set(r.id, entities.length);
      entities.push({
        id: r.id,
        name: r.name,
        kind: r.kind,
        parentId: r.parentId ?? null,
        country: r.country ?? null,
        sector: r.sector ?? null,
        hosts: Number(r.hosts) || 0,
        dailyValueUsd: Number(r.dailyValueUsd) || 0,
        populationServed: Number(r.populationServed) || 0,
        tags: json<string[]>(r.tags, []),
        protected: storedBoolean(r.protected),
      });
    }
    if (rows.length < pageRows) break;
    after = rows[rows.length - 1].id;
  }
  const [{ count }] = await m.query('SELECT COUNT(*) AS "count" FROM "dependencies"');
  let capacity = Math.max(16, Number(count) || 0);
  const c: DependencyColumns = {
    format: 'spillover.dependency-columns/1',
    source: new Int32Array(capacity),
    target: new Int32Array(capacity),
    kinds: [],
    kind: new Uint8Array(capacity),
    weight: new Float64Array(capacity),
    bidirectional: new Uint8Array(capacity),
  };
  const kindIndex = new Map<string, number>();
  let n = 0;
  for (let after = -Infinity; ;) {
    const rows: any[] = await m.query(
      'SELECT "id", "sourceId", "targetId", "kind", "weight", "bidirectional" FROM "dependencies"' +
        (after === -Infinity ? '' : ` WHERE "id" > ${param}`) + ` ORDER BY "id" LIMIT ${pageRows}`,
      after === -Infinity ? [] : [after],
    );
    if (n + rows.length > capacity) {
      capacity = Math.max(n + rows.length, capacity * 2);
      c.source = grow(c.source, capacity);
      c.target = grow(c.target, capacity);
      c.kind = grow(c.kind, capacity);
      c.weight = grow(c.weight, capacity);
      c.bidirectional = grow(c.bidirectional, capacity);
    }
    for (const d of rows) {
      const s = index.get(d.sourceId);
      const t = index.get(d.targetId);
      // The foreign keys make this impossible; say which row if a database lacks them.
      if (s === undefined || t === undefined) throw new Error(`dependency ${d.id} names an entity that is not stored (${s === undefined ? d.sourceId : d.targetId})`);
      setDependency(c, kindIndex, n, s, t, d.kind, Number(d.weight), storedBoolean(d.bidirectional));
      n++;
    }
    if (rows.length < pageRows) break;
    after = Number(rows[rows.length - 1].id);
  }
  if (n < c.source.length) {
    c.source = c.source.slice(0, n);
    c.target = c.target.slice(0, n);
    c.kind = c.kind.slice(0, n);
    c.weight = c.weight.slice(0, n);
    c.bidirectional = c.bidirectional.slice(0, n);
  }
  return { entities, dependencies: dependencyView(c, entities.map((e) => e.id)) };
}
