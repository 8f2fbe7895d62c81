/**
 * Coverage study (issue 6, "Checked against reality"; not part of CI): do the nominal 90%
 * intervals of an assessment cover the truth about 90% of the time?
 *
 * For each of N synthetic outbreaks with known truth:
 *  1. a random graph (undirected `network` dependencies, mean degree 6, weights in [0.5, 1]);
 *  2. a weapon whose network transmissibility has the prior {low, high}; the TRUE
 *     transmissibility is drawn from that prior (the engine's logit-normal fit), and so are the
 *     per-arc delays and containment times of the true outbreak (the engine's own `runEvents`
 *     with the configuration an `sir` run uses), from one index case at time 0;
 *  3. half of the entities infected up to asOf (72 h) are reported, at their infection time
 *     (the index case always is);
 *  4. the calibrated assessment (engine library: prepareScenario + runAssessment, `sir`,
 *     horizon 72 h after asOf) gives the 90% interval of entities infected by the horizon;
 *  5. hit = the true count by the horizon lies in [low, high].
 * Prints the coverage C +- sqrt(C (1 - C) / N), the time taken, and the median effective
 * sample size of the calibration.
 *
 *     node -r @swc-node/register test/bench/coverage.bench.ts [outbreaks=100] [runs=300] [nodes=3000]
 *     COVERAGE_OUTBREAKS=20 npm run bench -- coverage     # quick check
 *     COVERAGE_LAG_HOURS=24 npm run bench -- coverage     # reports 0-24 h after infection
 *     COVERAGE_REPORTING_RATE=0.05,0.6 npm run bench -- coverage   # the engine's default prior
 */
