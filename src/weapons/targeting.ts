/**
 * What a weapon's intended targeting means, as a plain function shared by the targets
 * endpoint and the assessments (intended vs collateral).
 *
 * An entity is intended when
 * - it or one of its ancestors is listed in `entityIds` (targeting an organisation targets its sites), or
 * - at least one selector (`countries`, `sectors`, `tags`) is given and the entity matches every
 *   selector given: its own country is in `countries`, its own sector in `sectors`, and it carries
 *   at least one of `tags`.
 * Everything else a weapon hits is collateral. Empty targeting: nothing is intended.
 */
import type { WeaponTargeting } from '../domain/records';

export interface TargetableEntity {
  id: string;
  parentId?: string | null;
  country?: string | null;
  sector?: string | null;
  tags?: readonly string[];
}

export function matchesSelectors(e: TargetableEntity, t: WeaponTargeting): boolean {
  const countries = t.countries ?? [];
  const sectors = t.sectors ?? [];
  const tags = t.tags ?? [];
  if (!countries.length && !sectors.length && !tags.length) return false;
  if (countries.length && !(e.country && countries.includes(e.country))) return false;
  if (sectors.length && !(e.sector && sectors.includes(e.sector))) return false;
  if (tags.length && !(e.tags ?? []).some((tag) => tags.includes(tag))) return false;
  return true;
}

/** Ids of the intended entities among `entities` (which should include the ancestors of each). */
export function intendedTargets(entities: readonly TargetableEntity[], t: WeaponTargeting): Set<string> {
  const listed = new Set(t.entityIds ?? []);
  const parent = new Map(entities.map((e) => [e.id, e.parentId ?? null]));
  const memo = new Map<string, boolean>();
  const underListed = (id: string): boolean => {
    const path: string[] = [];
    let cur: string | null = id;
    let result = false;
    while (cur !== null) {
      const known = memo.get(cur);
      if (known !== undefined) { result = known; break; }
      if (listed.has(cur)) { result = true; break; }
      if (path.includes(cur)) break;
      path.push(cur);
      cur = parent.get(cur) ?? null;
    }
    for (const p of path) memo.set(p, result);
    return result;
  };
  const out = new Set<string>();
  for (const e of entities) if (underListed(e.id) || matchesSelectors(e, t)) out.add(e.id);
  return out;
}
