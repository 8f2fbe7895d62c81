/**
 * Examples of the assessment responses, taken from the demo data (the NotPetya
 * scenario and its demo assessment, seed 2017) and shortened: one element per list.
 */
import { DEMO } from '../../common/http/api-example';
import { QUEUED_JOB } from '../../jobs/examples';

/** A job as POST answers it: queued, its inputs with the seed filled in. */
export const ASSESSMENT_QUEUED = {
  id: DEMO.assessmentId,
  kind: 'assessment',
  status: 'queued',
  progress: 0,
  etaSeconds: null,
  stale: false,
  weaponId: 'notpetya',
  inputs: {
    weaponId: 'notpetya',
    asOf: '2017-06-28T12:00:00.000Z',
    horizonHours: 168,
    model: 'sir',
    runs: 20000,
    seed: 1,
    confidenceLevel: 0.9,
    calibrate: true,
    reportsUsed: 118,
    latestReportAt: '2017-06-28T11:12:31.000Z',
    latestReportFiledAt: '2026-01-05T09:00:00.000Z',
  },
  headline: null,
  ...QUEUED_JOB,
};

/** A job after DELETE. */
export const ASSESSMENT_CANCELLED = { ...ASSESSMENT_QUEUED, status: 'cancelled', finishedAt: '2026-01-05T09:00:01.000Z' };

/** A page of assessments, each finished one with its headline. */
export const ASSESSMENT_PAGE = {
  items: [
    {
      id: DEMO.assessmentId,
      kind: 'assessment',
      status: 'done',
      progress: 1,
      etaSeconds: 0,
      stale: false,
      weaponId: 'notpetya',
      inputs: {
        weaponId: 'notpetya',
        asOf: '2017-06-28T12:00:00.000Z',
        horizonHours: 72,
        model: 'sir',
        runs: 2000,
        seed: 2017,
        confidenceLevel: 0.9,
        calibrate: true,
        reportsUsed: 118,
        latestReportAt: '2017-06-28T11:12:31.000Z',
        latestReportFiledAt: '2026-01-05T09:00:00.000Z',
      },
      headline: {
        level: 0.9,
        entitiesInfected: { mean: 2738.0, median: 2948, low: 1136, high: 3832, level: 0.9 },
        lossUsd: { total: { mean: 2989000000.0, median: 3090000000.0, low: 1936000000.0, high: 3731000000.0, level: 0.9 } },
        collateral: {
          entitiesInfected: { mean: 194.5, median: 184, low: 59, high: 380, level: 0.9 },
          lossUsd: { total: { mean: 1843000000.0, median: 1910000000.0, low: 999700000.0, high: 2447000000.0, level: 0.9 } },
        },
        effectiveSampleSize: 177.8,
      },
      runner: 'in-process',
      attempts: 1,
      error: null,
      createdAt: '2026-01-05T09:00:00.000Z',
      startedAt: '2026-01-05T09:00:00.000Z',
      finishedAt: '2026-01-05T09:00:00.000Z',
    },
  ],
  nextCursor: null,
};

const DONE = ASSESSMENT_PAGE.items[0];

/** The demo assessment when done, with its summary (shortened to a few figures). */
export const ASSESSMENT_DONE = {
  ...DONE,
  result: {
    total: { entitiesInfected: DONE.headline.entitiesInfected, lossUsd: DONE.headline.lossUsd },
    collateral: DONE.headline.collateral,
    calibration: { method: 'importance sampling (docs/method.md)', effectiveSampleSize: DONE.headline.effectiveSampleSize },
  },
};

/** Per-entity figures of the demo assessment (first row). */
export const ASSESSMENT_ENTITIES = {
  assessmentId: DEMO.assessmentId,
  total: 10194,
  items: [
    {
      entityId: 'ua-org-1271',
      name: 'Ukrainian organisation 1271 (synthetic)',
      kind: 'organization',
      parentId: null,
      country: 'UA',
      sector: 'commercial-facilities',
      protected: false,
      intended: true,
      collateral: false,
      reported: true,
      probabilityInfected: { p: 1, low: 1, high: 1 },
      probabilityDisrupted: { p: 0, low: 0, high: 0.02115 },
      expectedLossUsd: 69010.0,
    },
  ],
};

