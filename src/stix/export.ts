/**
 * Reports of one weapon as a STIX 2.1 bundle: the malware, one identity per entity (with its
 * country as a location joined by `located-at`), one identity per reporting organisation (the
 * sightings' `created_by_ref`), one sighting per current report, and the TLP 2.0 marking
 * definitions used. Ids are the stored STIX ids where there are some, otherwise UUIDv5
 * of our ids, so the same data always exports to the same ids and an import of the export
 * matches back to the same records. Fields STIX has no property for travel as `x_spillover_*`
 * custom properties (STIX 2.1 §11.1).
 */
import { randomUUID } from 'node:crypto';
import type { Payload, Sector, Tlp } from '../domain/vocabulary';
import type { EntityNode } from '../graph/entity-node.entity';
import type { Report } from '../reports/report.entity';
import { sectorToStix } from '../domain/sectors';
import type { Organization } from '../auth/organization.entity';
import type { Weapon } from '../weapons/weapon.entity';
import type { StixVersion } from './stix-version.entity';
import { sightingIdOfChain, tlp2MarkingDefinition, TLP2_IDS, uuidV5 } from '../domain/stix-ids';

/** Timestamp of the objects we derive (locations, located-at relationships): constant, so exports are stable. */
const DERIVED_CREATED = '2020-01-01T00:00:00.000Z';
const TLP_ORDER: Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];

export const PAYLOAD_TO_MALWARE_TYPES: Record<Payload, string[]> = {
  wiper: ['wiper'],
  ransomware: ['ransomware'],
  botnet: ['bot'],
  espionage: ['spyware'],
  sabotage: [],
};

export const stixTime = (d: Date) => d.toISOString();
export const malwareIdOf = (w: Pick<Weapon, 'id' | 'stixId'>) => w.stixId ?? `malware--${uuidV5(`weapon:${w.id}`)}`;
export const identityIdOf = (e: Pick<EntityNode, 'id' | 'stixId'>) => e.stixId ?? `identity--${uuidV5(`entity:${e.id}`)}`;
export const locationIdOf = (country: string) => `location--${uuidV5(`country:${country}`)}`;
export const organizationIdentityIdOf = (organizationId: string) => `identity--${uuidV5(`organization:${organizationId}`)}`;

/** A weapon as a STIX malware family. */
export function malwareOf(weapon: Weapon): Record<string, unknown> {
  return compact({
    type: 'malware', spec_version: '2.1', id: malwareIdOf(weapon),
    created: stixTime(weapon.createdAt), modified: stixTime(weapon.updatedAt ?? weapon.createdAt),
    name: weapon.name, is_family: true,
    aliases: weapon.aliases?.length ? weapon.aliases : undefined,
    malware_types: PAYLOAD_TO_MALWARE_TYPES[weapon.payload]?.length ? PAYLOAD_TO_MALWARE_TYPES[weapon.payload] : undefined,
    first_seen: weapon.firstSeenAt ? stixTime(weapon.firstSeenAt) : undefined,
  });
}

/** What a sighting refers to, besides its report. */
export interface SightingContext {
  weapons: ReadonlyMap<string, Pick<Weapon, 'id' | 'stixId'>>;
  entities: ReadonlyMap<string, Pick<EntityNode, 'id' | 'stixId'>>;
  /** STIX versions of imported reports, by report id. */
  versions: ReadonlyMap<string, Pick<StixVersion, 'created' | 'modified'>>;
}

/**
 * One report version as a STIX 2.1 sighting: the malware at the entity's identity, created by
 * the reporting organisation's identity, marked with its TLP 2.0 level. `id` defaults to the
 * report's STIX id.
 */
