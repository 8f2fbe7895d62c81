/**
 * Plain spread simulations on a graph (the researchers' `simulate` command and the bench):
 * final sizes of `runs` runs of `ic` or `sir` from fixed or random seed nodes, and on request
 * each run's S, I, R counts on a time grid and its nodes' infection and recovery times (what
 * EoN's `return_full_data` gives).
 */
import { availableParallelism } from 'node:os';
import { KIND_SLOTS, tailOf, type Graph } from './graph';
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
  /**
   * Times (ascending) at which each run's S, I, R counts are taken: model time for sir, generations
   * for ic (seeds are generation 0 and each infected node is infectious for one generation).
   */
  times?: number[];
  /** Also return every run's infected nodes with their infection and recovery times. */
  fullData?: boolean;
}

/** One run's infected nodes in infection order, with when each was infected and recovered. */
export interface RunHistory {
  nodes: Int32Array;
  infected: Float64Array;
  /** sir: end of the node's infectious period; ic: the generation after its own. */
  recovered: Float64Array;
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
  /** With `times`: run r's counts at times[j] are S, I, R = series[3 (r T + j) + 0, 1, 2], T = times.length. */
  series?: Int32Array;
  /** With `fullData`: one history per run, in run order. */
  histories?: RunHistory[];
}

/** Whether the run needs infection times (the union-find fast path has none). */
function needsTimes(spec: SimulateSpec): boolean {
  return spec.times !== undefined || spec.fullData === true;
}

/** The kernel a spec runs on a graph, in words (the same for the CLI and the API). */
export function methodOf(graph: Graph, spec: SimulateSpec): string {
  if (spec.model === 'sir') return 'event-driven SIR (exponential delays and recovery)';
  return graph.edges !== undefined && spec.method !== 'cascade' && !needsTimes(spec) ? 'percolation (union-find over edges)' : 'cascade (breadth-first)';
}

/** Checks a time grid: finite, ascending. */
function checkTimes(times: number[]): void {
  if (times.length === 0) throw new Error('times: give at least one time');
  for (let j = 0; j < times.length; j++) {
    if (!Number.isFinite(times[j]) || times[j] < 0) throw new Error(`times: ${times[j]} is not a time >= 0`);
    if (j > 0 && !(times[j] > times[j - 1])) throw new Error('times: must be strictly ascending');
  }
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
  if (spec.times) checkTimes(spec.times);
  return { T, rate, recovery };
}

/** Runs [start, end) in this thread. */
export function simulateRange(graph: Graph, spec: SimulateSpec, start: number, end: number, control?: Int32Array): RangeResult {
  const { T, rate, recovery } = resolveSpec(spec);
  const ws = new SpreadWorkspace(graph.n);
  const finals = new Int32Array(end - start);
  const kindProb = new Float64Array(KIND_SLOTS);
  const timed = needsTimes(spec);
  const usePerc = spec.model === 'ic' && graph.edges !== undefined && spec.method !== 'cascade' && !timed;
  if (timed && spec.model === 'sir') ws.until = new Float64Array(graph.n);
  const generation = timed && spec.model === 'ic' ? new Float64Array(graph.n) : null;
  const times = spec.times ?? null;
  const series = times ? new Int32Array((end - start) * times.length * 3) : undefined;
  const histories: RunHistory[] | undefined = spec.fullData ? [] : undefined;
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
    if (timed) {
      const h = history(graph, ws, generation);
      if (times) countStates(graph.n, h, times, series!, (r - start) * times.length * 3);
      histories?.push(h);
    }
    if (control) Atomics.add(control, 1, 1);
  }
  return { finals, arcs, ms, series, histories };
}

interface RangeResult {
  finals: Int32Array;
  arcs: number;
  ms: number;
  series?: Int32Array;
  histories?: RunHistory[];
}

