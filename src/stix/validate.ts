/**
 * Structural validation of a STIX 2.1 bundle (STIX 2.1 OS, sections 3-7), as much as the import
 * relies on: the bundle envelope, every object's type/id/spec_version/timestamps, reference
 * syntax and targets (no dangling refs), and the properties of the object types we map
 * (sighting, malware, identity, location, relationship, marking-definition). Every problem is
 * reported with its object (`objects[3]`, id in the message) and property.
 */
import type { ErrorDetail } from '../common/errors/domain-error';
import { STIX_ID, STIX_TIMESTAMP, stixTypeOf, TLP_BY_MARKING_ID, UUID_RE } from '../domain/stix-ids';

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface ValidBundle {
  id: string;
  objects: StixObject[];
}

/** SDO and SRO types of STIX 2.1: they must carry spec_version, created and modified. */
const SDO_SRO = new Set([
  'attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure', 'intrusion-set',
  'location', 'malware', 'malware-analysis', 'note', 'observed-data', 'opinion', 'report', 'threat-actor', 'tool', 'vulnerability',
  'relationship', 'sighting',
]);
const TYPE = /^([a-z0-9]+-)*[a-z0-9]+$/;
const PROPERTY = /^[a-z0-9_]{1,250}$/;
const BUNDLE_ID = new RegExp(`^bundle--${UUID_RE}$`);

/**
 * Validates `body` as a STIX 2.1 bundle. `isKnown(id)` says whether a reference that is not in
 * the bundle resolves elsewhere (an entity or weapon stored with that STIX id).
 */
