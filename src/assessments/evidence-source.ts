import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentEvidence } from '../reports/current';
import { toRecord } from '../reports/report-view';
import type { EvidenceReport } from '../domain/records';

/**
 * The reports an assessment rests on: every current (not superseded) report of the weapon
 * observed at or before `asOf`, at every TLP level (restricted reports count in aggregates;
 * entity-level views hide what rests on them), with the organisation that filed each.
 *
 * The reports come from the reports module's own query (`currentEvidence`, the one behind
 * `ReportsService.evidenceFor`); each record keeps the filing organisation, which the TLP filter
 * of the entity-level views needs, and the filing time (`latestReportFiledAt`).
 */
@Injectable()
export class EvidenceSource {
  /** Inside the caller's transaction (the job reads its evidence and marks itself fresh in one). */
  evidenceWithin(m: EntityManager, weaponId: string, asOf: string): Promise<EvidenceReport[]> {
    return evidenceWithin(m, weaponId, asOf);
  }
}

export async function evidenceWithin(m: EntityManager, weaponId: string, asOf: string): Promise<EvidenceReport[]> {
  const rows = await currentEvidence(m, weaponId, new Date(asOf));
  return rows.map((r) => ({ ...toRecord(r), organizationId: r.organizationId ?? null, filedAt: r.createdAt ? new Date(r.createdAt).toISOString() : null }));
}
