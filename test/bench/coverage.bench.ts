/**
 * Coverage study (not part of CI): do the nominal 90% ranges of an assessment contain the truth
 * about 90% of the time, at every outbreak size?
 *
 * Outbreak i (a known truth):
 *  1. a graph of NODES entities, undirected `network` dependencies of weight 0.5-1, mean degree 6:
 *     Erdos-Renyi or heavy-tailed (Chung-Lu, expected degrees a power law of exponent 2.5) in
 *     turn for blocks of four outbreaks, so every stratum has both;
 *  2. the weapon's network transmissibility drawn from its prior, the true outbreak run by the
 *     engine's own event kernel (delays and containment as an `sir` run draws them) from patient
 *     zero at time 0;
 *  3. every infection reported with probability rho ~ uniform(0.1, 0.6) (patient zero always),
 *     after a lag ~ Exp(mean m), m drawn from the engine's default lag prior; only reports by
 *     asOf are known. asOf is chosen so that the outbreaks spread over the strata: outbreak i
 *     aims at a number of reports (REPORT_AIMS[i mod 4], log-uniform in it; asOf just after that
 *     report, at least 1 h after the first, so from early, 1-6 h, to saturated); an outbreak
 *     that never brings that many reports is drawn again (parameters and spread, up to 30 times);
 *  4. the calibrated assessment (engine library: prepareScenario + runAssessment, `sir`, default
 *     priors, horizon 72 h) gives 90% ranges of the infections by asOf (unreported + reported),
 *     by the horizon, and of the reporting rate.
 * Prints a line per outbreak, then per stratum of infections at asOf (<= 10, 11-100, 101-699,
 * >= 700) the share of ranges containing the truth.
 *
 *     node -r @swc-node/register test/bench/coverage.bench.ts [outbreaks=200] [first=0] [runs=300] [nodes=3000]
 *     COVERAGE_JSONL=part1.jsonl node -r @swc-node/register test/bench/coverage.bench.ts 50 0   # in parts:
 *     COVERAGE_JSONL=part2.jsonl node -r @swc-node/register test/bench/coverage.bench.ts 50 50  # outbreaks 50-99
 *     node -r @swc-node/register test/bench/coverage.bench.ts --table part1.jsonl part2.jsonl    # tables of all parts
 *     COVERAGE_RHO_PRIOR=matched ...                                                            # prior of the reporting rate 10-60%
 *     COVERAGE_STRATUM=3 ...                                                                    # only the outbreaks aimed at >= 700
 *     node -r @swc-node/register test/bench/coverage.bench.ts --at-truth 7,31,55,67               # the model at the true parameters
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { DependencyRecord, EntityRecord, ReportRecord, WeaponRecord } from '../../src/domain/records';
import { erdosRenyiEdges, KIND_SLOTS } from '../../src/engine/graph';
import { prepareScenario } from '../../src/engine/model';
import { runAssessment } from '../../src/engine/assess';
import { settingsOf } from '../../src/engine/options';
import { lognormalFromRange, sampleLogitNormal, sampleLognormal } from '../../src/engine/distributions';
import { Rng } from '../../src/engine/prng';
import { RunEngine } from '../../src/engine/runner';
import { DEFAULT_SETTINGS } from '../../src/engine/settings';
import { DelayMode, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from '../../src/engine/spread';

const arg = (i: number, env: string, def: number) => Number(process.argv[i] ?? process.env[env] ?? def);
const OUTBREAKS = arg(2, 'COVERAGE_OUTBREAKS', 200);
const FIRST = arg(3, 'COVERAGE_FIRST', 0);
const RUNS = arg(4, 'COVERAGE_RUNS', 300);
const NODES = arg(5, 'COVERAGE_NODES', 3000);
const THREADS = Number(process.env.COVERAGE_THREADS ?? availableParallelism());
const JSONL = process.env.COVERAGE_JSONL;
/** Only the outbreaks aimed at this stratum (0-3), to study one quickly. */
const STRATUM = process.env.COVERAGE_STRATUM === undefined ? null : Number(process.env.COVERAGE_STRATUM);
/**
 * The assessments' reporting-rate prior: 'default' (the engine's, 90% in 5-60%) or 'matched'
 * (90% in 10-60%, the range the outbreaks draw their rate from uniformly): a Bayesian range is
 * calibrated when the truth comes from its prior; the default prior is wider below, so its
 * ranges reach further up than these outbreaks do.
 */