export function sightingOf(r: Report, context: SightingContext, id = r.stixId ?? sightingIdOfChain(r.chainId)): Record<string, unknown> {
  // An imported sighting keeps its STIX version, so importing the export matches it exactly.
  const version = context.versions.get(r.id);
  return compact({
    type: 'sighting', spec_version: '2.1', id,
    created: stixTime(version?.created ?? r.createdAt), modified: stixTime(version?.modified ?? r.createdAt),
    created_by_ref: organizationIdentityIdOf(r.organizationId),
    first_seen: stixTime(r.observedAt),
    count: r.hostsAffected === null ? undefined : Math.min(r.hostsAffected, 999_999_999),
    confidence: r.confidence ?? undefined,
    sighting_of_ref: malwareIdOf(context.weapons.get(r.weaponId) ?? { id: r.weaponId, stixId: null }),
    where_sighted_refs: [identityIdOf(context.entities.get(r.entityId) ?? { id: r.entityId, stixId: null })],
    object_marking_refs: [TLP2_IDS[r.tlp]],
    external_references: r.externalReferences?.length ? r.externalReferences : undefined,
    x_spillover_status: r.status,
    x_spillover_downtime_hours: r.downtimeHours ?? undefined,
    x_spillover_loss_usd: r.lossLowUsd === null || r.lossHighUsd === null ? undefined : { low: r.lossLowUsd, high: r.lossHighUsd },
    x_spillover_source: r.source ?? undefined,
  });
}

/** A member organisation as the STIX identity its sightings are created by. */
export function organizationIdentity(o: Pick<Organization, 'id' | 'name' | 'createdAt'>): Record<string, unknown> {
  return {
    type: 'identity', spec_version: '2.1', id: organizationIdentityIdOf(o.id),
    created: stixTime(o.createdAt), modified: stixTime(o.createdAt), name: o.name, identity_class: 'organization',
  };
}

export function exportBundle(
  weapon: Weapon,
  reports: readonly Report[],
  entities: ReadonlyMap<string, EntityNode>,
  versions: ReadonlyMap<string, Pick<StixVersion, 'created' | 'modified'>>,
  organizations: readonly Pick<Organization, 'id' | 'name' | 'createdAt'>[],
): Record<string, unknown> {
  const objects: Record<string, unknown>[] = [];
  const tlps = new Set<Tlp>(reports.map((r) => r.tlp));
  for (const tlp of TLP_ORDER) if (tlps.has(tlp)) objects.push(tlp2MarkingDefinition(tlp));

  objects.push(malwareOf(weapon));

  const usedEntities = [...new Set(reports.map((r) => r.entityId))].sort().map((id) => entities.get(id)!).filter(Boolean);
  const countries = new Set<string>();
  for (const e of usedEntities) {
    const sectors = e.sector ? sectorToStix(e.sector as Sector) : [];
    objects.push(compact({
      type: 'identity', spec_version: '2.1', id: identityIdOf(e),
      created: stixTime(e.createdAt), modified: stixTime(e.updatedAt ?? e.createdAt),
      name: e.name, identity_class: e.kind === 'organization' || e.kind === 'csirt' ? 'organization' : 'system',
      sectors: sectors.length ? [sectors[0]] : undefined,
    }));
    if (e.country) countries.add(e.country);
  }
  for (const country of [...countries].sort()) {
    objects.push({ type: 'location', spec_version: '2.1', id: locationIdOf(country), created: DERIVED_CREATED, modified: DERIVED_CREATED, country });
  }
  const reporting = new Set(reports.map((r) => r.organizationId));
  for (const o of [...organizations].filter((x) => reporting.has(x.id)).sort((a, b) => (a.id < b.id ? -1 : 1))) objects.push(organizationIdentity(o));
  for (const e of usedEntities) {
    if (!e.country) continue;
    const source = identityIdOf(e);
    const target = locationIdOf(e.country);
    objects.push({
      type: 'relationship', spec_version: '2.1', id: `relationship--${uuidV5(`located-at:${source}:${target}`)}`,
      created: DERIVED_CREATED, modified: DERIVED_CREATED, relationship_type: 'located-at', source_ref: source, target_ref: target,
    });
  }
  // Several organisations may have imported the same sighting: one STIX id per chain in the export.
  const sightingIds = reports.map((r) => r.stixId ?? sightingIdOfChain(r.chainId));
  const shared = new Set(sightingIds.filter((id, i) => sightingIds.indexOf(id) !== i));
  const context: SightingContext = { weapons: new Map([[weapon.id, weapon]]), entities, versions };
  reports.forEach((r, i) => {
    const id = shared.has(sightingIds[i]) ? `sighting--${uuidV5(`${sightingIds[i]}:${r.organizationId}`)}` : sightingIds[i];
    objects.push(sightingOf(r, context, id));
  });
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
