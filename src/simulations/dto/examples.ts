/** Examples of the simulation responses: a small posted graph, answered at once or as a job. */
import { QUEUED_JOB } from '../../jobs/examples';

/** A small simulation answered at once. */
export const SIMULATION_RESULT = {
  model: 'ic',
  graph: 'posted',
  nodes: 3,
  edges: 3,
  arcs: 6,
  directed: false,
  runs: 100,
  seed: 7,
  seeds: ['a'],
  parameters: { transmissibility: 0.5 },
  transmissibility: 0.5,
  threads: 0,
  seconds: 0.0059,
  msPerRun: 0.014,
  finalSize: { mean: 2.13, median: 2, low: 1, high: 3, level: 0.9 },
  finalFraction: { mean: 0.71, median: 0.6667, low: 0.3333, high: 1, level: 0.9 },
  largeOutbreaks: { thresholdFraction: 0.01, probability: 1, meanFraction: 0.71 },
  arcsExamined: 300,
  arcsPerSecond: 50860,
  method: 'percolation (union-find over edges)',
};

/** A simulation queued as a job. */
export const SIMULATION_QUEUED = {
  id: '6a0e2017-0627-4000-8000-00000000000a',
  kind: 'simulation',
  status: 'queued',
  progress: 0,
  etaSeconds: null,
  stale: false,
  weaponId: null,
  inputs: {
    asOf: '2026-01-05T09:00:00.000Z',
    horizonHours: 0,
    model: 'ic',
    runs: 100,
    seed: 7,
    confidenceLevel: 0.9,
    calibrate: false,
    params: { transmissibility: 0.5 },
    graph: 'posted',
    seeds: ['a'],
    includeRuns: false,
    fullData: false,
    reportsUsed: 0,
  },
  ...QUEUED_JOB,
};

/** A simulation job when done. */
export const SIMULATION_DONE = { ...SIMULATION_QUEUED, status: 'done', progress: 1, etaSeconds: 0, attempts: 1, result: SIMULATION_RESULT };
