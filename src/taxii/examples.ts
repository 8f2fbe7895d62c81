/** Examples of the TAXII responses, from the demo data (the NotPetya scenario's spread reports). */
import { DEMO } from '../common/http/api-example';
import { estimateNoteIdOf, SPILLOVER_IDENTITY_ID } from '../stix/estimate';
import { COLLECTIONS } from './collections';
import { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './media-type';

const REPORTS = COLLECTIONS.reports;

export const DISCOVERY = {
  title: 'Spillover TAXII 2.1',
  description: 'Spread reports of escaped cyber weapons, under TLP.',
  default: 'https://spillover.example.org/taxii2/spillover/',
  api_roots: ['https://spillover.example.org/taxii2/spillover/'],
};

export const API_ROOT_INFO = { title: 'Spillover', description: 'Spread reports and responders inbox', versions: [TAXII_MEDIA_TYPE], max_content_length: 10485760 };

/** A collection as the reports' readers see it. */
export const COLLECTION = { id: REPORTS.id, title: REPORTS.title, description: REPORTS.description, can_read: true, can_write: false, media_types: [STIX_MEDIA_TYPE] };

/** A sighting of the demo data (a contained infection at a Reckitt Benckiser site). */
export const SIGHTING = {
  type: 'sighting',
  spec_version: '2.1',
  id: 'sighting--6e00e9d2-7bf9-5be2-bddb-a4e49b2f8873',
  created: '2026-01-05T09:00:00.000Z',
  modified: '2026-01-05T09:00:00.000Z',
  created_by_ref: 'identity--32446585-d3d6-515c-ad4c-100d0eb19223',
  first_seen: '2017-06-28T11:12:31.000Z',
  count: 30,
  confidence: 50,
  sighting_of_ref: 'malware--83c84889-68ad-5ccf-8106-bec5b7d03096',
  where_sighted_refs: ['identity--2f90b2dd-7339-5488-85b0-d0e18ed1a3f6'],
  object_marking_refs: ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
  x_spillover_status: 'contained',
  x_spillover_source: 'synthetic',
};

export const ENVELOPE = { more: true, next: 'MjAyNi0wMS0wNVQwOTowMDowMC4wMDBa', objects: [SIGHTING] };

export const MANIFEST = {
  more: true,
  next: 'MjAyNi0wMS0wNVQwOTowMDowMC4wMDBa',
  objects: [{ id: SIGHTING.id, date_added: SIGHTING.created, version: SIGHTING.modified, media_type: STIX_MEDIA_TYPE }],
};

/** The demo assessment's note in the estimates collection: its id follows from the assessment's. */
export const NOTE = {
  type: 'note',
  spec_version: '2.1',
  id: estimateNoteIdOf(DEMO.assessmentId),
  created: '2026-01-05T09:00:00.000Z',
  modified: '2026-01-05T09:00:00.000Z',
  created_by_ref: SPILLOVER_IDENTITY_ID,
  abstract: 'Spillover estimate: NotPetya as of 2017-06-28T12:00:00.000Z',
  object_refs: ['malware--83c84889-68ad-5ccf-8106-bec5b7d03096'],
};

export const VERSIONS = { more: false, versions: [NOTE.modified] };

/** The status resource of an add. */
export const STATUS = {
  id: '2b8e4c1a-7f3d-4e9b-a6c5-0d1e2f3a4b5c',
  status: 'complete',
  request_timestamp: '2026-01-05T09:00:00.000Z',
  total_count: 1,
  success_count: 1,
  successes: [{ id: SIGHTING.id, version: SIGHTING.modified, message: 'filed as report 01a24531-def2-7001-9b81-4529e0486ee3' }],
  failure_count: 0,
  failures: [],
  pending_count: 0,
  pendings: [],
};

/** The estimate bundle of the demo assessment, shortened to its creator and marking. */
export const ESTIMATE_BUNDLE = {
  type: 'bundle',
  id: 'bundle--70c524f6-a8fb-578f-9fff-54490f559636',
  objects: [
    {
      type: 'identity', spec_version: '2.1', id: 'identity--d47886ba-9820-5da1-b7c6-bf941457b95a', created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z', name: 'Spillover', identity_class: 'system', description: 'Collateral-damage estimates of escaped cyber weapons',
    },
    {
      type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:GREEN', extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'green' } },
    },
  ],
};
