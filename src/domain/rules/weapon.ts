/** Rules of one weapon record (weapon.json, the API's create body, a STIX import's placeholder). */
import type { WeaponRecord } from '../records';
import { DEPENDENCY_KINDS, PAYLOADS, type DependencyKind } from '../vocabulary';
import { SLUG, TAG } from '../ids';
import {
  absent, clip, countryValue, dateValue, isPlainObject, nameValue, push, sectorValue, slugValue, stringList, type Errors,
} from './fields';
import { checkRange } from './range';

const WEAPON_FIELDS = new Set([
  'id', 'name', 'aliases', 'payload', 'vectors', 'requiredTags', 'targeting', 'impact', 'killSwitchAt', 'firstSeenAt',
  'containmentHours', 'characterised',
]);
const DEP_KIND_SET = new Set<string>(DEPENDENCY_KINDS);

export interface WeaponCheckOptions {
  /** Checks targeting.entityIds against these when given. */
  entities?: { has(id: string): boolean };
  /** Accepts a `stixId` (malware--<uuid>): the API and STIX imports store one, weapon.json has none. */
  stixId?: boolean;
}

/** A weapon with the id of the STIX malware object it was imported from, if any. */
export type CheckedWeapon = WeaponRecord & { stixId?: string | null };

const STIX_MALWARE = /^malware--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Rules across fields, checked on a whole weapon and again on the result of a PATCH: at least one
 * vector, and no kill switch before the first sighting.
 */
export function checkWeaponAcrossFields(w: { vectors?: unknown; killSwitchAt?: string | null; firstSeenAt?: string | null }, errors: Errors): void {
  if (isPlainObject(w.vectors) && Object.values(w.vectors).every((v) => v === undefined)) {
    push(errors, undefined, 'vectors', 'minProperties', `vectors needs at least one dependency kind (${DEPENDENCY_KINDS.join(', ')})`);
  }
  if (w.killSwitchAt && w.firstSeenAt && Date.parse(w.killSwitchAt) < Date.parse(w.firstSeenAt)) {
    push(errors, undefined, 'killSwitchAt', 'notBeforeFirstSeen', 'killSwitchAt must not precede firstSeenAt');
  }
}

/**
 * Checks one weapon (weapon.json, a create body). Field paths are dotted
 * (`vectors.network.transmissibility.low`).
 */
