/**
 * What a weapon's intended targeting means, as a plain function: the same rule as the engine's
 * `prepareScenario` (src/engine/model.ts), which splits intended from collateral, and as the
 * targets endpoint's SQL.
 *
 * An entity is intended when
 * - its id is listed in `entityIds` (exactly: a site of a listed organisation is not implied;
 *   list it or use selectors), or
 * - at least one selector (`countries`, `sectors`, `tags`) is given and the entity matches every
 *   selector given: its own country is in `countries`, its own sector in `sectors`, and it carries
 *   at least one of `tags`.
 * Everything else a weapon hits is collateral. Empty targeting: nothing is intended.
 */
import type { WeaponTargeting } from '../domain/records';

export interface TargetableEntity {
  id: string;
  country?: string | null;
  sector?: string | null;
  tags?: readonly string[];
}

/** Does the targeting designate anything (ids or selectors)? Empty targeting intends nothing. */
export function designatesAny(t: WeaponTargeting): boolean {
  return !!(t.entityIds?.length || t.countries?.length || t.sectors?.length || t.tags?.length);
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

/** Ids of the intended entities among `entities`. */
export function intendedTargets(entities: readonly TargetableEntity[], t: WeaponTargeting): Set<string> {
  const listed = new Set(t.entityIds ?? []);
  const out = new Set<string>();
  for (const e of entities) if (listed.has(e.id) || matchesSelectors(e, t)) out.add(e.id);
  return out;
}