/** The rollup by country (first child). */
export const ASSESSMENT_ROLLUP = {
  assessmentId: DEMO.assessmentId,
  levels: ['country'],
  part: 'total',
  root: {
    id: 'world',
    level: 'world',
    key: 'world',
    count: 10194,
    expected: { entitiesInfected: 2738.0, entitiesDisrupted: 2762.0, lossUsd: 2989000000.0 },
    ranges: {
      key: 'world',
      entitiesInfected: { mean: 2738.0, median: 2948, low: 1136, high: 3832, level: 0.9 },
      entitiesDisrupted: { mean: 2762.0, median: 2760, low: 2125, high: 3433, level: 0.9 },
      lossUsd: { mean: 2989000000.0, median: 3090000000.0, low: 1936000000.0, high: 3731000000.0, level: 0.9 },
      populationAffected: { mean: 13340000.0, median: 13500000.0, low: 10590000.0, high: 15940000.0, level: 0.9 },
    },
    value: 2989000000.0,
    children: [
      {
        id: 'world/country:AE',
        level: 'country',
        key: 'AE',
        count: 75,
        expected: { entitiesInfected: 2.04, entitiesDisrupted: 6.374, lossUsd: 7075000.0 },
        ranges: {
          key: 'AE',
          part: 'total',
          entitiesInfected: { mean: 2.04, median: 2, low: 0, high: 5, level: 0.9 },
          lossUsd: { mean: 7098000.0, median: 4729000.0, low: 35290.0, high: 23920000.0, level: 0.9 },
        },
        value: 7075000.0,
      },
    ],
  },
};

/** The timeline (first point). */
export const ASSESSMENT_TIMELINE = {
  assessmentId: DEMO.assessmentId,
  asOf: '2017-06-28T12:00:00.000Z',
  origin: '2017-06-27T08:31:45.000Z',
  horizonHours: 72,
  points: [
    {
      hours: 2.072,
      at: '2017-06-27T10:36:05.312Z',
      infections: { mean: 2664.0, median: 2885, low: 1064, high: 3698, level: 0.9 },
      reported: 12,
    },
  ],
};

/** The early warning (first entity). */
export const ASSESSMENT_EARLY_WARNING = {
  assessmentId: DEMO.assessmentId,
  asOf: '2017-06-28T12:00:00.000Z',
  withinHours: 72,
  windowsComputed: [1],
  items: [
    {
      entityId: 'ua-org-1711',
      name: 'Ukrainian organisation 1711 (synthetic)',
      country: 'UA',
      sector: 'government-facilities',
      protected: false,
      collateral: false,
      probability: { p: 0.9677, low: 0.9302, high: 0.9853 },
      path: [{ entityId: 'medoc-update-server', name: 'M.E.Doc update server', reported: true }],
    },
  ],
};

/** The early warning of the key's organisation's entities (the demo's admin organisation names none). */
export const MY_EARLY_WARNING = {
  weaponId: DEMO.weaponId,
  organizationId: 'cert-ua',
  mine: true,
  withinHours: 72,
  assessmentId: DEMO.assessmentId,
  asOf: '2017-06-28T12:00:00.000Z',
  stale: false,
  windowsComputed: [1],
  items: ASSESSMENT_EARLY_WARNING.items,
};

/** The first lines of runs.csv. */
export const RUNS_CSV =
  'run,weight,logLikelihood,transmissibility.network,transmissibility.supply-chain,transmissibility.email,transmissibility.corporate-wan,reportingRate,recoveryDays,reportingLagHours,predicted.reports,predicted.meanReportHoursShift,total.entitiesInfected,total.entitiesDisrupted,total.unreportedInfections,total.forecastInfections,total.lossDirect,total.lossIndirect,total.lossTotal,total.populationAffected,total.countriesAffected,intended.entitiesInfected,intended.entitiesDisrupted,intended.unreportedInfections,intended.forecastInfections,intended.lossDirect,intended.lossIndirect,intended.lossTotal,intended.populationAffected,intended.countriesAffected,collateral.entitiesInfected,collateral.entitiesDisrupted,collateral.unreportedInfections,collateral.forecastInfections,collateral.lossDirect,collateral.lossIndirect,collateral.lossTotal,collateral.populationAffected,collateral.countriesAffected,logPriorRatio\n' +
  '0,2.751e-07,-16.4,0.2679,0.9793,0.02762,0.9331,0.1097,5.56,47.56,259,-3.27,3694,2067,3592,0,3.441e+09,1.143e+08,3.555e+09,1.207e+07,38,3162,1633,3086,0,9.034e+08,6.226e+07,9.657e+08,9.077e+06,1,532,434,506,0,2.537e+09,5.205e+07,2.589e+09,2.993e+06,37,-2.797\n';
