/**
 * Multi-row SQL for the report write path: one `INSERT ... VALUES (...), (...)` per chunk and
 * chunked `IN (...)` look-ups on the caller's transactional EntityManager. A 10,000-row bulk
 * costs a handful of statements instead of 10,000 ORM saves. Values are converted the way
 * TypeORM would store them (SQLite: UTC `YYYY-MM-DD HH:MM:SS.SSS` text; PostgreSQL: Date).
 */
import { randomFillSync } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

const MAX_PARAMS = 30_000;
const MAX_ROWS = 500;

export const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';
export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A value as the driver stores it. */
function dbValue(pg: boolean, v: unknown): unknown {
  if (v instanceof Date) return pg ? v : DateUtils.mixedDateToUtcDatetimeString(v);
  if (typeof v === 'boolean') return pg ? v : v ? 1 : 0;
  return v;
}

function marks(pg: boolean, count: number, start: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += (i ? ', ' : '') + (pg ? `$${start + i + 1}` : '?');
  return s;
}

export async function insertRows(m: EntityManager, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const pg = isPostgres(m);
  const perChunk = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const head = `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      tuples.push(`(${marks(pg, row.length, params.length)})`);
      for (const v of row) params.push(dbValue(pg, v));
    }
    await m.query(head + tuples.join(', '), params);
  }
}

/** `SELECT columns FROM table WHERE column IN (values)`, chunked; `extra` is ANDed (no parameters). */
export async function selectIn<T>(m: EntityManager, table: string, columns: readonly string[], column: string, values: Iterable<unknown>, extra = ''): Promise<T[]> {
  const unique = [...new Set(values)];
  const pg = isPostgres(m);
  const out: T[] = [];
  for (let start = 0; start < unique.length; start += 5_000) {
    const chunk = unique.slice(start, start + 5_000);
    const sql = `SELECT ${columns.map(q).join(', ')} FROM ${q(table)} WHERE ${q(column)} IN (${marks(pg, chunk.length, 0)})${extra ? ` AND ${extra}` : ''}`;
    out.push(...((await m.query(sql, chunk)) as T[]));
  }
  return out;
}

/** A timestamp column read by raw SQL (SQLite returns UTC text, PostgreSQL a Date). */
export function readDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : s.replace(' ', 'T') + 'Z');
}

let lastMs = 0;
let sequence = 0;
const pool = Buffer.alloc(16 * 1024);
let poolAt = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter (monotonic
 * within a millisecond), then 62 random bits. Ids sort by creation time, so B-tree inserts of a
 * large batch append instead of touching random pages.
 */
export function uuidV7(now = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    if (++sequence > 0xfff) {
      now = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = now;
    sequence = 0;
  }
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (sequence >> 8);
  b[7] = sequence & 0xff;
  pool.copy(b, 8, poolAt, poolAt + 8);
  poolAt += 8;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
