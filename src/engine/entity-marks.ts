/**
 * What the weapon makes of each entity: whether it can be infected at all (susceptibility), whether
 * it is what the weapon is aimed at (intended, so every figure splits into intended and collateral),
 * and which norms protect it (13(f) critical infrastructure, 13(k) CSIRTs), so the harm to
 * protected entities is counted apart.
 */
import type { EntityRecord, WeaponRecord } from '../domain/records';
import { defaultProtection, type Norm } from '../domain/vocabulary';
import { sharedFloat32, sharedUint8 } from './graph';

export interface EntityMarks {
  /** 1 if the entity carries all the weapon's required tags, else 0; null when every entity is susceptible. */
  susceptibility: Float32Array | null;
  intended: Uint8Array;
  /** Bit 1: norm 13(f); bit 2: norm 13(k); 0 = not protected. */
  protectedMask: Uint8Array;
  /** Norms per protected entity index. */
  norms: Map<number, Norm[]>;
}

/**
 * Intended: listed in targeting.entityIds, or matching every selector given among countries /
 * sectors / tags (any value within a selector). A listed id that is no entity is a warning.
 */
function intendedBy(weapon: WeaponRecord, index: ReadonlyMap<string, number>, warnings: string[]): (e: EntityRecord) => boolean {
  const tg = weapon.targeting ?? {};
  const tIds = new Set(tg.entityIds ?? []);
  const tCountries = tg.countries?.length ? new Set(tg.countries.map((c) => c.toUpperCase())) : null;
  const tSectors = tg.sectors?.length ? new Set(tg.sectors) : null;
  const tTags = tg.tags?.length ? new Set(tg.tags) : null;
  const anySelector = tCountries !== null || tSectors !== null || tTags !== null;
  for (const id of tIds) if (!index.has(id)) warnings.push(`targeting names unknown entity '${id}'`);
  return (e) => {
    const cc = e.country ? e.country.toUpperCase() : null;
    const tags = e.tags ?? [];
    const sel =
      anySelector &&
      (tCountries === null || (cc !== null && tCountries.has(cc))) &&
      (tSectors === null || (!!e.sector && tSectors.has(e.sector))) &&
      (tTags === null || tags.some((t) => tTags.has(t)));
    return tIds.has(e.id) || sel;
  };
}

/** The norms protecting an entity: by its sector and kind, unless `protected` says otherwise (true without a default: 13(f)). */
function normsOf(e: EntityRecord): Norm[] {
  if (e.protected === false) return [];
  const nm = defaultProtection(e.sector, e.kind);
  return e.protected === true && nm.length === 0 ? ['13(f)'] : nm;
}

export function markEntities(entities: readonly EntityRecord[], weapon: WeaponRecord, index: ReadonlyMap<string, number>, warnings: string[]): EntityMarks {
  const n = entities.length;
  const required = weapon.requiredTags ?? [];
  const susceptibility = required.length > 0 ? sharedFloat32(n) : null;
  const intended = sharedUint8(n);
  const protectedMask = sharedUint8(n);
  const norms = new Map<number, Norm[]>();
  const isIntended = intendedBy(weapon, index, warnings);
  entities.forEach((e, i) => {
    const tags = e.tags ?? [];
    if (susceptibility) susceptibility[i] = required.every((t) => tags.includes(t)) ? 1 : 0;
    intended[i] = isIntended(e) ? 1 : 0;
    const nm = normsOf(e);
    if (nm.length) {
      norms.set(i, nm);
      protectedMask[i] = (nm.includes('13(f)') ? 1 : 0) | (nm.includes('13(k)') ? 2 : 0);
    }
  });
  return { susceptibility, intended, protectedMask, norms };
}