import { availableParallelism } from 'node:os';
import type { DependencyRecord, EntityRecord, ReportRecord, WeaponRecord } from '../../src/domain/records';
import { erdosRenyiEdges } from '../../src/engine/graph';
import { prepareScenario } from '../../src/engine/model';
import { runAssessment } from '../../src/engine/assess';
import { sampleLogitNormal } from '../../src/engine/distributions';
import { Rng } from '../../src/engine/prng';
import { DelayMode, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from '../../src/engine/spread';
import { KIND_SLOTS } from '../../src/engine/graph';

const arg = (i: number, env: string, def: number) => Number(process.argv[i] ?? process.env[env] ?? def);
const OUTBREAKS = arg(2, 'COVERAGE_OUTBREAKS', 100);
const RUNS = arg(3, 'COVERAGE_RUNS', 300);
const NODES = arg(4, 'COVERAGE_NODES', 3000);
const THREADS = Number(process.env.COVERAGE_THREADS ?? availableParallelism());
/** Reporting lag: each report comes uniform(0, LAG) hours after the infection; reports after asOf are not known yet. */
const LAG_H = Number(process.env.COVERAGE_LAG_HOURS ?? 0);
/** 90% range of the reporting-rate prior the assessments use (the truth is REPORT_SHARE = 0.5). */
const [RHO_LOW, RHO_HIGH] = (process.env.COVERAGE_REPORTING_RATE ?? '0.3,0.7').split(',').map(Number);
const MEAN_DEGREE = 6;
const AS_OF_H = 72;
const HORIZON_H = 72;
const REPORT_SHARE = 0.5;
const T0 = Date.parse('2017-06-27T08:00:00Z');
const LEVEL = 0.9;

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

function graphOf(i: number): { entities: EntityRecord[]; dependencies: DependencyRecord[] } {
  const rng = new Rng(1000 + i, 0, 7);
  const { src, dst } = erdosRenyiEdges(NODES, (NODES * MEAN_DEGREE) / 2, rng);
  const countries = ['UA', 'DE', 'US', 'FR', 'GB'];
  const entities: EntityRecord[] = Array.from({ length: NODES }, (_, k) => ({
    id: `e${k}`, name: `Entity ${k}`, kind: 'organization', country: countries[k % countries.length], sector: 'information-technology',
    hosts: 50 + (k % 200), dailyValueUsd: 10_000, populationServed: 0, tags: [], protected: false,
  }));
  const dependencies: DependencyRecord[] = Array.from(src, (u, k) => ({
    sourceId: `e${u}`, targetId: `e${dst[k]}`, kind: 'network' as const, weight: 0.5 + 0.5 * rng.random(), bidirectional: true,
  }));
  return { entities, dependencies };
}

interface Outcome {
  truth: number;
  low: number;
  high: number;
  median: number;
  hit: boolean;
  trueT: number;
  reported: number;
  ess: number;
}

async function outbreak(i: number): Promise<Outcome> {
  const { entities, dependencies } = graphOf(i);
  const index = `e${i % NODES}`;
  // The truth: the engine's model of the weapon, with its parameters drawn from the prior.
  const base = prepareScenario({
    entities, dependencies, weapon: WEAPON,
    reports: [{ weaponId: WEAPON.id, entityId: index, observedAt: iso(0), status: 'confirmed', tlp: 'clear' }],
    asOf: iso(AS_OF_H), horizonHours: HORIZON_H,
  });
  const core = base.core;
  const w = core.weapon;
  const rng = new Rng(5000 + i, 0, 9);
  const kindProb = new Float64Array(KIND_SLOTS);
  for (const k of w.kinds) kindProb[k] = sampleLogitNormal(w.transmissibility[k]!, rng);
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
  const truth = runEvents(core.graph, core.seedNode, core.seedTime, cfg, rng, ws);
  // Half of the infections up to asOf are reported, at their infection times (plus the lag, if any).
  const reports: ReportRecord[] = [];
  for (let j = 0; j < truth; j++) {
    const v = ws.order[j];
    const t = ws.time[v];
    if (t > AS_OF_H) continue;
    // (no lag draw at LAG_H = 0, so the default study keeps its random sequence)
    const lag = LAG_H > 0 && j > 0 ? LAG_H * rng.random() : 0;
    if (t + lag > AS_OF_H) continue;
    if (j === 0 || rng.random() < REPORT_SHARE) reports.push({ weaponId: WEAPON.id, entityId: base.meta.ids[v], observedAt: iso(t + lag), status: 'confirmed', tlp: 'clear' });
  }
  const model = prepareScenario({ entities, dependencies, weapon: WEAPON, reports, asOf: iso(AS_OF_H), horizonHours: HORIZON_H });
  const result = await runAssessment(model, {
    runs: RUNS, seed: 77 + i, model: 'sir', calibrate: true, threads: THREADS, confidenceLevel: LEVEL,
    reportingRate: { low: RHO_LOW, high: RHO_HIGH }, earlyWarningHours: [24], earlyWarningLimit: 1, trackPaths: false,
  });
  const r = result.summary.total.entitiesInfected;
  return {
    truth, low: r.low, high: r.high, median: r.median, hit: truth >= r.low && truth <= r.high,
    trueT: kindProb[w.kinds[0]], reported: reports.length, ess: result.summary.calibration.effectiveSampleSize,
  };
}

async function main() {
  process.stdout.write(`coverage study: ${OUTBREAKS} synthetic outbreaks, ${NODES} entities each (mean degree ${MEAN_DEGREE}), ${RUNS} runs per assessment, ${THREADS} threads, nominal ${LEVEL * 100}% intervals, reporting lag uniform(0, ${LAG_H}) h, reporting-rate prior ${RHO_LOW}..${RHO_HIGH}\n`);
  const t0 = performance.now();
  const out: Outcome[] = [];
  for (let i = 0; i < OUTBREAKS; i++) {
    const o = await outbreak(i);
    out.push(o);
    process.stdout.write(
      `#${String(i + 1).padStart(3)} T=${o.trueT.toFixed(3)} reported=${String(o.reported).padStart(4)} truth=${String(o.truth).padStart(5)} ` +
        `90% [${o.low}, ${o.high}] median ${o.median} ESS ${o.ess.toFixed(1)} ${o.hit ? 'hit' : 'MISS'}\n`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const N = out.length;
  const C = out.filter((o) => o.hit).length / N;
  const se = Math.sqrt((C * (1 - C)) / N);
  const below = out.filter((o) => o.truth < o.low).length;
  const above = out.filter((o) => o.truth > o.high).length;
  const ess = out.map((o) => o.ess).sort((a, b) => a - b);
  const grown = out.filter((o) => o.truth > 10);
  const Cg = grown.length ? grown.filter((o) => o.hit).length / grown.length : NaN;
  process.stdout.write(
    `\ncoverage of nominal 90% intervals of entities infected: ${(C * 100).toFixed(1)}% +- ${(se * 100).toFixed(1)}% (N = ${N}; truth below the interval ${below}, above ${above})\n` +
      `among the ${grown.length} outbreaks that reached more than 10 entities: ${(Cg * 100).toFixed(1)}% +- ${(Math.sqrt((Cg * (1 - Cg)) / grown.length) * 100).toFixed(1)}%\n` +
      `median effective sample size ${ess[Math.floor(N / 2)].toFixed(1)} of ${RUNS} runs\n` +
      `time: ${seconds.toFixed(1)} s (${(seconds / N).toFixed(2)} s per outbreak)\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