const RHO_PRIOR = process.env.COVERAGE_RHO_PRIOR === 'matched' ? 'matched' : 'default';
const MEAN_DEGREE = 6;
const HORIZON_H = 72;
const T0 = Date.parse('2017-06-27T08:00:00Z');
const LEVEL = 0.9;
const STRATA: Array<[string, number, number]> = [
  ['<= 10', 0, 10],
  ['11-100', 11, 100],
  ['101-699', 101, 699],
  ['>= 700', 700, Infinity],
];

/**
 * Report counts the outbreaks aim asOf at (outbreak i at aim i mod 4, a count log-uniform in it):
 * asOf is just after that report came in, so the outbreaks spread from early (one report) to
 * saturated. The aim is a count of reports, which the assessment sees, not of infections, which
 * it does not: redrawing outbreaks until they reached a number of infections selected truths
 * (higher transmissibility, outbreaks that took off) the assessment had no way to know of, and it
 * put truths from the prior's tail above the horizon ranges of early outbreaks. A stopping rule
 * on what is observed leaves the posterior unchanged.
 */
const REPORT_AIMS: Array<[number, number]> = [
  [1, 3],
  [3, 20],
  [20, 90],
  [90, 600],
];

const iso = (hours: number) => new Date(T0 + hours * 3600e3).toISOString();

const WEAPON: WeaponRecord = {
  id: 'synthetic',
  name: 'Synthetic worm',
  payload: 'wiper',
  vectors: { network: { transmissibility: { low: 0.15, high: 0.6 }, delayHours: { low: 2, high: 24 } } },
  requiredTags: [],
  targeting: { countries: ['UA'] },
  impact: { hostShare: { low: 0.2, high: 0.8 }, costPerHostUsd: { low: 500, high: 3000 }, downtimeDays: { low: 1, high: 10 } },
  containmentHours: { low: 12, high: 96 },
};