export function checkWeapon(input: unknown, errors: Errors, options: WeaponCheckOptions = {}): CheckedWeapon | null {
  const { entities } = options;
  const before = errors.length;
  if (!isPlainObject(input)) return push(errors, undefined, 'weapon', 'isObject', 'the weapon must be a JSON object'), null;
  for (const key in input) if (!WEAPON_FIELDS.has(key) && !(options.stixId && key === 'stixId')) push(errors, undefined, key, 'unknownProperty', `property '${key}' is not allowed`);
  const id = slugValue(input.id, 'id', true, errors);
  const name = nameValue(input.name, 'name', true, errors);
  const aliases = stringList(input.aliases, 'aliases', errors, (s, p) => (s.length > 300 ? (push(errors, undefined, p, 'length', `${p} must be at most 300 characters`), null) : s));
  if (aliases.length > 100) push(errors, undefined, 'aliases', 'max', 'at most 100 aliases');
  let payload: WeaponRecord['payload'] | null = null;
  if (absent(input.payload)) push(errors, undefined, 'payload', 'required', 'payload is required');
  else if ((PAYLOADS as readonly unknown[]).includes(input.payload)) payload = input.payload as WeaponRecord['payload'];
  else push(errors, undefined, 'payload', 'isIn', `payload must be one of ${PAYLOADS.join(', ')}`);

  const vectors: WeaponRecord['vectors'] = {};
  if (!isPlainObject(input.vectors)) push(errors, undefined, 'vectors', absent(input.vectors) ? 'required' : 'isObject', 'vectors must be an object keyed by dependency kind');
  else {
    for (const [k, vec] of Object.entries(input.vectors)) {
      if (vec === undefined) continue;
      const p = `vectors.${k}`;
      if (!DEP_KIND_SET.has(k)) {
        push(errors, undefined, p, 'isIn', `vector kind '${k}' must be one of ${DEPENDENCY_KINDS.join(', ')}`);
        continue;
      }
      if (!isPlainObject(vec)) {
        push(errors, undefined, p, 'isObject', `${p} must be {transmissibility, delayHours}`);
        continue;
      }
      for (const key in vec) if (key !== 'transmissibility' && key !== 'delayHours') push(errors, undefined, `${p}.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
      const t = checkRange(vec.transmissibility, `${p}.transmissibility`, { min: 0, max: 1 }, errors);
      const d = checkRange(vec.delayHours, `${p}.delayHours`, { min: 0 }, errors);
      if (t && d) vectors[k as DependencyKind] = { transmissibility: t, delayHours: d };
    }
  }
  const requiredTags = stringList(input.requiredTags, 'requiredTags', errors, (s, p) => {
    const t = s.trim().toLowerCase();
    if (!TAG.test(t)) return push(errors, undefined, p, 'tag', `tag '${clip(s)}' is not a valid tag`), null;
    return t;
  });

  let targeting: WeaponRecord['targeting'] = {};
  if (!absent(input.targeting)) {
    if (!isPlainObject(input.targeting)) push(errors, undefined, 'targeting', 'isObject', 'targeting must be an object');
    else {
      const tg = input.targeting;
      for (const key in tg) if (!['entityIds', 'countries', 'sectors', 'tags'].includes(key)) push(errors, undefined, `targeting.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
      const entityIds = stringList(tg.entityIds, 'targeting.entityIds', errors, (s, p) => {
        if (!SLUG.test(s)) return push(errors, undefined, p, 'slug', `'${clip(s)}' is not a valid id`), null;
        if (entities && !entities.has(s)) return push(errors, undefined, p, 'reference', `targeting.entityIds names no entity '${s}'`), null;
        return s;
      });
      const countries = stringList(tg.countries, 'targeting.countries', errors, (s, p) => countryValue(s, p, errors));
      const sectors = stringList(tg.sectors, 'targeting.sectors', errors, (s, p) => sectorValue(s, p, errors));
      const tags = stringList(tg.tags, 'targeting.tags', errors, (s, p) => {
        const t = s.trim().toLowerCase();
        return TAG.test(t) ? t : (push(errors, undefined, p, 'tag', `tag '${clip(s)}' is not a valid tag`), null);
      });
      targeting = {};
      if (entityIds.length) targeting.entityIds = entityIds;
      if (countries.length) targeting.countries = countries;
      if (sectors.length) targeting.sectors = sectors;
      if (tags.length) targeting.tags = tags;
    }
  }

  let impact: WeaponRecord['impact'] | null = null;
  if (!isPlainObject(input.impact)) push(errors, undefined, 'impact', absent(input.impact) ? 'required' : 'isObject', 'impact must be an object');
  else {
    const im = input.impact;
    for (const key in im) if (!['hostShare', 'costPerHostUsd', 'downtimeDays', 'inoperability'].includes(key)) push(errors, undefined, `impact.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
    const hostShare = checkRange(im.hostShare, 'impact.hostShare', { min: 0, max: 1, positive: true }, errors);
    const costPerHostUsd = checkRange(im.costPerHostUsd, 'impact.costPerHostUsd', { min: 0 }, errors);
    const downtimeDays = checkRange(im.downtimeDays, 'impact.downtimeDays', { min: 0 }, errors);
    const inoperability = absent(im.inoperability) ? undefined : checkRange(im.inoperability, 'impact.inoperability', { min: 0, max: 1 }, errors);
    if (hostShare && costPerHostUsd && downtimeDays && inoperability !== null) {
      impact = { hostShare, costPerHostUsd, downtimeDays };
      if (inoperability) impact.inoperability = inoperability;
    }
  }
  const killSwitchAt = dateValue(input.killSwitchAt, 'killSwitchAt', errors);
  const firstSeenAt = dateValue(input.firstSeenAt, 'firstSeenAt', errors);
  const containmentHours = absent(input.containmentHours) ? null : checkRange(input.containmentHours, 'containmentHours', { min: 0 }, errors);
  let characterised = true;
  if (!absent(input.characterised)) {
    if (typeof input.characterised !== 'boolean') push(errors, undefined, 'characterised', 'isBoolean', 'characterised must be true or false');
    else characterised = input.characterised;
  }
  let stixId: string | null = null;
  if (options.stixId && !absent(input.stixId)) {
    if (typeof input.stixId === 'string' && STIX_MALWARE.test(input.stixId)) stixId = input.stixId;
    else push(errors, undefined, 'stixId', 'stixId', 'stixId must be malware--<uuid>');
  }
  checkWeaponAcrossFields({ vectors: input.vectors, killSwitchAt: killSwitchAt, firstSeenAt: firstSeenAt }, errors);
  if (errors.length > before) return null;
  const w: CheckedWeapon = { id: id!, name: name!, aliases, payload: payload!, vectors, requiredTags, targeting, impact: impact!, characterised };
  if (killSwitchAt) w.killSwitchAt = killSwitchAt;
  if (firstSeenAt) w.firstSeenAt = firstSeenAt;
  if (containmentHours) w.containmentHours = containmentHours;
  if (stixId) w.stixId = stixId;
  return w;
}
