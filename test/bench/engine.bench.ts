/**
 * `npm run bench engine`: speed of the simulation core, printed (nothing asserted).
 *
 * 1. ER graph, 100,000 nodes, mean degree 10, T = 0.2, five seeds (the reference graph of
 *    baseline.py): ic (percolation and cascade) and sir (rate 0.25, recovery 1) per run per core,
 *    with arcs examined per second, then baseline.py's numpy and networkx cascades on the very same
 *    file in the same session (skipped, saying so, when /usr/bin/python3 lacks numpy/networkx).
 * 2. Synthetic scenario, 1,000,000 entities and 10,000,000 dependencies (generated in-process):
 *    100 sir runs with impact on 2 threads, the same work per run on 1 thread, peak memory; per
 *    part, the CPU seconds this process's threads ran and the seconds they waited for a core
 *    (Linux schedstat), so that a slow figure on a shared machine says whether it was the code
 *    (CPU seconds per run) or the machine (waiting).
 * Env: BENCH_SKIP_ER=1 skips part 1, BENCH_SKIP_LARGE=1 part 2; BENCH_LARGE_N / BENCH_LARGE_M resize it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCsr,
  checkStable,
  erdosRenyiEdges,
  inoperabilityMatrix,
  lognormalFromRange,
  logitNormalFromRange,
  readEdgeList,
  Rng,
  finalizeAssessment,
  runShard,
  simulate,
  type ScenarioModel,
} from '../../src/engine';
import { DEPENDENCY_KINDS } from '../../src/domain/vocabulary';

const DEPENDENCY_KINDS_INDEX = Object.fromEntries(DEPENDENCY_KINDS.map((k, i) => [k, i])) as Record<(typeof DEPENDENCY_KINDS)[number], number>;

const SEEDS = [62507, 68416, 94486, 57829, 89720];
const dir = mkdtempSync(join(tmpdir(), 'spillover-bench-'));
const log = (rec: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(rec)}\n`);

function python(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import numpy, networkx'], { encoding: 'utf8' });
  return r.status === 0;
}

async function erBench(): Promise<void> {
  const file = join(dir, 'er_1e5_c10.txt');
  const havePy = python();
  if (havePy) {
    const r = spawnSync('/usr/bin/python3', [join(__dirname, 'baseline.py'), '--n', '100000', '--mean-degree', '10', '--seed', '1', '--write-edges', file, '--T', '0.2', '--runs', '1', '--engines', 'np_ic'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`baseline.py failed: ${r.stderr}`);
  } else {
    log({ record: 'note', message: 'python3 with numpy and networkx not found (apt-get install -y python3-networkx python3-numpy python3-scipy): generating the graph in-process and skipping the Python baselines' });
    const e = erdosRenyiEdges(100_000, 500_000, new Rng(1));
    writeFileSync(file, Array.from(e.src, (u, i) => `${u} ${e.dst[i]}`).join('\n') + '\n');
  }
  const g = readEdgeList(file).graph;
  const cases = [
    { name: 'ic (percolation, union-find)', spec: { model: 'ic' as const, transmissibility: 0.2, method: 'percolation' as const } },
    { name: 'ic (cascade, breadth-first)', spec: { model: 'ic' as const, transmissibility: 0.2, method: 'cascade' as const } },
    { name: 'sir (event-driven, rate 0.25, recovery 1)', spec: { model: 'sir' as const, rate: 0.25, recovery: 1 } },
  ];
  const ours: Record<string, number> = {};
  for (const c of cases) {
    await simulate(g, { ...c.spec, seeds: SEEDS, runs: 5, seed: 99 }, { threads: 0 }); // warm-up
    const runs = c.spec.model === 'sir' ? 100 : 200;
    const r = await simulate(g, { ...c.spec, seeds: SEEDS, runs, seed: 1 }, { threads: 0 });
    const f = Array.from(r.finalSizes, (x) => x / g.n);
    const msPerRun = (r.kernelSeconds * 1000) / runs;
    ours[c.name] = msPerRun;
    log({ record: 'spillover', graph: 'ER n=100000 c=10', model: c.name, runs, msPerRunPerCore: +msPerRun.toFixed(2), meanFinalFraction: +(f.reduce((a, b) => a + b, 0) / runs).toFixed(4), arcsExaminedPerSecondPerCore: Math.round(r.arcsExamined / r.kernelSeconds) });
  }
  if (havePy) {
    const r = spawnSync('/usr/bin/python3', [join(__dirname, 'baseline.py'), '--edges', file, '--T', '0.2', '--runs', '50', '--runs-ic', '50', '--initial', SEEDS.join(','), '--engines', 'np_ic,nx_ic', '--max-seconds', '20'], { encoding: 'utf8' });
    for (const line of r.stdout.split('\n')) {
      if (!line.includes('"record": "result"')) continue;
      const j = JSON.parse(line);
      const ms = j.s_per_run * 1000;
      log({ record: 'baseline', engine: j.label, runs: j.runs, msPerRun: +ms.toFixed(2), meanFinalFraction: +j.mean_final.toFixed(4), adjScansPerSecond: j.adj_scans_per_s, spilloverIcSpeedup: +(ms / ours['ic (percolation, union-find)']).toFixed(1), spilloverCascadeSpeedup: +(ms / ours['ic (cascade, breadth-first)']).toFixed(1) });
    }
  }
}

/** A synthetic scenario built straight into typed arrays (no record objects: 10M of them would not fit the memory budget). */
export function largeModel(n: number, m: number): ScenarioModel {
  const rng = new Rng(2024, 0, 7);
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  const weight = new Float32Array(m);
  const kind = new Uint8Array(m);
  const fr: number[] = [];
  const fc: number[] = [];
  const fv: number[] = [];
  const K = DEPENDENCY_KINDS_INDEX;
  for (let i = 0; i < m; i++) {
    const u = rng.int(n);
    let v = rng.int(n);
    if (v === u) v = (v + 1) % n;
    src[i] = u;
    dst[i] = v;
    const x = rng.random();
    kind[i] = x < 0.7 ? K.network : x < 0.8 ? K.email : x < 0.9 ? K.service : K['supply-chain'];
    weight[i] = kind[i] === K.service ? 0.2 * rng.random() : 0.3 + 0.7 * rng.random();
    if (kind[i] === K.service) {
      fr.push(v);
      fc.push(u);
      fv.push(weight[i]);
    }
  }
  const graph = buildCsr({ n, src, dst, weight, kind });
  const sh = { i32: (l: number) => new Int32Array(new SharedArrayBuffer(Math.max(1, l) * 4), 0, l), f64: (l: number) => new Float64Array(new SharedArrayBuffer(Math.max(1, l) * 8), 0, l) };
  const functional = inoperabilityMatrix(n, fr, fc, fv, sh);
  const spectralRadius = checkStable(functional);
  const f64 = (fill: (i: number) => number) => {
    const a = sh.f64(n);
    for (let i = 0; i < n; i++) a[i] = fill(i);
    return a;
  };
  const u8 = (fill: (i: number) => number) => {
    const a = new Uint8Array(new SharedArrayBuffer(n));
    for (let i = 0; i < n; i++) a[i] = fill(i);
    return a;
  };
  const i32 = (fill: (i: number) => number) => {
    const a = sh.i32(n);
    for (let i = 0; i < n; i++) a[i] = fill(i);
    return a;
  };
  const seeds = 20;
  const seedNode = sh.i32(seeds);
  const seedTime = sh.f64(seeds);
  const reported = u8(() => 0);
  for (let j = 0; j < seeds; j++) {
    seedNode[j] = (j * 49_999) % n;
    seedTime[j] = j * 2;
    reported[seedNode[j]] = 1;
  }
  const kinds = [K.network, K.email, K['supply-chain']];
  const transmissibility = new Array(8).fill(null);
  const delay = new Array(8).fill(null);
  transmissibility[K.network] = logitNormalFromRange({ low: 0.25, high: 0.6 });
  transmissibility[K.email] = logitNormalFromRange({ low: 0.02, high: 0.1 });
  transmissibility[K['supply-chain']] = logitNormalFromRange({ low: 0.3, high: 0.7 });
  for (const k of kinds) delay[k] = lognormalFromRange({ low: 2, high: 48 });
  const countries = Array.from({ length: 50 }, (_, i) => `C${i}`);
  const sectors = Array.from({ length: 16 }, (_, i) => `S${i}`);
  return {
    core: {
      n,
      graph,
      hosts: f64((i) => 10 + (i % 500)),
      dailyValueUsd: f64((i) => 1000 * (1 + (i % 97))),
      populationServed: f64((i) => (i % 10 === 0 ? 10_000 : 0)),
      susceptibility: null,
      intended: u8((i) => (i % 50 === 0 ? 1 : 0)),
      reported,
      protectedMask: u8((i) => (i % 10 === 0 ? 1 : 0)),
      country: i32((i) => i % 50),
      sector: i32((i) => i % 16),
      countryCount: 50,
      sectorCount: 16,
      functional,
      spectralRadius,
      seedNode,
      seedTime,
      seedIsIndex: new Uint8Array(new SharedArrayBuffer(seeds)).fill(1),
      seedConfidence: sh.f64(seeds).fill(1),
      stopAt: null,
      reportSlot: i32(() => -1),
      reportedHosts: sh.f64(0),
      reportedDowntimeDays: sh.f64(0),
      reportedLossMu: sh.f64(0),
      reportedLossSigma: sh.f64(0),
      lossCover: i32(() => -1),
      weapon: {
        kinds,
        transmissibility,
        delay,
        containment: lognormalFromRange({ low: 24, high: 240 }),
        killSwitchHours: Infinity,
        hostShare: logitNormalFromRange({ low: 0.2, high: 0.9 }),
        costPerHost: lognormalFromRange({ low: 200, high: 3000 }),
        downtimeDays: lognormalFromRange({ low: 1, high: 14 }),
        inoperability: null,
        payloadFactor: 1,
      },
      asOfHours: 48,
      horizonEndHours: 48 + 14 * 24,
      reportedCount: seeds,
    },
    meta: {
      ids: Array.from({ length: n }, (_, i) => `e${i}`),
      names: Array.from({ length: n }, (_, i) => `Entity ${i}`),
      sectorOf: Array.from({ length: n }, (_, i) => sectors[i % 16]),
      countries,
      sectors,
      norms: new Map(),
      originIso: '2017-06-27T08:00:00.000Z',
      asOfIso: '2017-06-29T08:00:00.000Z',
      horizonHours: 336,
      weaponId: 'synthetic',
      weaponName: 'synthetic',
      reportsUsed: seeds,
      reportTimes: Array.from(seedTime),
      parameterNames: ['transmissibility.network', 'transmissibility.email', 'transmissibility.supply-chain', 'reportingRate', 'recoveryDays'],
      warnings: [],
    },
  };
}

