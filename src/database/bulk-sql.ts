/**
 * Fast multi-row SQL for bulk writes (graph imports, report filing): parameterised
 * `INSERT ... VALUES (...), (...)` in chunks and chunked `IN (...)` look-ups and deletes, on the
 * caller's (transactional) EntityManager. Per-row ORM saves cost a round trip and change tracking
 * each; these do one statement per chunk. Works on SQLite (`?` placeholders) and PostgreSQL (`$n`);
 * values are converted the way TypeORM would store them (SQLite: UTC `YYYY-MM-DD HH:MM:SS.SSS`
 * text and 0/1; PostgreSQL: Date and boolean).
 */
import { EntityManager, QueryFailedError } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/** SQLite's default limit is 32,766 bound parameters per statement, PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;
/** Past a few hundred rows a statement gets no faster, only bigger to parse. */
const MAX_ROWS = 500;
/** Values per `IN (...)` list. */
const IN_CHUNK = 5_000;

export const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';
export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function placeholders(m: EntityManager, count: number, start: number): string[] {
  const pg = isPostgres(m);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = pg ? `$${start + i + 1}` : '?';
  return out;
}

/** A value as the driver stores it. */
function dbValue(pg: boolean, v: unknown): unknown {
  if (v instanceof Date) return pg ? v : DateUtils.mixedDateToUtcDatetimeString(v);
  if (typeof v === 'boolean') return pg ? v : v ? 1 : 0;
  return v;
}

/** A timestamp column read by raw SQL (SQLite returns UTC text, PostgreSQL a Date). */
export function readDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : s.replace(' ', 'T') + 'Z');
}

/** Rows per PostgreSQL `unnest` insert: one statement of one array per column. */
const UNNEST_ROWS = 10_000;

/** Per database connection: each table's column types (`format_type`), read once from the catalog. */
const columnTypes = new WeakMap<object, Map<string, Promise<Map<string, { type: string; array: boolean }>>>>();

function typesOf(m: EntityManager, table: string): Promise<Map<string, { type: string; array: boolean }>> {
  let byTable = columnTypes.get(m.connection);
  if (!byTable) columnTypes.set(m.connection, (byTable = new Map()));
  let types = byTable.get(table);
  if (!types) {
    types = m
      .query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory = 'A' AS array
           FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [quote(table)],
      )
      .then((rows: { name: string; type: string; array: boolean }[]) => new Map(rows.map((r) => [r.name, { type: r.type, array: r.array }])));
    // A failed read (e.g. the table does not exist yet) is not cached.
    types.catch(() => byTable!.delete(table));
    byTable.set(table, types);
  }
  return types;
}

/**
 * PostgreSQL: `INSERT ... SELECT * FROM unnest($1::type[], ...)`, one array per column and
 * UNNEST_ROWS rows a statement. A multi-row VALUES list binds and parses one parameter per cell
 * (10,000 reports were 20 statements of 10,000 parameters each, about half of a bulk request's
 * time); arrays are one parameter per column. `tail` ends each statement (`ON CONFLICT ...
 * RETURNING ...`); returns the rows the statements return, or null (nothing written) when a
 * column's type is unknown or itself an array, which unnest would flatten: the caller uses VALUES.
 */
async function insertUnnest(m: EntityManager, table: string, columns: readonly string[], rows: readonly unknown[][], tail = ''): Promise<Record<string, unknown>[] | null> {
  const types = await typesOf(m, table);
  const casts: string[] = [];
  for (const c of columns) {
    const t = types.get(c);
    if (!t || t.array) return null;
    casts.push(t.type);
  }
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) SELECT * FROM unnest(${casts.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})${tail}`;
  const returned: Record<string, unknown>[] = [];
  for (let start = 0; start < rows.length; start += UNNEST_ROWS) {
    const end = Math.min(rows.length, start + UNNEST_ROWS);
    const arrays = columns.map(() => new Array<unknown>(end - start));
    for (let r = start; r < end; r++) {
      const row = rows[r];
      for (let c = 0; c < columns.length; c++) arrays[c][r - start] = dbValue(true, row[c]);
    }
    const out = await m.query(head, arrays);
    if (Array.isArray(out)) returned.push(...out);
  }
  return returned;
}

/**
 * PostgreSQL: inserts the rows whose `key` column is not taken, skipping the others, and returns
 * the keys it inserted. A key another transaction is inserting waits for that one to end: skipped
 * if it commits. The columns must be plain (not array) types.
 */
export async function insertNew(m: EntityManager, table: string, columns: readonly string[], rows: readonly unknown[][], key: string): Promise<Set<unknown>> {
  const returned = await insertUnnest(m, table, columns, rows, ` ON CONFLICT (${quote(key)}) DO NOTHING RETURNING ${quote(key)} AS "key"`);
  if (!returned) throw new Error(`insertNew: a column of ${table} has an array or unknown type`);
  return new Set(returned.map((r) => r.key));
}

/** Inserts rows (arrays of values in `columns` order) in chunks; returns the number inserted. */
export async function insertRows(m: EntityManager, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<number> {
  if (rows.length === 0) return 0;
  if (isPostgres(m) && (await insertUnnest(m, table, columns, rows))) return rows.length;
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
      for (const v of row) params.push(dbValue(pg, v));
    }
    await m.query(head + tuples.join(', '), params);
  }
  return rows.length;
}

/** `SELECT columns FROM table WHERE column IN (values)` in chunks; the values need not be unique; `extra` is ANDed (no parameters). */
export async function selectIn<T = Record<string, unknown>>(
  m: EntityManager,
  table: string,
  columns: readonly string[],
  column: string,
  values: Iterable<unknown>,
  extra = '',
): Promise<T[]> {
  const unique = [...new Set(values)];
  const out: T[] = [];
  for (let start = 0; start < unique.length; start += IN_CHUNK) {
    const chunk = unique.slice(start, start + IN_CHUNK);
    const sql = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${quote(column)} IN (${placeholders(m, chunk.length, 0).join(', ')})${extra ? ` AND ${extra}` : ''}`;
    out.push(...((await m.query(sql, chunk)) as T[]));
  }
  return out;
}

