import type { ModelId } from '../models/model-catalog';
import type { Range } from './result-types';

/**
 * A simulation's result, as POST /v1/simulations answers it and its job stores it: shaped like
 * the CLI's `simulate --json`.
 */
export interface SimulationResult {
  model: ModelId;
  graph: 'stored' | 'posted';
  nodes: number;
  edges: number;
  arcs: number;
  directed: boolean;
  runs: number;
  seed: number;
  seeds: string[];
  parameters: Record<string, unknown>;
  /** Per-arc transmissibility T at weight 1 (sir: rate / (rate + recovery)). */
  transmissibility: number;
  threads: number;
  seconds: number;
  msPerRun: number;
  finalSize: Range;
  finalFraction: Range;
  largeOutbreaks: { thresholdFraction: number; probability: number; meanFraction: number | null };
  arcsExamined: number;
  arcsPerSecond: number;
  method: string;
  /** Final size of each run, in run order (includeRuns: true). */
  finalSizes?: number[];
  /** With `times`: S, I, R of each run (one row per run) at each time. */
  timeSeries?: { times: number[]; S: number[][]; I: number[][]; R: number[][] };
  /** With `fullData`: each run's infected nodes with their infection and recovery times. */
  nodeHistories?: Array<{ nodes: string[]; infected: number[]; recovered: number[] }>;
}
