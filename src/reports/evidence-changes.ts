import type { EntityManager } from 'typeorm';
import { Report } from './report.entity';
import type { EvidenceChange } from './reports.events';
import type { Audience } from '../tlp/policy';

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