/** Chung-Lu graph: endpoints drawn with probability proportional to power-law expected degrees. */
function chungLuEdges(n: number, m: number, rng: Rng): { src: Int32Array; dst: Int32Array } {
  const cum = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += Math.pow(k + 10, -1 / 1.5); // exponent 2.5
    cum[k] = acc;
  }
  const pick = () => {
    const x = rng.random() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const seen = new Set<number>();
  const src: number[] = [];
  const dst: number[] = [];
  while (src.length < m) {
    const a = pick();
    const b = pick();
    if (a === b) continue;
    const key = Math.min(a, b) * n + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    src.push(a);
    dst.push(b);
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

function graphOf(i: number): { entities: EntityRecord[]; dependencies: DependencyRecord[]; kind: string } {
  const rng = new Rng(1000 + i, 0, 7);
  // graph kinds alternate in blocks of four, so every stratum (i mod 4) has both
  const heavy = ((i >> 2) & 1) === 1;
  const m = (NODES * MEAN_DEGREE) / 2;
  const { src, dst } = heavy ? chungLuEdges(NODES, m, rng) : erdosRenyiEdges(NODES, m, rng);
  const countries = ['UA', 'DE', 'US', 'FR', 'GB'];
  const entities: EntityRecord[] = Array.from({ length: NODES }, (_, k) => ({
    id: `e${k}`, name: `Entity ${k}`, kind: 'organization', country: countries[k % countries.length], sector: 'information-technology',
    hosts: 50 + (k % 200), dailyValueUsd: 10_000, populationServed: 0, tags: [], protected: false,
  }));
  const dependencies: DependencyRecord[] = Array.from(src, (u, k) => ({
    sourceId: `e${u}`, targetId: `e${dst[k]}`, kind: 'network' as const, weight: 0.5 + 0.5 * rng.random(), bidirectional: true,
  }));
  return { entities, dependencies, kind: heavy ? 'heavy' : 'er' };
}

interface Outcome {
  i: number;
  graph: string;
  asOfH: number;
  trueT: number;
  trueRho: number;
  trueLag: number;
  reported: number;
  byAsOf: number;
  byHorizon: number;
  asOfRange: [number, number];
  horizonRange: [number, number];
  rhoRange: [number, number];
  transmissibilityRange?: [number, number];
  ess: number;
  reportsP: number | null;
  timingP: number | null;
}

/** Synthetic outbreak i: its true parameters and counts, and the scenario an analyst would have at asOf. */
export function syntheticOutbreak(i: number) {
  const { entities, dependencies, kind } = graphOf(i);
  const patientZero = `e${(i * 7919) % NODES}`;
  const rng = new Rng(5000 + i, 0, 9);
  const [lo, hi] = REPORT_AIMS[i % REPORT_AIMS.length];
  const target = Math.round(Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.random()));
  // the true outbreak from patient zero at 0 (its horizon far enough for any asOf)
  const base = prepareScenario({
    entities, dependencies, weapon: WEAPON,
    reports: [{ weaponId: WEAPON.id, entityId: patientZero, observedAt: iso(0), status: 'confirmed', tlp: 'clear' }],
    asOf: iso(0), horizonHours: 2000,
  });
  const core = base.core;
  const w = core.weapon;
  const kindProb = new Float64Array(KIND_SLOTS);
  const delayMu = new Float64Array(KIND_SLOTS);
  const delaySigma = new Float64Array(KIND_SLOTS);
  for (const k of w.kinds) {
    delayMu[k] = w.delay[k]!.mu;
    delaySigma[k] = w.delay[k]!.sigma;
  }
  const cfg: EventConfig = {
    kindProb, delayMode: DelayMode.lognormal, delayMu, delaySigma, delayRate: new Float64Array(KIND_SLOTS),
    windowMode: WindowMode.lognormal, windowRate: 0, windowMu: w.containment!.mu, windowSigma: w.containment!.sigma,
    tEnd: core.horizonEndHours, susceptibility: null, stopAt: null,
  };
  const ws = new SpreadWorkspace(core.n);
  let count = 0;
  let trueRho = 0;
  let trueLag = 0;
  let all: Array<{ v: number; t: number; at: number }> = [];
  for (let attempt = 0; attempt < 30 && all.length < target; attempt++) {
    for (const k of w.kinds) kindProb[k] = sampleLogitNormal(w.transmissibility[k]!, rng);
    trueRho = 0.1 + 0.5 * rng.random();
    trueLag = sampleLognormal(lognormalFromRange(DEFAULT_SETTINGS.reportingLagHours), rng);
    count = runEvents(core.graph, core.seedNode, core.seedTime, cfg, rng, ws);
    // reports: each infection with probability rho (patient zero always), after an Exp(mean lag) lag
    all = [];
    for (let j = 0; j < count; j++) {
      const v = ws.order[j];
      const t = ws.time[v];
      const reported = j === 0 || rng.random() < trueRho;
      const lag = -trueLag * Math.log(rng.random());
      if (reported) all.push({ v, t, at: t + lag });
    }
  }
  all.sort((a, b) => a.at - b.at);
  const first = all[0].at;
  // asOf: just after the target-th report, a time the reports themselves say (see REPORT_AIMS)
  const asOfH = Math.max(first + 1, all[Math.min(all.length, target) - 1].at + rng.random());
  const reports: ReportRecord[] = all
    .filter((r) => r.at <= asOfH)
    .map((r) => ({ weaponId: WEAPON.id, entityId: base.meta.ids[r.v], observedAt: iso(r.at), status: 'confirmed' as const, tlp: 'clear' as const }));
  let byAsOf = 0;
  let byHorizon = 0;
  for (let j = 0; j < count; j++) {
    const t = ws.time[ws.order[j]];
    if (t <= asOfH) byAsOf++;
    if (t <= asOfH + HORIZON_H) byHorizon++;
  }
  const model = prepareScenario({ entities, dependencies, weapon: WEAPON, reports, asOf: iso(asOfH), horizonHours: HORIZON_H });
  return { kind, model, first, asOfH, trueT: kindProb[w.kinds[0]], trueRho, trueLag, byAsOf, byHorizon };
}

async function outbreak(i: number): Promise<Outcome> {
  const { kind, model, first, asOfH, trueT, trueRho, trueLag, byAsOf, byHorizon } = syntheticOutbreak(i);
  const result = await runAssessment(model, {
    runs: RUNS, seed: 77 + i, model: 'sir', calibrate: true, threads: THREADS, confidenceLevel: LEVEL,
    earlyWarningHours: [24], earlyWarningLimit: 1, trackPaths: false,
    ...(RHO_PRIOR === 'matched' ? { reportingRate: { low: 0.1, high: 0.6 } } : {}),
  });
  const s = result.summary;
  const K = model.core.reportedCount;
  const un = s.total.unreportedInfections;
  const rho = s.calibration.parameters.reportingRate;
  const check = s.calibration.predictiveCheck;
  return {
    i, graph: kind, asOfH: asOfH - first, trueT, trueRho, trueLag, reported: K, byAsOf, byHorizon,
    asOfRange: [un.low + K, un.high + K],
    horizonRange: [s.total.entitiesInfected.low, s.total.entitiesInfected.high],
    rhoRange: [rho.low, rho.high],
    transmissibilityRange: [s.calibration.parameters['transmissibility.network'].low, s.calibration.parameters['transmissibility.network'].high],
    ess: s.calibration.effectiveSampleSize,
    reportsP: check?.reportsPValue ?? null,
    timingP: check?.timingPValue ?? null,
  };
}

const inside = (x: number, r: [number, number]) => x >= r[0] && x <= r[1];

function table(out: Outcome[]): string {
  const pct = (k: number, n: number) => (n ? `${((100 * k) / n).toFixed(1)}% (${k}/${n})` : '-');
  const row = (name: string, os: Outcome[]) => {
    const n = os.length;
    const a = os.filter((o) => inside(o.byAsOf, o.asOfRange)).length;
    const h = os.filter((o) => inside(o.byHorizon, o.horizonRange)).length;
    const r = os.filter((o) => inside(o.trueRho, o.rhoRange)).length;
    const lowA = os.filter((o) => o.byAsOf < o.asOfRange[0]).length;
    const highA = os.filter((o) => o.byAsOf > o.asOfRange[1]).length;
    const ess = os.map((o) => o.ess).sort((x, y) => x - y);
    const warned = os.filter((o) => (o.reportsP ?? 1) < 0.05 || (o.timingP ?? 1) < 0.05).length;
    return `| ${name} | ${n} | ${pct(a, n)} | ${lowA}/${highA} | ${pct(h, n)} | ${pct(r, n)} | ${n ? ess[Math.floor(n / 2)].toFixed(0) : '-'} | ${warned} |`;
  };
  const lines = [
    `| infected at asOf | outbreaks | by asOf in 90% range | truth below/above | by horizon in 90% range | reporting rate in 90% range | median ESS of ${RUNS} | predictive check failed |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const graph of ['all', 'er', 'heavy']) {
    const g = graph === 'all' ? out : out.filter((o) => o.graph === graph);
    if (graph !== 'all') lines.push(`| **${graph === 'er' ? 'Erdos-Renyi' : 'heavy-tailed'}** | | | | | | | |`);
    for (const [name, lo, hi] of STRATA) lines.push(row(name, g.filter((o) => o.byAsOf >= lo && o.byAsOf <= hi)));
    lines.push(row('all', g));
  }
  return lines.join('\n');
}

/**
 * `--at-truth 7,31`: runs of the engine at each outbreak's true parameters (transmissibility,
 * reporting rate, lag; 30 runs): are the infections by asOf and by the horizon of the model
 * right when the parameters are, apart from calibration?
 */
function atTruth(ids: number[], runs = 30): void {
  const logit = (p: number) => Math.log(p / (1 - p));
  const q = (v: number[], p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  for (const i of ids) {
    const o = syntheticOutbreak(i);
    const core = o.model.core;
    const engine = new RunEngine(core, settingsOf({ runs, seed: 77 + i, model: 'sir', calibrate: true, sampler: 'adaptive' }));
    const z = new Float64Array([logit(o.trueT), logit(o.trueRho), Math.log(o.trueLag)]);
    const asOf: number[] = [];
    const horizon: number[] = [];
    for (let r = 0; r < runs; r++) {
      const count = engine.spreadAt(r, z);
      const { order, time } = engine.lastSpread;
      let a = 0;
      let h = 0;
      for (let j = 0; j < count; j++) {
        if (time[order[j]] <= core.asOfHours) a++;
        if (time[order[j]] <= core.horizonEndHours) h++;
      }
      asOf.push(a);
      horizon.push(h);
    }
    asOf.sort((x, y) => x - y);
    horizon.sort((x, y) => x - y);
    const spread = (v: number[]) => `${q(v, 0.05)} / ${q(v, 0.5)} / ${q(v, 0.95)}`;
    process.stdout.write(
      `#${i} K=${core.reportedCount} T=${o.trueT.toFixed(2)} rho=${o.trueRho.toFixed(2)} lag=${o.trueLag.toFixed(1)}h  by asOf: truth ${o.byAsOf}, runs ${spread(asOf)}  by the horizon: truth ${o.byHorizon}, runs ${spread(horizon)} (5th / median / 95th)\n`,
    );
  }
}

