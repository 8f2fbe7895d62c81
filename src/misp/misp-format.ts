/**
 * MISP core format (MISP/misp-rfc, misp-core-format) to and from Spillover's spread reports.
 *
 * In: a MISP event as MISP exports it becomes a STIX 2.1 bundle the STIX import files, so one
 * MISP sighting is one piece of evidence exactly as one STIX sighting is:
 * - the malware galaxy cluster (mitre-malware, malpedia, malware types) -> `malware`;
 * - each `target-org` attribute -> an `identity` (its country from a `target-location` or
 *   `country` attribute of the same MISP object);
 * - each MISP sighting of type 0 (seen) or 3 (true positive) on it -> a `sighting` with the
 *   sighting's uuid and date; a `target-org` without sightings is itself one sighting;
 * - `tlp:` tags of the attribute, else of the event -> TLP (the most restrictive wins).
 * Everything else is skipped with the reason.
 *
 * Out: a weapon's reports as one MISP event per weapon: its galaxy cluster, one `target-org`
 * attribute per entity and TLP, each report a MISP sighting whose uuid is the report's STIX id.
 */
import type { Tlp } from '../domain/vocabulary';
import { DEFAULT_TLP } from '../reports/report-rules';
import type { SkippedObject } from '../stix/stix.service';
import { TLP2_IDS, UUID_RE, uuidV5 } from '../domain/stix-ids';

const UUID = new RegExp(`^${UUID_RE}$`);
const MALWARE_GALAXIES = new Set(['mitre-malware', 'malpedia', 'mitre-enterprise-attack-malware', 'malware']);
const TLP_TAGS: Record<string, Tlp> = { 'tlp:clear': 'clear', 'tlp:white': 'clear', 'tlp:green': 'green', 'tlp:amber': 'amber', 'tlp:amber+strict': 'amber+strict', 'tlp:red': 'red' };
const TLP_ORDER: Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];

type Json = Record<string, any>;

const unixToIso = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : null;
};
const tlpOf = (tags: unknown): Tlp | null => {
  const levels = (Array.isArray(tags) ? tags : []).map((t: Json) => TLP_TAGS[String(t?.name ?? '').toLowerCase()]).filter(Boolean);
  return levels.length ? levels.reduce((a, b) => (TLP_ORDER.indexOf(b) > TLP_ORDER.indexOf(a) ? b : a)) : null;
};

/** The event of a body: `{Event: {...}}`, or the event itself. */
export function eventOf(body: unknown): Json | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const e = (body as Json).Event ?? body;
  return e && typeof e === 'object' && !Array.isArray(e) && (Array.isArray(e.Attribute) || Array.isArray(e.Object)) ? e : null;
}