/**
 * Indices of `tuples` that are (`present`) or are not (`absent`) rows of `table` on `columns`,
 * computed in the database without returning the matching rows: the whole list travels as one
 * JSON parameter (SQLite `json_each`) or one array per column (PostgreSQL `unnest`). Cheap when
 * the answer is short (the usual case: nothing missing, nothing duplicated).
 */
export async function tupleIndices(
  m: EntityManager,
  mode: 'present' | 'absent',
  table: string,
  columns: readonly string[],
  tuples: readonly (readonly string[])[],
): Promise<number[]> {
  if (tuples.length === 0) return [];
  const not = mode === 'absent' ? 'NOT ' : '';
  const out: number[] = [];
  const perChunk = 200_000;
  for (let start = 0; start < tuples.length; start += perChunk) {
    const chunk = tuples.slice(start, start + perChunk);
    let rows: { i: number | string }[];
    if (isPostgres(m)) {
      const arrays = columns.map((_, c) => chunk.map((t) => t[c]));
      const list = columns.map((_, c) => `$${c + 1}::text[]`).join(', ');
      const alias = columns.map((_, c) => `c${c}`).join(', ');
      const match = columns.map((col, c) => `x.${quote(col)} = t.c${c}`).join(' AND ');
      rows = await m.query(
        `SELECT t.i - 1 AS i FROM unnest(${list}) WITH ORDINALITY AS t(${alias}, i) WHERE ${not}EXISTS (SELECT 1 FROM ${quote(table)} x WHERE ${match})`,
        arrays,
      );
    } else {
      const match = columns.map((col, c) => `x.${quote(col)} = json_extract(j.value, '$[${c}]')`).join(' AND ');
      rows = await m.query(
        `SELECT CAST(j.key AS INTEGER) AS i FROM json_each(?) j WHERE ${not}EXISTS (SELECT 1 FROM ${quote(table)} x WHERE ${match})`,
        [JSON.stringify(chunk)],
      );
    }
    for (const r of rows) out.push(start + Number(r.i));
  }
  return out.sort((a, b) => a - b);
}

/** The subset of `ids` present in `table.id`. */
export async function existingIds(m: EntityManager, table: string, ids: Iterable<string>): Promise<Set<string>> {
  const rows = await selectIn<{ id: string }>(m, table, ['id'], 'id', ids);
  return new Set(rows.map((r) => r.id));
}

/** `DELETE FROM table WHERE column IN (values)` in chunks; returns nothing (drivers disagree on counts). */
export async function deleteIn(m: EntityManager, table: string, column: string, values: readonly unknown[]): Promise<void> {
  for (let start = 0; start < values.length; start += IN_CHUNK) {
    const chunk = values.slice(start, start + IN_CHUNK);
    await m.query(`DELETE FROM ${quote(table)} WHERE ${quote(column)} IN (${placeholders(m, chunk.length, 0).join(', ')})`, chunk);
  }
}

/**
 * SQLite's default page cache is 2 MB; bulk imports of 100,000 rows touch index pages far
 * beyond that. 64 MB (a per-connection setting; the sqlite3 driver has one connection) makes
 * large imports 20-30% faster. No effect on PostgreSQL. Called once at start by GraphModule.
 */
export async function tuneSqliteForBulk(dataSource: { options: { type: string }; query: (sql: string) => Promise<unknown> }): Promise<void> {
  if (dataSource.options.type === 'sqlite') await dataSource.query('PRAGMA cache_size = -65536');
}

let savepoints = 0;

/**
 * Runs `write` (inserts) inside a SAVEPOINT of the caller's transaction. The database's own
 * constraints (primary keys, unique indexes, foreign keys) check the rows as they go in, so the
 * usual, clean import pays for no look-up of its own. If a constraint fails, the savepoint is
 * rolled back (the transaction stays usable, on PostgreSQL too) and `diagnose` runs the
 * set-based look-ups that name every offending row; its details are thrown by `fail`. When the
 * diagnosis finds nothing, the database's error is rethrown.
 */
export async function insertOrDiagnose<D>(
  m: EntityManager,
  write: () => Promise<void>,
  diagnose: () => Promise<D[]>,
  fail: (details: D[]) => never,
): Promise<void> {
  const name = `bulk_${++savepoints}`;
  await m.query(`SAVEPOINT ${name}`);
  try {
    await write();
  } catch (err) {
    if (!(err instanceof QueryFailedError)) throw err;
    await m.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await m.query(`RELEASE SAVEPOINT ${name}`);
    const details = await diagnose();
    if (details.length) fail(details);
    throw err;
  }
  await m.query(`RELEASE SAVEPOINT ${name}`);
}
