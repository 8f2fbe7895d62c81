/**
 * Seeded runs condition on the reports by thinning: given which infections were reported, the
 * unreported ones are the spread thinned by (1 - reporting rate). Without it a run seeded with
 * every reported entity grows a second lineage beside each of them and overshoots the number
 * infected by asOf several times at the true transmissibility.
 */
import { DelayMode, KIND_SLOTS, lognormalFromRange, prepareScenario, Rng, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from '../../../src/engine';
import type { ReportRecord } from '../../../src/domain/records';
import { infectedShare } from '../../../src/engine/report-evidence';
import { erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

describe('conditioning seeded runs on the reports (thinning)', () => {
  const n = 3000;
  const T = 0.35;
  const rho = 0.5;
  const asOf = 72;
  const { entities, dependencies } = erScenario(n, 6, 31);
  const origin = Date.parse('2017-06-27T08:00:00Z');
  const iso = (h: number) => new Date(origin + h * 3600_000).toISOString();
  const delay = lognormalFromRange({ low: 2, high: 24 });
  const config = (thin: EventConfig['thin']): EventConfig => {
    const kindProb = new Float64Array(KIND_SLOTS);
    kindProb[0] = T; // kind 0 = network
    return {
      kindProb, delayMode: DelayMode.lognormal, delayMu: new Float64Array(KIND_SLOTS).fill(delay.mu), delaySigma: new Float64Array(KIND_SLOTS).fill(delay.sigma),
      delayRate: new Float64Array(KIND_SLOTS), windowMode: WindowMode.none, windowRate: 0, windowMu: 0, windowSigma: 0, tEnd: asOf, susceptibility: null, stopAt: null, thin,
    };
  };

  it('keeps the infections by asOf of runs seeded with the reports near the truth (and without thinning they overshoot)', () => {
    const ws = new SpreadWorkspace(n);
    const ratios = { thinned: [] as number[], plain: [] as number[] };
    for (let outbreak = 0; outbreak < 6; outbreak++) {
      // the truth: one outbreak from n0 that took off, half of its infections reported at their times
      const rng = new Rng(100 + outbreak, 0, 0);
      let truth = 0;
      do truth = runEvents(buildGraph(), [0], [0], config(null), rng, ws);
      while (truth < 100);
      const reports: ReportRecord[] = [];
      for (let i = 0; i < truth; i++) {
        const v = ws.order[i];
        if (i === 0 || rng.random() < rho) reports.push({ weaponId: 'w', entityId: `n${v}`, observedAt: iso(ws.time[v]), status: 'confirmed', tlp: 'clear' });
      }
      const model = prepareScenario({ entities, dependencies, weapon: weapon({ low: T, high: T }), reports, asOf: iso(asOf), horizonHours: 24 });
      const { core } = model;
      for (const [name, thin] of [['thinned', { until: asOf, rho, lagRate: Infinity, exempt: core.reported }], ['plain', null]] as const) {
        let sum = 0;
        const runs = 20;
        for (let r = 0; r < runs; r++) sum += runEvents(core.graph, core.seedNode, core.seedTime, config(thin), new Rng(7, r, outbreak), ws);
        ratios[name].push(sum / runs / truth);
      }
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(ratios.thinned)).toBeGreaterThan(0.75);
    expect(mean(ratios.thinned)).toBeLessThan(1.3);
    expect(mean(ratios.plain)).toBeGreaterThan(1.6);
  });

  it('near saturation, thinning with the infected share (infectedShare) keeps the unreported infections that thinning alone drops', () => {
    const ws = new SpreadWorkspace(n);
    const Tsat = 0.6;
    const rate = 0.4;
    const cfg = (thin: EventConfig['thin']) => ({ ...config(thin), kindProb: Float64Array.from(config(null).kindProb, (p) => (p > 0 ? Tsat : 0)) });
    const ratios = { share: [] as number[], first: [] as number[] };
    for (let outbreak = 0; outbreak < 4; outbreak++) {
      const rng = new Rng(200 + outbreak, 0, 0);
      let truth = 0;
      do truth = runEvents(buildGraph(), [0], [0], cfg(null), rng, ws);
      while (truth < n / 2);
      const reports: ReportRecord[] = [];
      for (let i = 0; i < truth; i++) {
        const v = ws.order[i];
        if (i === 0 || rng.random() < rate) reports.push({ weaponId: 'w', entityId: `n${v}`, observedAt: iso(ws.time[v]), status: 'confirmed', tlp: 'clear' });
      }
      const { core } = prepareScenario({ entities, dependencies, weapon: weapon({ low: Tsat, high: Tsat }), reports, asOf: iso(asOf), horizonHours: 24 });
      const share = infectedShare(reports.length, rate, n);
      for (const [name, q] of [['share', share], ['first', 0]] as const) {
        let sum = 0;
        const runs = 10;
        for (let r = 0; r < runs; r++) sum += runEvents(core.graph, core.seedNode, core.seedTime, cfg({ until: asOf, rho: rate, lagRate: Infinity, exempt: core.reported, share: q }), new Rng(7, r, outbreak), ws);
        ratios[name].push(sum / runs / truth);
      }
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`saturated outbreaks: runs / truth ${mean(ratios.share).toFixed(3)} with the share, ${mean(ratios.first).toFixed(3)} without`);
    expect(mean(ratios.first)).toBeLessThan(0.95);
    expect(mean(ratios.share)).toBeGreaterThan(mean(ratios.first) + 0.03);
    expect(mean(ratios.share)).toBeLessThan(1.05);
  });

  let graph: ReturnType<typeof prepareScenario>['core']['graph'] | null = null;
  function buildGraph() {
    graph ??= prepareScenario({ entities, dependencies, weapon: weapon({ low: T, high: T }), reports: [{ weaponId: 'w', entityId: 'n0', observedAt: iso(0), status: 'confirmed', tlp: 'clear' }], asOf: iso(asOf) }).core.graph;
    return graph;
  }
});
