/**
 * Examples of the report responses, taken from the demo data (the NotPetya scenario, whose
 * reports have fixed ids: see scenarioReportId) and shortened: one element per list.
 */
import { DEMO } from '../../common/http/api-example';

/** One report as the list shows it. */
export const REPORT_VIEW = {
  id: '48a72ac8-cdc2-5b86-9837-6ee307fb1261',
  weaponId: 'notpetya',
  entityId: 'reckitt-benckiser-site-017',
  organizationId: 'scenario-notpetya-2017',
  observedAt: '2017-06-28T11:12:31.000Z',
  status: 'contained',
  hostsAffected: 30,
  downtimeHours: null,
  lossUsd: null,
  confidence: 50,
  tlp: 'clear',
  source: 'synthetic',
  externalReferences: [],
  supersedes: null,
  chainId: '48a72ac8-cdc2-5b86-9837-6ee307fb1261',
  version: 1,
  stixId: 'sighting--c1f44c7a-e875-5cfa-b559-27a16552607f',
  createdAt: '2026-12-05T13:27:46.400Z'
};

/** A page of the list. */
export const REPORT_PAGE = { items: [REPORT_VIEW], nextCursor: 'WyJyZXBvcnRzIiwiMjAxNy0wNi0yOFQxMToxMDoxMC4wMDBaIiwiNWQ2MTNlMzAtZDBhYS01OThlLTk1NzEtYzhkMGRkMzRiYWRkIl0' };

/** The demo report (a scenario report of NotPetya, whose id is fixed). */
const DEMO_REPORT = {
  id: DEMO.reportId,
  weaponId: 'notpetya',
  entityId: 'medoc-update-server',
  organizationId: 'scenario-notpetya-2017',
  observedAt: '2017-06-27T09:00:00.000Z',
  status: 'confirmed',
  hostsAffected: null,
  downtimeHours: null,
  lossUsd: null,
  confidence: 85,
  tlp: 'clear',
  source: 'synthetic report, modelled on public reporting that the M.E.Doc update server was the entry point',
  externalReferences: [],
  supersedes: null,
  chainId: DEMO.reportId,
  version: 1,
  stixId: 'sighting--39742004-da50-5ce3-b95d-731c43fdef81',
  createdAt: '2026-12-05T13:27:46.400Z',
};

/** One report with its chain of versions (GET /v1/reports/{id} on the demo report). */
export const REPORT_DETAIL = {
  ...DEMO_REPORT,
  current: true,
  supersededBy: null,
  currentId: DEMO.reportId,
  chain: [DEMO_REPORT],
};

/** A report as POST answers it (here one with a filed loss and downtime): stored, with its warnings. */
export const REPORT_CREATED = {
  id: '01a24664-1eed-7000-a9eb-4ffe3e15111e',
  weaponId: 'notpetya',
  entityId: 'maersk',
  organizationId: 'spillover',
  observedAt: '2017-06-27T12:05:00.000Z',
  status: 'confirmed',
  hostsAffected: 4000,
  downtimeHours: 240,
  lossUsd: { low: 200000000, high: 300000000 },
  confidence: 90,
  tlp: 'clear',
  source: null,
  externalReferences: [],
  supersedes: null,
  chainId: '01a24664-1eed-7000-a9eb-4ffe3e15111e',
  version: 1,
  stixId: 'sighting--1c3071e0-4612-50d0-9455-4ea06a3b33e3',
  createdAt: '2026-12-05T13:28:16.365Z',
  warnings: []
};

/** What a bulk filing answers. */
export const BULK_RESULT = {
  created: 2,
  ids: [
    '01a24664-1f03-7000-bfa1-22851422d8f7',
    '01a24664-1f03-7001-b3af-7ad6bc78e9a3'
  ],
  entitiesCreated: [],
  warnings: []
};
