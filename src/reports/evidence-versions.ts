import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { FreshRead } from './fresh-read';
import { isPostgres } from '../database/bulk-sql';

/**
 * The evidence version of each weapon (table `evidence_versions`): bumped inside every
 * report-writing transaction, so it becomes visible together with the reports it counts.
 * Reports are append-only, so an unchanged version means unchanged report lists.
 */
export async function bumpEvidenceVersions(m: EntityManager, weaponIds: readonly string[]): Promise<void> {
  // Sorted: concurrent writers of several weapons lock the rows in one order (PostgreSQL).
  const ids = [...new Set(weaponIds)].sort();
  if (!ids.length) return;
  const pg = isPostgres(m);
  const values = ids.map((_, i) => (pg ? `($${i + 1}, 1)` : '(?, 1)')).join(', ');
  await m.query(
    `INSERT INTO "evidence_versions" ("weaponId", "version") VALUES ${values} ON CONFLICT ("weaponId") DO UPDATE SET "version" = "evidence_versions"."version" + 1`,
    ids,
  );
}

/**
 * The version of one weapon's reports, or of all reports (the sum over weapons: it grows with
 * every write, and never returns to an earlier value).
 */
export async function evidenceVersion(m: EntityManager, weaponId?: string): Promise<string> {
  const pg = isPostgres(m);
  const [row] = weaponId
    ? await m.query(`SELECT "version" AS "v" FROM "evidence_versions" WHERE "weaponId" = ${pg ? '$1' : '?'}`, [weaponId])
    : await m.query(`SELECT COALESCE(SUM("version"), 0) AS "v" FROM "evidence_versions"`);
  return String(row?.v ?? 0);
}

/**
 * The current evidence version, for read caches (report lists, finished assessments): each
 * answer is read after the call began, concurrent callers share reads (FreshRead).
 */
@Injectable()
export class EvidenceVersions {
  private readonly reads = new Map<string, FreshRead<string>>();

  constructor(private readonly db: DatabaseService) {}

  current(weaponId?: string): Promise<string> {
    const key = weaponId ?? '';
    let read = this.reads.get(key);
    if (!read) {
      if (this.reads.size >= 1_000) this.reads.clear();
      read = new FreshRead(() => this.db.read((m) => evidenceVersion(m, weaponId)));
      this.reads.set(key, read);
    }
    return read.get();
  }
}
