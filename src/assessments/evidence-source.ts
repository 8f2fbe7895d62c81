import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { Report } from '../reports/report.entity';
import { toRecord } from '../reports/report.dto';
import type { EvidenceChange } from '../reports/reports.events';
import type { EvidenceReport } from './scenario-snapshot';

/**
 * The reports an assessment rests on: every current (not superseded) report of the weapon
 * observed at or before `asOf`, at every TLP level (restricted reports count in aggregates;
 * entity-level views hide what rests on them), with the organisation that filed each.
 *
 * The reports module's `ReportsService.evidenceFor` gives the same reports as plain
 * `ReportRecord`s, which do not carry the filing organisation that the TLP filter of the
 * entity-level views needs, nor the filing time (`latestReportFiledAt`); so this reads the `Report` entity with the same rule ("current
 * version, observedAt <= asOf") and maps rows with the reports module's own `toRecord`.
 */
@Injectable()
export class EvidenceSource {
  constructor(private readonly db: DatabaseService) {}

  async evidenceFor(weaponId: string, asOf: string): Promise<EvidenceReport[]> {
    return this.db.read((m) => evidenceWithin(m, weaponId, asOf));
  }
}

export async function evidenceWithin(m: EntityManager, weaponId: string, asOf: string): Promise<EvidenceReport[]> {
  const rows = await m
    .getRepository(Report)
    .createQueryBuilder('r')
    .where('r.weaponId = :weaponId', { weaponId })
    .andWhere('r.observedAt <= :asOf', { asOf: new Date(asOf) })
    .andWhere(`NOT EXISTS (SELECT 1 FROM "reports" "s" WHERE "s"."supersedesId" = r.id)`)
    .orderBy('r.observedAt', 'ASC')
    .addOrderBy('r.id', 'ASC')
    .getMany();
  return rows.map((r) => ({ ...toRecord(r), organizationId: r.organizationId ?? null, filedAt: r.createdAt ? new Date(r.createdAt).toISOString() : null }));
}

/**
 * Per weapon in a change of evidence, the earliest time the change touches: the new reports'
 * observation times and those of the reports they supersede (a correction can move a report
 * across an assessment's asOf). An assessment of that weapon with asOf at or after it used
 * evidence that just changed.
 */
export async function earliestChange(m: EntityManager, change: EvidenceChange): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!change.reportIds.length) return out;
  const take = (weaponId: string, at: unknown) => {
    if (at === null || at === undefined) return;
    const t = at instanceof Date ? at.getTime() : Date.parse(String(at).includes('T') ? String(at) : `${String(at).replace(' ', 'T')}Z`);
    if (!Number.isFinite(t)) return;
    out.set(weaponId, Math.min(out.get(weaponId) ?? Infinity, t));
  };
  for (let i = 0; i < change.reportIds.length; i += 500) {
    const ids = change.reportIds.slice(i, i + 500);
    const rows = await m
      .getRepository(Report)
      .createQueryBuilder('r')
      .leftJoin(Report, 's', 's.id = r.supersedesId')
      .select(['r.weaponId AS "weaponId"', 'r.observedAt AS "observedAt"', 's.observedAt AS "supersededAt"'])
      .where('r.id IN (:...ids)', { ids })
      .getRawMany<{ weaponId: string; observedAt: unknown; supersededAt: unknown }>();
    for (const r of rows) {
      take(r.weaponId, r.observedAt);
      take(r.weaponId, r.supersededAt);
    }
  }
  // Weapons named without readable rows (should not happen): every assessment of them.
  for (const w of change.weaponIds) if (!out.has(w)) out.set(w, -Infinity);
  return out;
}
