/**
 * The collections of Spillover's one API root. Ids are fixed so clients can keep them.
 * - reports: every report version the reader may see, as STIX sightings (read-only);
 * - responders: where responders add STIX objects; sightings of malware at identities become
 *   reports (write-only: what was added is read back from `reports`);
 * - estimates: one STIX `note` per finished assessment, its ranges in a property extension
 *   (read-only; the whole bundle of one is GET /v1/assessments/:id/stix).
 */
import type { Principal } from '../common/http/principal';
import { STIX_MEDIA_TYPE } from './media-type';

export type CollectionKey = 'reports' | 'responders' | 'estimates';

export const COLLECTIONS: Record<CollectionKey, { id: string; title: string; description: string; readable: boolean; writable: boolean }> = {
  reports: {
    id: '3d7b0f4e-5c1a-4e8b-9f2d-6a1c8e0b7d21',
    title: 'Spread reports',
    description: 'Every report version the reader may see under TLP, as STIX 2.1 sightings of malware at identities.',
    readable: true,
    writable: false,
  },
  responders: {
    id: '9a2e6c18-7b4d-4f3a-8e51-0c9d2b6f4a37',
    title: 'Responders inbox',
    description: 'Add STIX 2.1 objects: sightings of malware at identities are filed as spread reports of the posting organisation.',
    readable: false,
    writable: true,
  },
  estimates: {
    id: '5c8e2a90-1f4b-4d6e-b3a7-8e0f9c2d4b65',
    title: 'Published estimates',
    description: 'One STIX 2.1 note per finished assessment, created by Spillover, with the ranges of the estimate in a property extension and the at-risk identities the reader may see.',
    readable: true,
    writable: false,
  },
};

export function collectionKeyOf(id: string): CollectionKey | null {
  return (Object.keys(COLLECTIONS) as CollectionKey[]).find((k) => COLLECTIONS[k].id === id) ?? null;
}

/** Who may write: the roles that file reports. */
export const canWrite = (principal: Principal) => principal.role === 'responder' || principal.role === 'admin';

/** The collection resource (TAXII 2.1 section 5.2.1) as `principal` sees it. */
export function collectionResource(key: CollectionKey, principal: Principal): Record<string, unknown> {
  const c = COLLECTIONS[key];
  return { id: c.id, title: c.title, description: c.description, can_read: c.readable, can_write: c.writable && canWrite(principal), media_types: [STIX_MEDIA_TYPE] };
}
