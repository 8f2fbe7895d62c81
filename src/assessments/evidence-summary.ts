/**
 * Small facts about an assessment's evidence and result, kept in its `assessment_evidence` row
 * (read with the job row in one query), so status and list answers need no further reads:
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
import type { Tlp } from '../domain/vocabulary';
import { AudienceCount, canSee, Reader, visibleCount } from '../tlp/policy';
import type { Range, Summary } from '../results/result-types';
import type { EvidenceReport } from '../domain/records';
import type { AssessmentEvidence, Headline, LatestReport } from './assessment-evidence.entity';
import { evidenceMark } from './scenario-snapshot';

const newer = (a: { observedAt: string; filedAt?: string | null }, b: { observedAt: string; filedAt?: string | null }): boolean => {
  const ta = Date.parse(a.observedAt);
  const tb = Date.parse(b.observedAt);
  if (ta !== tb) return ta > tb;
  return Date.parse(a.filedAt ?? '') > Date.parse(b.filedAt ?? '');
};

/** What is kept of the evidence read: at POST, and again when the job reads it at start. */
export function evidenceFacts(reports: readonly EvidenceReport[]): Pick<AssessmentEvidence, 'reportsUsed' | 'evidenceMark' | 'latestReports'> {
  return { reportsUsed: reports.length, evidenceMark: evidenceMark(reports), latestReports: latestReports(reports) };
}

/** The newest report per (TLP, filing organisation) pair, newest first. */
export function latestReports(reports: readonly EvidenceReport[]): LatestReport[] {
  const best = new Map<string, LatestReport>();
  for (const r of reports) {
    const org = r.organizationId ?? null;
    const key = `${r.tlp}\u0000${org ?? ''}`;
    const cand: LatestReport = { tlp: r.tlp, organizationId: org, observedAt: new Date(r.observedAt).toISOString(), filedAt: r.filedAt ? new Date(r.filedAt).toISOString() : null };
    const cur = best.get(key);
    cand.count = (cur?.count ?? 0) + 1;
    if (!cur || newer(cand, cur)) best.set(key, cand);
    else cur.count = cand.count;
  }
  return [...best.values()].sort((a, b) => (newer(a, b) ? -1 : newer(b, a) ? 1 : 0));
}

/**
 * The newest report of the evidence that `reader` may see (by the reports module's own rule),
 * as `{latestReportAt, latestReportFiledAt}`; both null when the reader may see none of them,
 * or when the job read its evidence before these were recorded.
 */
export function latestFor(latest: readonly LatestReport[] | null | undefined, reader: Reader): { latestReportAt: string | null; latestReportFiledAt: string | null } {
  let pick: LatestReport | undefined;
  for (const c of latest ?? []) {
    if (!canSee(reader, c)) continue;
    if (!pick || newer(c, pick)) pick = c;
  }
  return { latestReportAt: pick?.observedAt ?? null, latestReportFiledAt: pick?.filedAt ?? null };
}

/**
 * How many reports of the evidence `reader` may see: never a count that includes a report
 * hidden from it (bisecting `asOf` must reveal nothing). Null for jobs whose evidence was read
 * before counts were kept per pair, unless the reader may see every pair (then `all`).
 */
export function reportsUsedFor(latest: readonly LatestReport[] | null | undefined, all: number, reader: Reader): number | null {
  const pairs = latest ?? [];
  if (pairs.every((c) => c.count !== undefined)) return visibleCount(pairs as readonly AudienceCount[], reader);
  return pairs.every((c) => canSee(reader, c)) ? all : null;
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