/** A MISP event as a STIX bundle of malware sightings at identities, and what was left out. */
export function eventToBundle(event: Json): { bundle: Json; skipped: SkippedObject[] } {
  const skipped: SkippedObject[] = [];
  const objects: Json[] = [];
  const created = unixToIso(event.timestamp) ?? (event.date ? `${event.date}T00:00:00.000Z` : new Date().toISOString());
  const eventTlp = tlpOf(event.Tag);

  const cluster = (Array.isArray(event.Galaxy) ? event.Galaxy : [])
    .filter((g: Json) => MALWARE_GALAXIES.has(String(g?.type)))
    .flatMap((g: Json) => (Array.isArray(g.GalaxyCluster) ? g.GalaxyCluster : []))
    .find((c: Json) => typeof c?.value === 'string' && c.value.trim());
  const malwareId = cluster ? `malware--${UUID.test(String(cluster.uuid)) ? cluster.uuid : uuidV5(`misp-cluster:${cluster.value}`)}` : null;
  if (cluster) {
    const synonyms = Array.isArray(cluster.meta?.synonyms) ? cluster.meta.synonyms.filter((s: unknown) => typeof s === 'string') : [];
    objects.push({ type: 'malware', spec_version: '2.1', id: malwareId, created, modified: created, name: cluster.value.trim(), is_family: true, ...(synonyms.length ? { aliases: synonyms } : {}) });
  }

  // Attributes with the MISP object they belong to (for a victim's country).
  const attributes: { a: Json; siblings: Json[] }[] = [
    ...(Array.isArray(event.Attribute) ? event.Attribute : []).map((a: Json) => ({ a, siblings: [] as Json[] })),
    ...(Array.isArray(event.Object) ? event.Object : []).flatMap((o: Json) => {
      const list: Json[] = Array.isArray(o?.Attribute) ? o.Attribute : [];
      return list.map((a) => ({ a, siblings: list }));
    }),
  ];
  const markings = new Set<Tlp>();
  for (const { a, siblings } of attributes) {
    const id = `misp-attribute:${a?.uuid ?? '?'}`;
    const isPlace = a?.type === 'target-location' || a?.object_relation === 'country';
    // A victim's country is used with its target-org.
    if (isPlace && siblings.some((x) => x?.type === 'target-org')) continue;
    if (a?.type !== 'target-org') {
      skipped.push({ id, type: String(a?.type ?? 'attribute'), reason: `a ${a?.type} attribute is not a victim: only target-org attributes (with their sightings) become reports` });
      continue;
    }
    if (!malwareId) {
      skipped.push({ id, type: 'target-org', reason: 'the event names no malware (no mitre-malware or malpedia galaxy cluster): a report needs the weapon' });
      continue;
    }
    if (!UUID.test(String(a.uuid)) || typeof a.value !== 'string' || !a.value.trim()) {
      skipped.push({ id, type: 'target-org', reason: 'a target-org attribute needs a uuid and the organisation name as value' });
      continue;
    }
    const tlp = tlpOf(a.Tag) ?? eventTlp ?? DEFAULT_TLP;
    markings.add(tlp);
    const identityId = `identity--${uuidV5(`misp-target-org:${a.value.trim().toLowerCase()}`)}`;
    if (!objects.some((o) => o.id === identityId)) {
      objects.push({ type: 'identity', spec_version: '2.1', id: identityId, created, modified: created, name: a.value.trim(), identity_class: 'organization' });
      const place = siblings.find((s) => (s?.type === 'target-location' || s?.object_relation === 'country') && typeof s.value === 'string' && /^[A-Za-z]{2}$/.test(s.value.trim()));
      if (place) {
        const country = place.value.trim().toUpperCase();
        const locationId = `location--${uuidV5(`country:${country}`)}`;
        if (!objects.some((o) => o.id === locationId)) objects.push({ type: 'location', spec_version: '2.1', id: locationId, created, modified: created, country });
        objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--${uuidV5(`located-at:${identityId}:${locationId}`)}`, created, modified: created, relationship_type: 'located-at', source_ref: identityId, target_ref: locationId });
      }
    }
    const sightings: Json[] = Array.isArray(a.Sighting) ? a.Sighting : [];
    const seen = sightings.length ? sightings : [{ uuid: a.uuid, date_sighting: a.timestamp ?? event.timestamp, type: '0', source: a.comment }];
    for (const s of seen) {
      const type = String(s?.type ?? '0');
      if (type !== '0' && type !== '3') {
        skipped.push({ id: `misp-sighting:${s?.uuid ?? '?'}`, type: 'sighting', reason: `MISP sighting type ${type} (${type === '1' ? 'false positive' : type === '2' ? 'expiration' : 'unknown'}) is not an observation of the weapon` });
        continue;
      }
      const at = unixToIso(s.date_sighting);
      if (!UUID.test(String(s.uuid)) || !at) {
        skipped.push({ id: `misp-sighting:${s?.uuid ?? '?'}`, type: 'sighting', reason: 'a MISP sighting needs a uuid and date_sighting (Unix seconds)' });
        continue;
      }
      const source = [s.source, s.Organisation?.name].filter((x) => typeof x === 'string' && x.trim()).join(' / ');
      objects.push({
        type: 'sighting', spec_version: '2.1', id: `sighting--${s.uuid}`, created: at, modified: at, first_seen: at,
        sighting_of_ref: malwareId, where_sighted_refs: [identityId], object_marking_refs: [TLP2_IDS[tlp]],
        ...(source ? { x_spillover_source: source.slice(0, 200) } : {}),
      });
    }
  }
  return { bundle: { type: 'bundle', id: `bundle--${uuidV5(`misp-event:${event.uuid ?? created}`)}`, objects }, skipped };
}

export interface FeedReport {
  stixId: string;
  entityName: string;
  entityCountry: string | null;
  organizationName: string;
  tlp: Tlp;
  observedAt: Date;
  createdAt: Date;
  source: string | null;
}

/** A weapon's reports as one MISP event (the feed's only event), and its manifest entry. */
export function reportsToEvent(weapon: { id: string; name: string; aliases: string[] | null; stixId: string | null }, reports: readonly FeedReport[]): { uuid: string; event: Json; manifest: Json } {
  const uuid = uuidV5(`misp-event:weapon:${weapon.id}`);
  const clusterUuid = weapon.stixId ? weapon.stixId.slice('malware--'.length) : uuidV5(`weapon:${weapon.id}`);
  const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));
  const timestamp = unix(new Date(Math.max(0, ...reports.map((r) => r.createdAt.getTime()))));
  const date = reports.length ? new Date(Math.min(...reports.map((r) => r.observedAt.getTime()))).toISOString().slice(0, 10) : new Date().toISOString().slice(0, 10);
  const orgc = { name: 'Spillover', uuid: uuidV5('spillover') };
  const worst = reports.reduce<Tlp>((a, r) => (TLP_ORDER.indexOf(r.tlp) > TLP_ORDER.indexOf(a) ? r.tlp : a), 'clear');
  const groups = new Map<string, FeedReport[]>();
  for (const r of reports) groups.set(`${r.entityName}\u0000${r.tlp}`, [...(groups.get(`${r.entityName}\u0000${r.tlp}`) ?? []), r]);
  const attributes: Json[] = [];
  const objects: Json[] = [];
  for (const [key, group] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [name, tlp] = key.split('\u0000');
    const attribute = {
      uuid: uuidV5(`misp-attribute:${weapon.id}:${key}`), type: 'target-org', category: 'Targeting data', value: name, to_ids: false,
      timestamp: unix(new Date(Math.max(...group.map((r) => r.createdAt.getTime())))), distribution: '5',
      Tag: [{ name: `tlp:${tlp}` }],
      Sighting: group.map((r) => ({
        uuid: r.stixId.slice('sighting--'.length), date_sighting: unix(r.observedAt), type: '0', source: r.source ?? 'spillover',
        Organisation: { name: r.organizationName, uuid: uuidV5(`organization:${r.organizationName}`) },
      })),
    };
    const country = group[0].entityCountry;
    if (country) {
      objects.push({
        uuid: uuidV5(`misp-object:${weapon.id}:${key}`), name: 'victim', 'meta-category': 'misc', timestamp: attribute.timestamp,
        Attribute: [{ ...attribute, object_relation: 'name' }, { uuid: uuidV5(`misp-attribute:${weapon.id}:${key}:country`), type: 'target-location', category: 'Targeting data', value: country, to_ids: false, object_relation: 'country', timestamp: attribute.timestamp }],
      });
    } else attributes.push(attribute);
  }
  const tags = [{ name: `tlp:${worst}`, colour: '#000000' }];
  const event = {
    Event: {
      uuid, info: `Spillover: spread reports of ${weapon.name}`, date, timestamp, publish_timestamp: timestamp, published: true,
      threat_level_id: '1', analysis: '2', distribution: '0', Orgc: orgc, Org: orgc, Tag: tags,
      Galaxy: [{ type: 'mitre-malware', name: 'Malware', GalaxyCluster: [{ type: 'mitre-malware', uuid: clusterUuid, value: weapon.name, tag_name: `misp-galaxy:mitre-malware="${weapon.name}"`, meta: { synonyms: weapon.aliases ?? [] } }] }],
      Attribute: attributes, Object: objects,
    },
  };
  return { uuid, event, manifest: { info: event.Event.info, Orgc: orgc, analysis: '2', Tag: tags, timestamp, date, threat_level_id: '1' } };
}
