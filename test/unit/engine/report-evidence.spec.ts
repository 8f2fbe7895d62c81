/**
 * Reports as evidence: a report counts with its confidence, the result carries the sampler's
 * pilot rounds and a posterior predictive check, and warns when the check fails.
 */
import { prepareScenario, runAssessment } from '../../../src/engine';
import { erScenario, weapon } from './helpers';
import { ReportEvidence, reportGrowthRate } from '../../../src/engine/report-evidence';
import { Rng } from '../../../src/engine/prng';

jest.setTimeout(300_000);

const at = (h: number) => new Date(Date.parse('2017-06-27T08:00:00Z') + h * 3600e3).toISOString();

describe('reports as evidence', () => {
  const { entities, dependencies } = erScenario(800, 4, 5);

  it('a suspected report without confidence is not a certain infection; a confirmed one is', async () => {
    const model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.05, high: 0.15 }),
      reports: [
        { weaponId: 'w', entityId: 'n0', observedAt: at(0), status: 'confirmed', tlp: 'clear' },
        { weaponId: 'w', entityId: 'n700', observedAt: at(5), status: 'suspected', tlp: 'clear' },
        { weaponId: 'w', entityId: 'n400', observedAt: at(6), status: 'confirmed', confidence: 100, tlp: 'clear' },
      ],
      asOf: at(12),
      horizonHours: 24,
    });
    const r = await runAssessment(model, { runs: 200, seed: 2, threads: 0 });
    const p = (id: string) => r.entities.find((e) => e.entityId === id)?.probabilityInfected.p ?? 0;
    expect(p('n0')).toBe(1);
    expect(p('n400')).toBe(1);
    // taken as genuine in about half the runs (its confidence, 50, weighted by how well it fits)
    expect(p('n700')).toBeGreaterThan(0.05);
    expect(p('n700')).toBeLessThan(0.95);
    const c = r.summary.calibration;
    // the synthetic-likelihood pilot: a round from the prior, then rounds around the fitted posterior
    expect(c.stages!.map((s) => s.drawnFrom)).toEqual(['prior', 'posterior', 'posterior']);
    for (const s of c.stages!) {
      expect(s.particles).toBe(40);
      expect(s.effectiveSampleSize).toBeGreaterThan(0);
      // one summary per prediction bin (2 reports after the conditioning time: 2 bins) and the
      // neighbour share, each with its noise
      expect(s.summaryNoise).toHaveLength(3);
      for (const sd of s.summaryNoise!) expect(sd).toBeGreaterThan(0);
    }
    expect(c.predictiveCheck!.observedReports).toBe(3);
    expect(c.predictiveCheck!.reportsPValue).toBeGreaterThanOrEqual(0);
    expect(c.predictiveCheck!.reportsPValue).toBeLessThanOrEqual(1);
    expect(c.parameters.reportingLagHours.low).toBeGreaterThan(0);
    expect(c.parameters['predicted.reports']).toBeUndefined();
  });

  it('warns when the calibrated model cannot reproduce the reports', async () => {
    // 60 confirmed reports within an hour on a graph the weapon can barely cross: no run makes them
    const reports = Array.from({ length: 60 }, (_, i) => ({ weaponId: 'w', entityId: `n${i * 13}`, observedAt: at(i / 60), status: 'confirmed' as const, tlp: 'clear' as const }));
    const model = prepareScenario({ entities, dependencies, weapon: weapon({ low: 0.01, high: 0.03 }), reports, asOf: at(48), horizonHours: 24 });
    const r = await runAssessment(model, { runs: 200, seed: 4, threads: 0 });
    const check = r.summary.calibration.predictiveCheck!;
    expect(Math.min(check.reportsPValue, check.timingPValue)).toBeLessThan(0.05);
    expect(r.warnings.some((w) => w.startsWith('predictive check failed'))).toBe(true);
  });
});

describe('the growth rate of the report incidence (infection times given a report)', () => {
  // report times on [0, D] with density proportional to exp(r t), by inversion
  const times = (r: number, D: number, n: number, seed: number) => {
    const rng = new Rng(seed, 0, 0);
    const t = Array.from({ length: n }, () => {
      const u = rng.random();
      return r === 0 ? u * D : Math.log1p(u * Math.expm1(r * D)) / r;
    });
    t.push(0); // the first report opens the window
    return Float64Array.from(t).sort();
  };

  it('recovers the rate of an exponentially growing incidence', () => {
    for (const r of [0.03, 0.1, 0.3]) {
      const est = reportGrowthRate(times(r, 48, 4000, 7), 48);
      expect(Math.abs(est - r) / r).toBeLessThan(0.08);
    }
  });

  it('is 0 for a flat or slowing incidence, and below 3 reports', () => {
    expect(reportGrowthRate(times(0, 48, 4000, 3), 48)).toBeLessThan(0.003);
    const slowing = times(0.1, 48, 2000, 5).map((t) => 48 - t).sort();
    expect(reportGrowthRate(slowing, 48)).toBe(0);
    expect(reportGrowthRate([0, 47], 48)).toBe(0);
  });

  it('the early reports get their own rate when they are enough: a saturating outbreak grows fast first', () => {
    // reports of an incidence growing at 0.2 per hour for 20 h, then flat for 20 h
    const { entities, dependencies } = erScenario(800, 4, 5);
    const grow = times(0.2, 20, 120, 11);
    const flat = Array.from({ length: 240 }, (_, i) => 20 + (20 * (i + 0.5)) / 240);
    const all = [...grow, ...flat].sort((a, b) => a - b);
    const scenario = (ts: number[]) =>
      prepareScenario({
        entities, dependencies, weapon: weapon({ low: 0.1, high: 0.3 }),
        reports: ts.map((t, i) => ({ weaponId: 'w', entityId: `n${i}`, observedAt: at(t), status: 'confirmed' as const, tlp: 'clear' as const })),
        asOf: at(40), horizonHours: 24,
      }).core;
    const e = new ReportEvidence(scenario(all));
    // the first quarter (90 reports, all in the growing phase) against the whole
    expect(e.earlyGrowthRate).toBeGreaterThan(0.12);
    expect(e.growthRate).toBeLessThan(0.06);
    // fewer than 10 early reports: the overall rate
    const few = new ReportEvidence(scenario(all.filter((_, i) => i % 12 === 0)));
    expect(few.earlyGrowthRate).toBe(few.growthRate);
  });
});
