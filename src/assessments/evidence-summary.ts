/**
 * Small facts about an assessment's evidence and result that are kept on the job row itself,
 * so status and list answers need no further reads:
 *
 * - `latestReports`: taken from the evidence snapshot when the job reads its evidence (at POST
 *   and again when the job starts). The newest report of each (TLP, filing organisation) pair.
 *   Who may see a report depends only on those two (src/reports/visibility.ts), so the newest
 *   report a reader may see is the newest of the candidates that reader may see: each reader
 *   gets `latestReportAt`/`latestReportFiledAt` of a report it could read through
 *   `GET /v1/reports`, never the time of a report hidden from it.
 * - `headline`: a compact copy of the summary's headline figures, stored when the job finishes
 *   (aggregates, the same for every reader, as the summary's totals are).
 */
import type { Principal } from '../auth/principal';
import type { Tlp } from '../domain/vocabulary';
import { canSee } from '../reports/visibility';
import type { Range, Summary } from './result-types';
import type { EvidenceReport } from './scenario-snapshot';

/** The newest report of one (TLP, organisation) pair of an assessment's evidence. */
export interface LatestReport {
  tlp: Tlp;
  organizationId: string | null;
  /** Observation time (ISO 8601). */
  observedAt: string;
  /** When it was filed (ISO 8601); null when the evidence did not say (older snapshots). */
  filedAt: string | null;
}

const newer = (a: { observedAt: string; filedAt?: string | null }, b: { observedAt: string; filedAt?: string | null }): boolean => {
  const ta = Date.parse(a.observedAt);
  const tb = Date.parse(b.observedAt);
  if (ta !== tb) return ta > tb;
  return Date.parse(a.filedAt ?? '') > Date.parse(b.filedAt ?? '');
};

/** The newest report per (TLP, filing organisation) pair, newest first. */
export function latestReports(reports: readonly EvidenceReport[]): LatestReport[] {
  const best = new Map<string, LatestReport>();
  for (const r of reports) {
    const org = r.organizationId ?? null;
    const key = `${r.tlp}\u0000${org ?? ''}`;
    const cand: LatestReport = { tlp: r.tlp, organizationId: org, observedAt: new Date(r.observedAt).toISOString(), filedAt: r.filedAt ? new Date(r.filedAt).toISOString() : null };
    const cur = best.get(key);
    if (!cur || newer(cand, cur)) best.set(key, cand);
  }
  return [...best.values()].sort((a, b) => (newer(a, b) ? -1 : newer(b, a) ? 1 : 0));
}

/**
 * The newest report of the evidence that `reader` may see (by the reports module's own rule),
 * as `{latestReportAt, latestReportFiledAt}`; both null when the reader may see none of them,
 * or when the job read its evidence before these were recorded.
 */
export function latestFor(latest: readonly LatestReport[] | null | undefined, reader: Pick<Principal, 'role' | 'organizationId'>): { latestReportAt: string | null; latestReportFiledAt: string | null } {
  let pick: LatestReport | undefined;
  for (const c of latest ?? []) {
    // A report filed without an organisation is shown in detail only when its level is shared.
    if (!canSee(reader, { tlp: c.tlp, organizationId: c.organizationId ?? '\u0000none' })) continue;
    if (!pick || newer(c, pick)) pick = c;
  }
  return { latestReportAt: pick?.observedAt ?? null, latestReportFiledAt: pick?.filedAt ?? null };
}

/** A finished assessment's headline, for lists: ranges of the weighted run distribution. */
export interface Headline {
  level: number;
  entitiesInfected: Range;
  lossUsd: { total: Range };
  collateral: { entitiesInfected: Range; lossUsd: { total: Range } };
  effectiveSampleSize: number | null;
}

export function headlineOf(summary: Summary): Headline {
  return {
    level: summary.total.entitiesInfected.level,
    entitiesInfected: summary.total.entitiesInfected,
    lossUsd: { total: summary.total.lossUsd.total },
    collateral: { entitiesInfected: summary.collateral.entitiesInfected, lossUsd: { total: summary.collateral.lossUsd.total } },
    effectiveSampleSize: summary.calibration?.effectiveSampleSize ?? null,
  };
}
