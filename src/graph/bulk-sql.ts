/**
 * Fast multi-row SQL for bulk imports: parameterised `INSERT ... VALUES (...), (...)` in
 * chunks and chunked `IN (...)` look-ups, on the caller's (transactional) EntityManager.
 * Per-row ORM saves cost a round trip and change tracking each; these do one statement per
 * chunk. Works on SQLite (`?` placeholders) and PostgreSQL (`$n`).
 */
import type { EntityManager } from 'typeorm';

/** SQLite's default limit is 32,766 bound parameters per statement, PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;
/** Past a few hundred rows a statement gets no faster, only bigger to parse. */
const MAX_ROWS = 1_000;

const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function placeholders(m: EntityManager, count: number, start: number): string[] {
  const pg = isPostgres(m);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = pg ? `$${start + i + 1}` : '?';
  return out;
}

/** Inserts rows (arrays of values in `columns` order) in chunks; returns the number inserted. */
export async function insertRows(m: EntityManager, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const perChunk = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES `;
  const pg = isPostgres(m);
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const tuples: string[] = new Array(chunk.length);
    for (let r = 0; r < chunk.length; r++) {
      const row = chunk[r];
      const ph = placeholders(m, columns.length, params.length);
      tuples[r] = `(${ph.join(', ')})`;
      for (const v of row) params.push(pg ? v : typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    await m.query(head + tuples.join(', '), params);
  }
  return rows.length;
}

/** `SELECT columns FROM table WHERE column IN (values)` in chunks; the values need not be unique. */
export async function selectIn<T = Record<string, unknown>>(
  m: EntityManager,
  table: string,
  columns: readonly string[],
  column: string,
  values: Iterable<unknown>,
): Promise<T[]> {
  const unique = [...new Set(values)];
  const out: T[] = [];
  const perChunk = 5_000;
  for (let start = 0; start < unique.length; start += perChunk) {
    const chunk = unique.slice(start, start + perChunk);
    const sql = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${quote(column)} IN (${placeholders(m, chunk.length, 0).join(', ')})`;
    out.push(...((await m.query(sql, chunk)) as T[]));
  }
  return out;
}

/** The subset of `ids` present in `table.id`. */
export async function existingIds(m: EntityManager, table: string, ids: Iterable<string>): Promise<Set<string>> {
  const rows = await selectIn<{ id: string }>(m, table, ['id'], 'id', ids);
  return new Set(rows.map((r) => r.id));
}

/** `DELETE FROM table WHERE column IN (values)` in chunks; returns nothing (drivers disagree on counts). */
export async function deleteIn(m: EntityManager, table: string, column: string, values: readonly unknown[]): Promise<void> {
  const perChunk = 5_000;
  for (let start = 0; start < values.length; start += perChunk) {
    const chunk = values.slice(start, start + perChunk);
    await m.query(`DELETE FROM ${quote(table)} WHERE ${quote(column)} IN (${placeholders(m, chunk.length, 0).join(', ')})`, chunk);
  }
}

export { quote as quoteIdentifier };
