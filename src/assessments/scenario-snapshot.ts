/**
 * Reads what an assessment rests on from the database, as the plain records the engine takes:
 * the whole dependency model, the weapon, and the reports as of the assessment time.
 * Plain functions on an EntityManager (no Nest), so the API process and a queue worker can
 * both use them.
 */
import { Audience, audienceKey, EVERYONE } from '../tlp/policy';
import type { EntityManager } from 'typeorm';
import type { DependencyRecord, EntityRecord, ReportRecord, WeaponRecord } from '../domain/records';
import type { DependencyKind, Tlp } from '../domain/vocabulary';
import { Weapon } from '../weapons/weapon.entity';

/** A report with who filed it, so entity-level outputs can respect its TLP marking. */
export interface EvidenceReport extends ReportRecord {
  organizationId?: string | null;
  /** When the report was filed (ISO 8601): `latestReportFiledAt` of the assessment's inputs. */
  filedAt?: string | null;
}

export interface ScenarioSnapshot {
  entities: EntityRecord[];
  dependencies: DependencyRecord[];
  weapon: WeaponRecord;
  reports: EvidenceReport[];
  asOf: string;
  horizonHours: number;
}

const json = <T>(v: unknown, fallback: T): T => {
  if (v === null || v === undefined) return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';

export function weaponRecord(w: Weapon): WeaponRecord {
  return {
    id: w.id,
    name: w.name,
    aliases: w.aliases ?? [],
    payload: w.payload,
    vectors: w.vectors ?? {},
    requiredTags: w.requiredTags ?? [],
    targeting: w.targeting ?? {},
    impact: w.impact,
    killSwitchAt: iso(w.killSwitchAt),
    firstSeenAt: iso(w.firstSeenAt),
    containmentHours: w.containmentHours ?? undefined,
    characterised: w.characterised,
  };
}

/** Every entity and dependency, read with plain SQL (no change tracking: the graph may be large). */
export async function readGraph(m: EntityManager): Promise<{ entities: EntityRecord[]; dependencies: DependencyRecord[] }> {
  const rows: any[] = await m.query(
    'SELECT "id", "name", "kind", "parentId", "country", "sector", "hosts", "dailyValueUsd", "populationServed", "tags", "protected" FROM "entities" ORDER BY "id"',
  );
  const entities: EntityRecord[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    parentId: r.parentId ?? null,
    country: r.country ?? null,
    sector: r.sector ?? null,
    hosts: Number(r.hosts) || 0,
    dailyValueUsd: Number(r.dailyValueUsd) || 0,
    populationServed: Number(r.populationServed) || 0,
    tags: json<string[]>(r.tags, []),
    protected: bool(r.protected),
  }));
  const deps: any[] = await m.query(
    'SELECT "sourceId", "targetId", "kind", "weight", "bidirectional" FROM "dependencies" ORDER BY "id"',
  );
  const dependencies: DependencyRecord[] = deps.map((d) => ({
    sourceId: d.sourceId,
    targetId: d.targetId,
    kind: d.kind as DependencyKind,
    weight: Number(d.weight),
    bidirectional: bool(d.bidirectional),
  }));
  return { entities, dependencies };
}

/**
 * For each reported entity with no report open to every reader (TLP clear or green), the
 * audiences (TLP, filing organisation) of its reports: only readers who may see one of them
 * see that entity at entity level (src/tlp/policy.ts). Other entities are not listed.
 */
export function restrictedEntities(reports: readonly EvidenceReport[]): Record<string, Audience[]> {
  const open = new Set<string>();
  const audiences = new Map<string, Map<string, Audience>>();
  for (const r of reports) {
    if (EVERYONE.includes(r.tlp)) {
      open.add(r.entityId);
      continue;
    }
    if (!audiences.has(r.entityId)) audiences.set(r.entityId, new Map());
    const a = { tlp: r.tlp, organizationId: r.organizationId ?? null };
    audiences.get(r.entityId)!.set(audienceKey(a), a);
  }
  const out: Record<string, Audience[]> = {};
  for (const [id, set] of audiences) if (!open.has(id)) out[id] = [...set.values()];
  return out;
}

/** A short fingerprint of the evidence: changes when any report of the weapon is added or superseded. */
export function evidenceMark(reports: readonly EvidenceReport[]): string {
  let h = 2166136261 >>> 0;
  const ids = reports.map((r) => `${r.id ?? ''}|${r.entityId}|${r.observedAt}|${r.status}`).sort();
  for (const s of ids) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return `${reports.length}:${h.toString(16)}`;
}
