/**
 * Splits an assessment's output into the parts stored in `assessment_results`, each joined
 * with what the scenario knows (names, places, reports), so every read route serves one part
 * without recomputation.
 */
import type { AssessmentInput } from './assessment.entity';
import type { EngineOutput, EntityStat, Probability, Summary, TimelinePoint } from './result-types';
import { restrictedEntities, ScenarioSnapshot } from './scenario-snapshot';

/** One row of GET /entities, before the reader's TLP filter. */
export interface EntityRow {
  entityId: string;
  name: string;
  kind: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  protected: boolean;
  intended: boolean;
  collateral: boolean;
  reported: boolean;
  probabilityInfected: Probability;
  probabilityDisrupted: Probability;
  expectedLossUsd: { direct: number; indirect: number; total: number };
  expectedPopulationAffected: number;
}

export interface WarningData {
  hours: number[];
  /** Unreported entities with a chance of infection in the horizon. */
  entities: Array<{ entityId: string; pInfectedBy: number[] }>;
  /** Most likely infector of every entity the runs infected (to trace paths back to a report). */
  infectors: Record<string, string>;
}

export interface StoredTimeline {
  points: Array<TimelinePoint & { reported: number }>;
  asOf: string;
  horizonHours: number;
}

export interface ResultParts {
  summary: Summary;
  entities: EntityRow[];
  groups: EngineOutput['groups'];
  timeline: StoredTimeline;
  earlyWarning: WarningData;
  runs: EngineOutput['runs'];
  /** Entities whose reports are all restricted, and the organisations that may see them. */
  restricted: Record<string, string[]>;
  [part: string]: unknown;
}

/** Whether an entity is among the weapon's intended targets (any selector matches). */
export function isIntended(e: { id: string; country?: string | null; sector?: string | null; tags?: string[] }, t: ScenarioSnapshot['weapon']['targeting']): boolean {
  if (!t) return false;
  if (t.entityIds?.includes(e.id)) return true;
  if (t.countries?.length && e.country && t.countries.includes(e.country)) return true;
  if (t.sectors?.length && e.sector && t.sectors.includes(e.sector)) return true;
  if (t.tags?.length && e.tags?.some((tag) => t.tags!.includes(tag))) return true;
  return false;
}

export function buildResultParts(snapshot: ScenarioSnapshot, input: AssessmentInput, out: EngineOutput): ResultParts {
  const byId = new Map(snapshot.entities.map((e) => [e.id, e]));
  const reported = new Set(snapshot.reports.map((r) => r.entityId));
  const entities: EntityRow[] = out.entities.map((s: EntityStat) => {
    const e = byId.get(s.id);
    const intended = e ? isIntended(e, snapshot.weapon.targeting) : false;
    return {
      entityId: s.id,
      name: e?.name ?? s.id,
      kind: e?.kind ?? 'organization',
      parentId: e?.parentId ?? null,
      country: e?.country ?? null,
      sector: e?.sector ?? null,
      protected: !!e?.protected,
      intended,
      collateral: !intended,
      reported: reported.has(s.id),
      probabilityInfected: s.pInfected,
      probabilityDisrupted: s.pDisrupted,
      expectedLossUsd: s.expectedLossUsd,
      expectedPopulationAffected: s.expectedPopulationAffected,
    };
  });

  // Reported counts beside the band: distinct entities reported by each point of the timeline.
  const firstReport = new Map<string, number>();
  for (const r of snapshot.reports) {
    const t = Date.parse(r.observedAt);
    if (!firstReport.has(r.entityId) || t < firstReport.get(r.entityId)!) firstReport.set(r.entityId, t);
  }
  const reportTimes = [...firstReport.values()].sort((a, b) => a - b);
  const points = out.timeline.map((p) => {
    const at = Date.parse(p.at);
    let n = 0;
    while (n < reportTimes.length && reportTimes[n] <= at) n++;
    return { ...p, reported: n };
  });

  return {
    summary: out.summary,
    entities,
    groups: out.groups,
    timeline: { points, asOf: input.asOf, horizonHours: input.horizonHours },
    earlyWarning: {
      hours: out.hours,
      entities: out.entities
        .filter((s) => !reported.has(s.id) && s.pInfectedBy && s.pInfectedBy.some((p) => p > 0))
        .map((s) => ({ entityId: s.id, pInfectedBy: s.pInfectedBy! })),
      infectors: Object.fromEntries(out.entities.filter((s) => s.likelyInfector).map((s) => [s.id, s.likelyInfector!])),
    },
    runs: out.runs,
    restricted: restrictedEntities(snapshot.reports),
  };
}