export function validateBundle(body: unknown, isKnown: (id: string) => boolean): { bundle: ValidBundle | null; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    err('body', 'isObject', 'the body must be a STIX 2.1 bundle object');
    return { bundle: null, errors };
  }
  const b = body as Record<string, unknown>;
  if (b.type !== 'bundle') err('type', 'stixType', `type must be "bundle" (got ${JSON.stringify(b.type)})`);
  if (typeof b.id !== 'string' || !BUNDLE_ID.test(b.id)) err('id', 'stixId', 'id must be bundle--<uuid>');
  if (b.spec_version !== undefined && b.spec_version !== '2.1') {
    err('spec_version', 'specVersion', `unsupported spec_version ${JSON.stringify(b.spec_version)}: only STIX 2.1 is accepted`);
  }
  if (!Array.isArray(b.objects)) {
    err('objects', 'isArray', 'objects must be an array of STIX objects');
    return { bundle: null, errors };
  }
  const objects = b.objects as unknown[];
  const ids = new Map<string, string>();
  objects.forEach((o) => {
    if (o && typeof o === 'object' && typeof (o as any).id === 'string' && typeof (o as any).type === 'string') ids.set((o as any).id, (o as any).type);
  });

  objects.forEach((raw, i) => {
    const at = `objects[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err(at, 'isObject', `${at} must be a STIX object`);
    const o = raw as Record<string, unknown>;
    const who = typeof o.id === 'string' ? o.id : at;
    const bad = (prop: string, rule: string, message: string) => err(`${at}.${prop}`, rule, `${who}: ${message}`);

    if (typeof o.type !== 'string' || o.type.length < 3 || o.type.length > 250 || !TYPE.test(o.type)) {
      bad('type', o.type === undefined ? 'required' : 'stixType', 'type is required: lowercase letters, digits and hyphens, 3-250 characters');
      return;
    }
    const type = o.type;
    if (typeof o.id !== 'string') bad('id', 'required', 'id is required');
    else {
      const m = STIX_ID.exec(o.id);
      if (!m || m[1] !== type) bad('id', 'stixId', `id must be "${type}--<uuid>" (got "${o.id}")`);
    }
    const isCore = SDO_SRO.has(type) || type === 'marking-definition';
    if (o.spec_version === undefined) {
      if (isCore) bad('spec_version', 'required', 'spec_version is required ("2.1")');
    } else if (o.spec_version !== '2.1') bad('spec_version', 'specVersion', `unsupported spec_version ${JSON.stringify(o.spec_version)}: only "2.1" is accepted`);
    for (const prop of Object.keys(o)) if (!PROPERTY.test(prop)) bad(prop, 'propertyName', `property name "${prop}" is not a valid STIX property name`);

    const timestamp = (prop: string, required: boolean) => {
      const v = o[prop];
      if (v === undefined) return required ? (bad(prop, 'required', `${prop} is required`), null) : null;
      if (typeof v !== 'string' || !STIX_TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) return bad(prop, 'timestamp', `${prop} must be an RFC 3339 UTC timestamp ending in Z`), null;
      return Date.parse(v);
    };
    if (isCore) {
      const created = timestamp('created', true);
      const modified = type === 'marking-definition' ? null : timestamp('modified', true);
      if (created !== null && modified !== null && modified < created) bad('modified', 'order', 'modified must not be before created');
    }
    if (o.confidence !== undefined && (!Number.isInteger(o.confidence) || (o.confidence as number) < 0 || (o.confidence as number) > 100)) {
      bad('confidence', 'range', 'confidence must be an integer from 0 to 100');
    }

    // References: syntax, expected types, and resolution (in the bundle, a known TLP marking, or stored).
    const checkRef = (prop: string, ref: unknown, allowed?: readonly string[]) => {
      if (typeof ref !== 'string' || !STIX_ID.test(ref)) return bad(prop, 'stixId', `${prop} must be a STIX id <type>--<uuid>`);
      const refType = stixTypeOf(ref);
      if (allowed && !allowed.includes(refType)) return bad(prop, 'refType', `${prop} must reference ${allowed.join(' or ')}, not ${refType}`);
      if (!ids.has(ref) && !TLP_BY_MARKING_ID.has(ref) && !isKnown(ref)) bad(prop, 'reference', `${prop} "${ref}" is not in the bundle (dangling reference)`);
    };
    const REF_TYPES: Record<string, readonly string[]> = {
      created_by_ref: ['identity'], object_marking_refs: ['marking-definition'], where_sighted_refs: ['identity', 'location'],
      observed_data_refs: ['observed-data'], sighting_of_ref: [...SDO_SRO].filter((t) => t !== 'relationship' && t !== 'sighting'),
    };
    for (const [prop, v] of Object.entries(o)) {
      if (prop.endsWith('_ref')) checkRef(prop, v, REF_TYPES[prop]);
      else if (prop.endsWith('_refs')) {
        if (!Array.isArray(v)) bad(prop, 'isArray', `${prop} must be an array of STIX ids`);
        else v.forEach((ref, k) => checkRef(`${prop}[${k}]`, ref, REF_TYPES[prop]));
      }
    }
    if (Array.isArray(o.granular_markings)) {
      o.granular_markings.forEach((g, k) => checkRef(`granular_markings[${k}].marking_ref`, (g as any)?.marking_ref, ['marking-definition']));
    }
    if (o.external_references !== undefined) {
      if (!Array.isArray(o.external_references)) bad('external_references', 'isArray', 'external_references must be an array');
      else o.external_references.forEach((r, k) => {
        if (typeof r !== 'object' || r === null || typeof (r as any).source_name !== 'string') bad(`external_references[${k}].source_name`, 'required', 'source_name is required');
      });
    }

    switch (type) {
      case 'sighting': {
        if (o.sighting_of_ref === undefined) bad('sighting_of_ref', 'required', 'sighting_of_ref is required');
        if (o.count !== undefined && (!Number.isInteger(o.count) || (o.count as number) < 0 || (o.count as number) > 999_999_999)) {
          bad('count', 'range', 'count must be an integer from 0 to 999999999');
        }
        const first = timestamp('first_seen', false);
        const last = timestamp('last_seen', false);
        if (first !== null && last !== null && last < first) bad('last_seen', 'order', 'last_seen must not be before first_seen');
        if (o.where_sighted_refs !== undefined && Array.isArray(o.where_sighted_refs) && o.where_sighted_refs.length === 0) {
          bad('where_sighted_refs', 'minSize', 'where_sighted_refs must not be empty');
        }
        break;
      }
      case 'malware':
        if (typeof o.is_family !== 'boolean') bad('is_family', 'required', 'is_family (boolean) is required');
        if (o.is_family === true && (typeof o.name !== 'string' || !o.name.trim())) bad('name', 'required', 'name is required when is_family is true');
        if (o.name !== undefined && typeof o.name !== 'string') bad('name', 'isString', 'name must be a string');
        if (o.aliases !== undefined && (!Array.isArray(o.aliases) || o.aliases.some((a) => typeof a !== 'string'))) bad('aliases', 'isArray', 'aliases must be an array of strings');
        if (o.malware_types !== undefined && (!Array.isArray(o.malware_types) || o.malware_types.some((a) => typeof a !== 'string'))) bad('malware_types', 'isArray', 'malware_types must be an array of strings');
        timestamp('first_seen', false);
        break;
      case 'identity':
        if (typeof o.name !== 'string' || !o.name.trim()) bad('name', 'required', 'name is required');
        if (o.sectors !== undefined && (!Array.isArray(o.sectors) || o.sectors.some((s) => typeof s !== 'string'))) bad('sectors', 'isArray', 'sectors must be an array of strings');
        break;
      case 'location':
        if (o.country !== undefined && typeof o.country !== 'string') bad('country', 'isString', 'country must be a string');
        if (o.region === undefined && o.country === undefined && (o.latitude === undefined || o.longitude === undefined)) {
          bad('country', 'required', 'a location needs region, country, or latitude and longitude');
        }
        break;
      case 'relationship':
        if (typeof o.relationship_type !== 'string' || !o.relationship_type) bad('relationship_type', 'required', 'relationship_type is required');
        if (o.source_ref === undefined) bad('source_ref', 'required', 'source_ref is required');
        if (o.target_ref === undefined) bad('target_ref', 'required', 'target_ref is required');
        break;
      case 'marking-definition':
        if (o.definition_type === 'tlp') {
          const level = (o.definition as any)?.tlp;
          if (!['white', 'green', 'amber', 'red'].includes(level)) bad('definition.tlp', 'isIn', 'a TLP 1.0 definition has tlp white, green, amber or red');
        }
        break;
    }
  });
  if (errors.length) return { bundle: null, errors };
  return { bundle: { id: b.id as string, objects: objects as StixObject[] }, errors };
}

/** The TLP level a marking-definition object defines (TLP 2.0 extension or TLP 1.0 definition), or null. */
export function tlpOfMarking(o: StixObject): string | null {
  const known = TLP_BY_MARKING_ID.get(o.id);
  if (known) return known;
  for (const ext of Object.values((o.extensions as Record<string, any>) ?? {})) {
    if (ext && typeof ext.tlp_2_0 === 'string') return ext.tlp_2_0.toLowerCase();
  }
  if (o.definition_type === 'tlp') {
    const level = String((o.definition as any)?.tlp ?? '').toLowerCase();
    return level === 'white' ? 'clear' : level;
  }
  return null;
}