/** The last run's infected nodes with infection and recovery times (sir: from the kernel; ic: generations). */
function history(graph: Graph, ws: SpreadWorkspace, generation: Float64Array | null): RunHistory {
  const nodes = ws.order.slice(0, ws.count);
  const infected = new Float64Array(ws.count);
  const recovered = new Float64Array(ws.count);
  for (let i = 0; i < ws.count; i++) {
    const v = nodes[i];
    if (generation) {
      // breadth-first order puts every node after the node that infected it
      const a = ws.parentArc[v];
      generation[v] = a < 0 ? 0 : generation[tailOf(graph.offsets, a)] + 1;
      infected[i] = generation[v];
      recovered[i] = generation[v] + 1;
    } else {
      infected[i] = ws.time[v];
      recovered[i] = ws.until![v];
    }
  }
  return { nodes, infected, recovered };
}


/** First index j with times[j] >= t (times.length if none). */
function firstAtOrAfter(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** S, I, R at each grid time: a node is I from its infection (inclusive) to its recovery (exclusive). */
function countStates(n: number, h: RunHistory, times: number[], out: Int32Array, at: number): void {
  const T = times.length;
  const newInf = new Int32Array(T + 1);
  const newRec = new Int32Array(T + 1);
  for (let i = 0; i < h.nodes.length; i++) {
    newInf[firstAtOrAfter(times, h.infected[i])]++;
    newRec[firstAtOrAfter(times, h.recovered[i])]++;
  }
  let inf = 0;
  let rec = 0;
  for (let j = 0; j < T; j++) {
    inf += newInf[j];
    rec += newRec[j];
    out[at + 3 * j] = n - inf;
    out[at + 3 * j + 1] = inf - rec;
    out[at + 3 * j + 2] = rec;
  }
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
    return { finalSizes: r.finals, arcsExamined: r.arcs, seconds: (performance.now() - t0) / 1000, kernelSeconds: r.ms / 1000, threads: 0, series: r.series, histories: r.histories };
  }
  const chunk = Math.max(1, Math.ceil(runs / (8 * threads)));
  const tasks: Array<{ start: number; end: number }> = [];
  for (let s = 0; s < runs; s += chunk) tasks.push({ start: s, end: Math.min(runs, s + chunk) });
  const finalSizes = new Int32Array(runs);
  const per = spec.times ? spec.times.length * 3 : 0;
  const series = spec.times ? new Int32Array(runs * per) : undefined;
  const histories: RunHistory[] | undefined = spec.fullData ? new Array(runs) : undefined;
  let arcs = 0;
  let ms = 0;
  const control = newControl();
  await runPool<RangeResult>({
    threads,
    init: { kind: 'simulate', graph, spec },
    tasks,
    control,
    signal: opts.signal,
    onResult: (i, r) => {
      finalSizes.set(r.finals, tasks[i].start);
      series?.set(r.series!, tasks[i].start * per);
      r.histories?.forEach((h, k) => (histories![tasks[i].start + k] = h));
      arcs += r.arcs;
      ms += r.ms;
    },
    onTick: opts.onProgress ? (d) => opts.onProgress!(d, runs) : undefined,
  });
  opts.onProgress?.(runs, runs);
  return { finalSizes, arcsExamined: arcs, seconds: (performance.now() - t0) / 1000, kernelSeconds: ms / 1000, threads: Math.min(threads, tasks.length), series, histories };
}

/** Per-run S, I, R counts as arrays over the grid (EoN's t, S, I, R; one row per run). */
export function timeSeriesOf(r: SimulateResult, times: number[]): { times: number[]; S: number[][]; I: number[][]; R: number[][] } {
  const T = times.length;
  const runs = r.series!.length / (3 * T);
  const rows = (c: number) => Array.from({ length: runs }, (_, k) => Array.from({ length: T }, (_, j) => r.series![3 * (k * T + j) + c]));
  return { times, S: rows(0), I: rows(1), R: rows(2) };
}

/** Each run's infected nodes (named by `id`) with infection and recovery times. */
export function historiesOf(r: SimulateResult, id: (node: number) => string): Array<{ nodes: string[]; infected: number[]; recovered: number[] }> {
  return r.histories!.map((h) => ({ nodes: Array.from(h.nodes, id), infected: Array.from(h.infected), recovered: Array.from(h.recovered) }));
}
