/**
 * What an assessment rests on besides the stored graph (src/graph/stored-graph.ts), as the plain
 * records the engine takes: the weapon, and facts about the reports as of the assessment time.
 */
import { Audience, audienceKey, EVERYONE } from '../tlp/policy';
import type { EvidenceReport, WeaponRecord } from '../domain/records';
import { Weapon } from '../weapons/weapon.entity';

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

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
