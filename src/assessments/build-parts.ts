/**
 * Splits an assessment's output into the parts stored in `job_results`, joined with what only
 * the database knows (hierarchy, who filed restricted reports).
 */
import type { ScenarioSnapshot } from '../domain/records';
import type { AssessmentJobInput } from '../jobs/job-input';
import { groupKey, type AssessmentParts, type EntityRow, type FirstReport } from '../results/result-parts';
import type { EngineOutput, GroupStat } from '../results/result-types';
import { audienceKey } from '../tlp/policy';
import { restrictedEntities } from './scenario-snapshot';
import { entityIndexParts } from '../results/entity-index';

export function buildResultParts(snapshot: ScenarioSnapshot, input: AssessmentJobInput, out: EngineOutput): AssessmentParts {
  const byId = new Map(snapshot.entities.map((e) => [e.id, e]));
  const entities: EntityRow[] = out.entities.map((s) => {
    const e = byId.get(s.entityId);
    return {
      entityId: s.entityId,
      name: s.name,
      kind: e?.kind ?? 'organization',
      parentId: e?.parentId ?? null,
      country: s.country,
      sector: s.sector,
      protected: s.protected,
      intended: s.intended,
      collateral: !s.intended,
      reported: s.reported,
      probabilityInfected: s.probabilityInfected,
      probabilityDisrupted: s.probabilityDisrupted,
      expectedLossUsd: s.expectedLossUsd,
    };
  });
  const groups: Record<string, GroupStat> = {};
  for (const g of out.groups.country) groups[groupKey(g.part ?? 'total', g.key, null)] = g;
  for (const g of out.groups.sector) groups[groupKey(g.part ?? 'total', null, g.key)] = g;
  for (const g of out.groups.countrySector ?? []) groups[groupKey(g.part ?? 'total', g.country, g.sector)] = g;
  const parts: AssessmentParts = {
    summary: out.summary,
    meta: {
      model: out.model, seed: out.seed, runCount: out.runCount, level: out.level, calibrated: out.calibrated,
      origin: out.origin, asOf: out.asOf, horizonHours: out.horizonHours, reportsUsed: out.reportsUsed,
      reportedEntities: out.reportedEntities, spectralRadius: out.spectralRadius, warnings: out.warnings,
    },
    entities,
    groups,
    timeline: { asOf: out.asOf, origin: out.origin, horizonHours: input.horizonHours, points: out.timeline, firstReports: firstReports(snapshot, out.origin) },
    earlyWarning: out.earlyWarning,
    runs: out.runs,
    restricted: restrictedEntities(snapshot.reports),
  };
  // What reads use instead of the whole entities part (results/entity-index.ts).
  return { ...parts, ...entityIndexParts(parts) };
}

function firstReports(snapshot: ScenarioSnapshot, origin: string): FirstReport[] {
  const originMs = Date.parse(origin);
  const first = new Map<string, FirstReport>();
  for (const r of snapshot.reports) {
    const a: FirstReport = { entityId: r.entityId, tlp: r.tlp, organizationId: r.organizationId ?? null, hours: (Date.parse(r.observedAt) - originMs) / 3_600_000 };
    const key = `${r.entityId}\u0000${audienceKey(a)}`;
    const cur = first.get(key);
    if (!cur || a.hours < cur.hours) first.set(key, a);
  }
  return [...first.values()];
}