/**
 * CPU and run-queue seconds of this process's threads (worker threads included) while `work`
 * runs, from /proc/self/task/<tid>/schedstat (nanoseconds on a core, waiting for one). Sampled
 * every 100 ms because a worker thread's entry goes when the pool ends it (its last 100 ms may be
 * missed); null where /proc is not there.
 */
async function threadTimes<T>(work: () => Promise<T>): Promise<{ value: T; cpuSeconds: number | null; waitSeconds: number | null }> {
  const dirOf = '/proc/self/task';
  if (!existsSync(dirOf)) return { value: await work(), cpuSeconds: null, waitSeconds: null };
  const read = () => {
    const m = new Map<string, [number, number]>();
    for (const tid of readdirSync(dirOf)) {
      try {
        const [cpu, wait] = readFileSync(`${dirOf}/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        m.set(tid, [cpu, wait]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return m;
  };
  const base = read();
  const last = new Map(base);
  const sample = () => {
    for (const [tid, t] of read()) last.set(tid, t);
  };
  const timer = setInterval(sample, 100);
  try {
    const value = await work();
    sample();
    let cpu = 0;
    let wait = 0;
    for (const [tid, [c, w]] of last) {
      const [c0, w0] = base.get(tid) ?? [0, 0];
      cpu += c - c0;
      wait += w - w0;
    }
    return { value, cpuSeconds: cpu / 1e9, waitSeconds: wait / 1e9 };
  } finally {
    clearInterval(timer);
  }
}

async function largeBench(): Promise<void> {
  const n = Number(process.env.BENCH_LARGE_N ?? 1_000_000);
  const m = Number(process.env.BENCH_LARGE_M ?? 10_000_000);
  const t0 = performance.now();
  const model = largeModel(n, m);
  log({ record: 'spillover', graph: `synthetic n=${n} m=${m}`, buildSeconds: +((performance.now() - t0) / 1000).toFixed(1), arcs: model.core.graph.arcs, spectralRadius: +model.core.spectralRadius.toFixed(3) });
  const runs2 = 100;
  // the runs only (as `seconds`): the result is finalised after, outside the CPU seconds
  const cpu = (t: { cpuSeconds: number | null; waitSeconds: number | null }, runs: number) =>
    t.cpuSeconds === null ? {} : { cpuSeconds: +t.cpuSeconds.toFixed(1), cpuSecondsPerRun: +(t.cpuSeconds / runs).toFixed(2), waitingForCoreSeconds: +t.waitSeconds!.toFixed(1) };
  const o2 = { runs: runs2, seed: 1, threads: 2, model: 'sir' as const, calibrate: false, chunkSize: 5 };
  const t2 = await threadTimes(() => runShard(model, [0, runs2], o2));
  const r2 = { ...finalizeAssessment(model, t2.value.partial, o2), stats: t2.value.stats };
  log({ record: 'spillover', graph: `synthetic n=${n} m=${m}`, model: 'sir + impact + IIM', threads: 2, runs: runs2, seconds: +r2.stats.seconds.toFixed(1), infectedMean: Math.round(r2.summary.total.entitiesInfected.mean), arcsExaminedPerSecondPerCore: Math.round(r2.stats.arcsExamined / r2.stats.seconds / 2), ...cpu(t2, runs2) });
  const runs1 = 40;
  const t1 = await threadTimes(() => runShard(model, [0, runs1], { runs: runs1, seed: 1, threads: 1, model: 'sir', calibrate: false, chunkSize: 5 }));
  const r1 = t1.value;
  const speedup = r1.stats.seconds / runs1 / (r2.stats.seconds / runs2);
  log({ record: 'spillover', graph: `synthetic n=${n} m=${m}`, model: 'sir + impact + IIM', threads: 1, runs: runs1, seconds: +r1.stats.seconds.toFixed(1), secondsPerRun: +(r1.stats.seconds / runs1).toFixed(2), arcsExaminedPerSecondPerCore: Math.round(r1.stats.arcsExamined / r1.stats.seconds), speedup2vs1: +speedup.toFixed(2), ...cpu(t1, runs1) });
  log({ record: 'memory', peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
}

if (require.main === module) (async () => {
  if (process.env.BENCH_SKIP_ER !== '1') await erBench();
  if (process.env.BENCH_SKIP_LARGE !== '1') await largeBench();
})().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
