/**
 * Plain spread simulations on a graph (the researchers' `simulate` command and the bench):
 * final sizes of `runs` runs of `ic` or `sir` from fixed or random seed nodes.
 */
import { availableParallelism } from 'node:os';
import { KIND_SLOTS, type Graph } from './graph';
import { newControl, runPool } from './pool';
import { Rng, Substream } from './prng';
import { DelayMode, percolationFinalSize, runCascade, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from './spread';

export interface SimulateSpec {
  model: 'ic' | 'sir';
  /** Per-arc transmissibility T (ic: the arc probability times the arc weight; sir: gives rate T/(1-T) with recovery 1). */
  transmissibility?: number;
  /** sir: transmission rate per arc (times weight); ic: with `recovery`, gives T = rate/(rate+recovery). */
  rate?: number;
  /** sir: recovery (containment) rate per node. */
  recovery?: number;
  /** Seed nodes (indices), the same in every run; or `randomSeeds` distinct nodes drawn per run. */
  seeds?: number[];
  randomSeeds?: number;
  runs: number;
  seed: number;
  /** ic on undirected graphs: 'percolation' (union-find, default) or 'cascade' (breadth-first with parents). */
  method?: 'auto' | 'percolation' | 'cascade';
}

export interface SimulateOptions {
  /** Worker threads (default: available cores; 0 = in this thread). */
  threads?: number;
  onProgress?: (runsDone: number, runsTotal: number) => void;
  signal?: AbortSignal;
}

export interface SimulateResult {
  /** Final size of each run, in run order. */
  finalSizes: Int32Array;
  /** Arcs examined over all runs (for ic percolation: edges whose coin was decided). */
  arcsExamined: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Seconds spent inside the kernels, summed over threads (CPU time of the runs). */
  kernelSeconds: number;
  threads: number;
}

/** Resolved per-model parameters. */
export function resolveSpec(spec: SimulateSpec): { T: number; rate: number; recovery: number } {
  let T = spec.transmissibility;
  let rate = spec.rate;
  let recovery = spec.recovery;
  if (T === undefined) {
    if (rate === undefined || recovery === undefined) throw new Error('give a transmissibility, or a rate and a recovery');
    T = rate / (rate + recovery);
  } else if (rate === undefined || recovery === undefined) {
    recovery = 1;
    rate = T >= 1 ? Infinity : T / (1 - T);
  }
  if (!(T >= 0 && T <= 1)) throw new Error(`transmissibility must lie in [0,1], got ${T}`);
  if (!(rate >= 0) || !(recovery > 0)) throw new Error('rate must be >= 0 and recovery > 0');
  return { T, rate, recovery };
}

/** Runs [start, end) in this thread. */
export function simulateRange(graph: Graph, spec: SimulateSpec, start: number, end: number, control?: Int32Array): { finals: Int32Array; arcs: number; ms: number } {
  const { T, rate, recovery } = resolveSpec(spec);
  const ws = new SpreadWorkspace(graph.n);
  const finals = new Int32Array(end - start);
  const kindProb = new Float64Array(KIND_SLOTS);
  const usePerc = spec.model === 'ic' && graph.edges !== undefined && spec.method !== 'cascade';
  let cfg: EventConfig | null = null;
  if (spec.model === 'sir') {
    cfg = {
      kindProb: new Float64Array(KIND_SLOTS).fill(1),
      delayMode: DelayMode.exponential,
      delayMu: new Float64Array(KIND_SLOTS),
      delaySigma: new Float64Array(KIND_SLOTS),
      delayRate: new Float64Array(KIND_SLOTS).fill(rate),
      windowMode: WindowMode.exponential,
      windowRate: recovery,
      windowMu: 0,
      windowSigma: 0,
      tEnd: Infinity,
      susceptibility: null,
      stopAt: null,
    };
  } else kindProb.fill(T);
  const fixed = spec.seeds ? Int32Array.from(spec.seeds) : null;
  const k = spec.randomSeeds ?? 1;
  const seedBuf = new Int32Array(fixed ? fixed.length : k);
  const zeros = new Float64Array(seedBuf.length);
  let arcs = 0;
  let ms = 0;
  for (let r = start; r < end; r++) {
    if (control && Atomics.load(control, 0) !== 0) throw new Error('cancelled');
    let seeds: Int32Array;
    if (fixed) seeds = fixed;
    else {
      const srng = new Rng(spec.seed, r, Substream.seeds);
      const m = Math.min(k, graph.n);
      for (let i = 0; i < m; i++) {
        let v: number;
        do v = srng.int(graph.n);
        while (seedBuf.subarray(0, i).includes(v));
        seedBuf[i] = v;
      }
      seeds = seedBuf.subarray(0, m);
    }
    const rng = new Rng(spec.seed, r, Substream.spread);
    const t0 = performance.now();
    let size: number;
    if (cfg) size = runEvents(graph, seeds, zeros, cfg, rng, ws);
    else if (usePerc) size = percolationFinalSize(graph, seeds, kindProb, rng, ws);
    else size = runCascade(graph, seeds, kindProb, null, rng, ws);
    ms += performance.now() - t0;
    arcs += ws.arcs;
    finals[r - start] = size;
    if (control) Atomics.add(control, 1, 1);
  }
  return { finals, arcs, ms };
}

/** Runs `spec.runs` runs over worker threads; run i's result depends only on (seed, i). */
export async function simulate(graph: Graph, spec: SimulateSpec, opts: SimulateOptions = {}): Promise<SimulateResult> {
  resolveSpec(spec);
  const threads = opts.threads ?? availableParallelism();
  const t0 = performance.now();
  const runs = spec.runs;
  if (threads <= 0 || runs <= 1) {
    const r = simulateRange(graph, spec, 0, runs);
    opts.onProgress?.(runs, runs);
    return { finalSizes: r.finals, arcsExamined: r.arcs, seconds: (performance.now() - t0) / 1000, kernelSeconds: r.ms / 1000, threads: 0 };
  }
  const chunk = Math.max(1, Math.ceil(runs / (8 * threads)));
  const tasks: Array<{ start: number; end: number }> = [];
  for (let s = 0; s < runs; s += chunk) tasks.push({ start: s, end: Math.min(runs, s + chunk) });
  const finalSizes = new Int32Array(runs);
  let arcs = 0;
  let ms = 0;
  const control = newControl();
  await runPool<{ finals: Int32Array; arcs: number; ms: number }>({
    threads,
    init: { kind: 'simulate', graph, spec },
    tasks,
    control,
    signal: opts.signal,
    onResult: (i, r) => {
      finalSizes.set(r.finals, tasks[i].start);
      arcs += r.arcs;
      ms += r.ms;
    },
    onTick: opts.onProgress ? (d) => opts.onProgress!(d, runs) : undefined,
  });
  opts.onProgress?.(runs, runs);
  return { finalSizes, arcsExamined: arcs, seconds: (performance.now() - t0) / 1000, kernelSeconds: ms / 1000, threads: Math.min(threads, tasks.length) };
}