async function main() {
  if (process.argv[2] === '--at-truth') return atTruth(process.argv[3].split(',').map(Number));
  if (process.argv[2] === '--table') {
    const out = process.argv.slice(3).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Outcome));
    process.stdout.write(`${out.length} outbreaks\n${table(out)}\n`);
    return;
  }
  process.stdout.write(
    `coverage study: outbreaks ${FIRST}..${FIRST + OUTBREAKS - 1}, ${NODES} entities each (mean degree ${MEAN_DEGREE}), ${RUNS} runs per assessment, ${THREADS} threads, nominal ${LEVEL * 100}% ranges, reporting-rate prior ${RHO_PRIOR}\n`,
  );
  const t0 = performance.now();
  const out: Outcome[] = [];
  for (let i = FIRST; i < FIRST + OUTBREAKS; i++) {
    if (STRATUM !== null && i % STRATA.length !== STRATUM) continue;
    const o = await outbreak(i);
    out.push(o);
    if (JSONL) appendFileSync(JSONL, `${JSON.stringify(o)}\n`);
    const mark = (x: number, r: [number, number]) => (inside(x, r) ? 'in' : x < r[0] ? 'BELOW' : 'ABOVE');
    process.stdout.write(
      `#${String(i).padStart(3)} ${o.graph.padEnd(5)} asOf+${o.asOfH.toFixed(0).padStart(3)}h T=${o.trueT.toFixed(2)} rho=${o.trueRho.toFixed(2)} lag=${o.trueLag.toFixed(0)}h K=${String(o.reported).padStart(4)} ` +
        `asOf ${o.byAsOf} [${o.asOfRange[0]}, ${o.asOfRange[1]}] ${mark(o.byAsOf, o.asOfRange)}  horizon ${o.byHorizon} [${o.horizonRange[0]}, ${o.horizonRange[1]}] ${mark(o.byHorizon, o.horizonRange)}  ` +
        `rho [${o.rhoRange[0].toFixed(2)}, ${o.rhoRange[1].toFixed(2)}] ${mark(o.trueRho, o.rhoRange)}  ESS ${o.ess.toFixed(0)} p ${o.reportsP?.toFixed(2)}/${o.timingP?.toFixed(2)}\n`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`\n${table(out)}\ntime: ${seconds.toFixed(1)} s (${(seconds / out.length).toFixed(2)} s per outbreak)\n`);
}

if (require.main === module) main().catch((err) => {
  console.error(err);
  process.exit(1);
});
