/**
 * Splits an assessment's output into the parts stored in `assessment_results`, joined with
 * what only the database knows (hierarchy, who filed restricted reports), so every read route
 * serves one part without recomputation.
 */
import type { AssessmentInput } from '../jobs/job.entity';
import type { EarlyWarningWindow, EngineOutput, GroupPart, GroupStat, Probability, RunTable, Summary, TimelineBin } from './result-types';
import { Audience, audienceKey } from '../tlp/policy';
import { restrictedEntities } from './scenario-snapshot';
import { ScenarioSnapshot } from '../domain/records';

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
  /** Expected direct + indirect loss, USD. */
  expectedLossUsd: number;
}

export interface StoredTimeline {
  asOf: string;
  origin: string;
  horizonHours: number;
  /** Cumulative infections by each bin end (band of the weighted run distribution) and reported entities beside. */
  points: TimelineBin[];
  /** Each reported entity's first report per audience (hours from origin): each reader's `reported` counts come from those it may see. */
  firstReports?: FirstReport[];
}

export interface FirstReport extends Audience {
  entityId: string;
  hours: number;
}

export interface WarningData {
  asOf: string;
  windows: EarlyWarningWindow[];
}

export interface ResultParts {
  summary: Summary;
  meta: Record<string, unknown>;
  entities: EntityRow[];
  /** groupKey(part, country, sector) -> ranges of the group's per-run totals (see groupKey). */
  groups: Record<string, GroupStat>;
  timeline: StoredTimeline;
  earlyWarning: WarningData;
  runs: RunTable;
  /**
   * Entities with no report open to every reader, and the audiences of their reports (results
   * stored before audiences were kept: the organisations of their RED or AMBER+STRICT reports).
   */
  restricted: Record<string, Array<Audience | string>>;
  [part: string]: unknown;
}

/**
 * Key of a group's ranges in the `groups` part: its country and sector segments in this order
 * (`country:UA`, `sector:energy`, `country:UA/sector:energy`; null: not a level of the group),
 * prefixed with `intended/` or `collateral/` for a part. Totals keep the keys of results stored
 * before parts and nested groups existed.
 */
export function groupKey(part: GroupPart, country: string | null, sector: string | null): string {
  const segs = [country === null ? null : `country:${country}`, sector === null ? null : `sector:${sector}`].filter((x) => x !== null);
  return [...(part === 'total' ? [] : [part]), ...segs].join('/');
}

export function buildResultParts(snapshot: ScenarioSnapshot, input: AssessmentInput, out: EngineOutput): ResultParts {
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
  return {
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
