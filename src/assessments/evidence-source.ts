import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentReport } from '../reports/current';
import { Report } from '../reports/report.entity';
import { toRecord } from '../reports/report.dto';
import type { EvidenceChange } from '../reports/reports.events';
import type { Audience } from '../tlp/policy';
import type { EvidenceReport } from '../domain/records';

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
  /** Inside the caller's transaction (the job reads its evidence and marks itself fresh in one). */
  evidenceWithin(m: EntityManager, weaponId: string, asOf: string): Promise<EvidenceReport[]> {
    return evidenceWithin(m, weaponId, asOf);
  }
}

export async function evidenceWithin(m: EntityManager, weaponId: string, asOf: string): Promise<EvidenceReport[]> {
  const rows = await m
    .getRepository(Report)
    .createQueryBuilder('r')
    .where('r.weaponId = :weaponId', { weaponId })
    .andWhere('r.observedAt <= :asOf', { asOf: new Date(asOf) })
    .andWhere(currentReport('r'))
    .orderBy('r.observedAt', 'ASC')
    .addOrderBy('r.id', 'ASC')
    .getMany();
  return rows.map((r) => ({ ...toRecord(r), organizationId: r.organizationId ?? null, filedAt: r.createdAt ? new Date(r.createdAt).toISOString() : null }));
}

/** One change of a weapon's evidence: the earliest observation time it touches, and who may see it. */
export interface EvidenceChangeAt extends Audience {
  at: number;
}

/**
 * Per weapon in a change of evidence, each new report's audience with the earliest time it
 * touches: its observation time or that of the report it supersedes (a correction can move a
 * report across an assessment's asOf). An assessment of that weapon with asOf at or after it
 * used evidence that just changed, for readers of that audience.
 */
export async function evidenceChanges(m: EntityManager, change: EvidenceChange): Promise<Map<string, EvidenceChangeAt[]>> {
  const out = new Map<string, EvidenceChangeAt[]>();
  const time = (at: unknown) => {
    if (at === null || at === undefined) return Infinity;
    const t = at instanceof Date ? at.getTime() : Date.parse(String(at).includes('T') ? String(at) : `${String(at).replace(' ', 'T')}Z`);
    return Number.isFinite(t) ? t : Infinity;
  };
  if (change.reports) {
    for (const r of change.reports) {
      const at = Math.min(time(r.observedAt), time(r.supersededAt));
      if (at === Infinity) continue;
      if (!out.has(r.weaponId)) out.set(r.weaponId, []);
      out.get(r.weaponId)!.push({ at, tlp: r.tlp, organizationId: r.organizationId ?? null });
    }
    return out;
  }
  for (let i = 0; i < change.reportIds.length; i += 500) {
    const ids = change.reportIds.slice(i, i + 500);
    const rows = await m
      .getRepository(Report)
      .createQueryBuilder('r')
      .leftJoin(Report, 's', 's.id = r.supersedesId')
      .select(['r.weaponId AS "weaponId"', 'r.tlp AS "tlp"', 'r.organizationId AS "organizationId"', 'r.observedAt AS "observedAt"', 's.observedAt AS "supersededAt"'])
      .where('r.id IN (:...ids)', { ids })
      .getRawMany<{ weaponId: string; tlp: string; organizationId: string | null; observedAt: unknown; supersededAt: unknown }>();
    for (const r of rows) {
      const at = Math.min(time(r.observedAt), time(r.supersededAt));
      if (at === Infinity) continue;
      if (!out.has(r.weaponId)) out.set(r.weaponId, []);
      out.get(r.weaponId)!.push({ at, tlp: r.tlp, organizationId: r.organizationId ?? null });
    }
  }
  return out;
}
