/**
 * Runs a researcher's simulation on the simulation core (`simulate` of src/engine) and shapes
 * the answer like the CLI's `simulate --json`: final size and fraction as ranges, large
 * outbreaks, throughput, and on request the final size of every run, every run's S, I, R counts
 * on a time grid and every run's infection and recovery times.
 */
import { historiesOf, methodOf, simulate, resolveSpec, timeSeriesOf, type SimulateSpec } from '../engine/simulate';
import { WeightedSample } from '../engine/stats';
import type { Graph } from '../engine/graph';
import type { ModelId } from '../models/model-catalog';
import type { SimulationResult } from '../results/simulation-result';

export interface SimulationSpecInput {
  model: ModelId;
  params: Record<string, unknown>;
  seeds: number[];
  runs: number;
  seed: number;
  times?: number[];
  fullData?: boolean;
}

export function engineSpec(s: SimulationSpecInput): SimulateSpec {
  const p = s.params;
  const spec: SimulateSpec = { model: s.model, runs: s.runs, seed: s.seed, seeds: s.seeds, times: s.times, fullData: s.fullData };
  if (typeof p.transmissibility === 'number') spec.transmissibility = p.transmissibility;
  if (typeof p.rate === 'number') spec.rate = p.rate;
  if (typeof p.recovery === 'number') spec.recovery = p.recovery;
  return spec;
}

export async function runSimulation(
  graph: Graph,
  info: { graph: 'stored' | 'posted'; edges: number; directed: boolean; seedIds: string[]; nodeIds: string[]; level: number; includeRuns: boolean },
  s: SimulationSpecInput,
  opts: { threads: number; onProgress?: (fraction: number) => void; signal?: AbortSignal },
): Promise<SimulationResult> {
  const spec = engineSpec(s);
  const { T } = resolveSpec(spec);
  const r = await simulate(graph, spec, { threads: opts.threads, signal: opts.signal, onProgress: opts.onProgress ? (d, t) => opts.onProgress!(d / t) : undefined });
  const n = graph.n;
  const ones = new Float64Array(s.runs).fill(1);
  const major = Array.from(r.finalSizes).filter((x) => x > 0.01 * n);
  const out: SimulationResult = {
    model: s.model,
    graph: info.graph,
    nodes: n,
    edges: info.edges,
    arcs: graph.arcs,
    directed: info.directed,
    runs: s.runs,
    seed: s.seed,
    seeds: info.seedIds,
    parameters: s.params,
    transmissibility: T,
    threads: r.threads,
    seconds: round(r.seconds, 4),
    msPerRun: round((r.kernelSeconds * 1000) / s.runs, 3),
    finalSize: new WeightedSample(r.finalSizes, ones).range(info.level),
    finalFraction: new WeightedSample(Float64Array.from(r.finalSizes, (x) => x / n), ones).range(info.level),
    largeOutbreaks: {
      thresholdFraction: 0.01,
      probability: major.length / s.runs,
      meanFraction: major.length ? major.reduce((a, b) => a + b, 0) / major.length / n : null,
    },
    arcsExamined: r.arcsExamined,
    arcsPerSecond: Math.round(r.arcsExamined / Math.max(r.seconds, 1e-9)),
    method: methodOf(graph, spec),
  };
  if (info.includeRuns) out.finalSizes = Array.from(r.finalSizes);
  if (spec.times) out.timeSeries = timeSeriesOf(r, spec.times);
  if (spec.fullData) out.nodeHistories = historiesOf(r, (v) => info.nodeIds[v]);
  return out;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
