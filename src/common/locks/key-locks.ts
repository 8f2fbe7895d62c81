import type { EntityManager } from 'typeorm';

/** Keys hash into this many locks: a bulk request of thousands of keys takes at most this many. */
const LOCK_BUCKETS = 64;

/**
 * Serialises, until the end of the caller's transaction, every transaction that locks one of the
 * same keys in `scope`: the second waits for the first to commit, and its next statement sees
 * what the first wrote (PostgreSQL's read committed), so "create if absent" cannot run twice.
 * SQLite needs nothing: DatabaseService runs its transactions one at a time.
 */
export async function lockKeys(m: EntityManager, scope: string, keys: readonly string[]): Promise<void> {
  if (m.connection.options.type !== 'postgres' || keys.length === 0) return;
  // Buckets are taken in ascending order, so two transactions locking overlapping sets cannot deadlock.
  await m.query(
    `SELECT pg_advisory_xact_lock(b) FROM (
       SELECT DISTINCT ((hashtextextended($1 || ':' || k, 0) % ${LOCK_BUCKETS}) + ${LOCK_BUCKETS}) % ${LOCK_BUCKETS} AS b
       FROM unnest($2::text[]) AS k ORDER BY b
     ) AS buckets`,
    [scope, [...new Set(keys)]],
  );
}
