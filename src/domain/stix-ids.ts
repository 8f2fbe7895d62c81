/**
 * STIX identifiers and well-known objects: TLP marking definitions (TLP 2.0 from OASIS
 * cti-stix-common-objects; TLP 1.0 from the STIX 2.1 specification, section 7.2.1.4) and
 * deterministic UUIDv5 ids for objects exported from records that have no STIX id of their own,
 * so exporting twice gives the same ids.
 */
import { createHash } from 'node:crypto';
import type { Tlp } from './vocabulary';

export const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const STIX_ID = new RegExp(`^([a-z0-9][a-z0-9-]{1,248}[a-z0-9])--(${UUID_RE})$`);
/** RFC 3339 in UTC with `Z`, as STIX 2.1 requires. */
export const STIX_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** TLP 2.0 marking-definition ids (OASIS). */
export const TLP2_IDS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** TLP 1.0 marking-definition ids (STIX 2.1 §7.2.1.4); WHITE maps to CLEAR. */
export const TLP1_IDS: Record<'white' | 'green' | 'amber' | 'red', string> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

/** Every well-known TLP marking id, to its TLP 2.0 level. */
export const TLP_BY_MARKING_ID: ReadonlyMap<string, Tlp> = new Map<string, Tlp>([
  ...(Object.entries(TLP2_IDS) as [Tlp, string][]).map(([tlp, id]) => [id, tlp] as [string, Tlp]),
  [TLP1_IDS.white, 'clear'],
  [TLP1_IDS.green, 'green'],
  [TLP1_IDS.amber, 'amber'],
  [TLP1_IDS.red, 'red'],
]);

const TLP_NAMES: Record<Tlp, string> = { clear: 'TLP:CLEAR', green: 'TLP:GREEN', amber: 'TLP:AMBER', 'amber+strict': 'TLP:AMBER+STRICT', red: 'TLP:RED' };

/** The OASIS TLP 2.0 marking-definition object of a level. */
export function tlp2MarkingDefinition(tlp: Tlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_IDS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: TLP_NAMES[tlp],
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  };
}

/** Namespace of Spillover's UUIDv5 ids. */
const NAMESPACE = Buffer.from('6f1c2b3a9d8e4f70a1b2c3d4e5f60718', 'hex');

/** RFC 4122 UUID version 5 (SHA-1, name-based) of `name` in Spillover's namespace. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The STIX id of a report chain filed natively: UUIDv5 of the chain id, since report ids are
 * UUIDv7 and STIX consumers (and the OASIS schemas) accept only UUID versions 1-5.
 */
export const sightingIdOfChain = (chainId: string) => `sighting--${uuidV5(`chain:${chainId}`)}`;

export const stixTypeOf = (id: string) => id.slice(0, id.indexOf('--'));
