/**
 * Counterfactuals on common random numbers: each of the assessment's runs recomputed by the
 * assessment's engine (so the baseline is the headline, run for run: thinning, filed group
 * losses and the inoperability cascade included) and pruned for the variant. Honouring 13(f)
 * leaves no protected collateral hit and never costs more in any run; the empty variant avoids
 * exactly nothing; every removal (sectors, kinds, earlier kill switch, patches) only shrinks
 * each run's damage.
 */
import { CounterfactualEngine, runCounterfactual, WORLD_FIGURES, type Variant } from '../../../src/engine/counterfactual';
import { kindIndex, pilotProposal, prepareScenario, runAssessment, settingsOf, type AssessmentOptions, type AssessmentResult, type RunSettings, type ScenarioModel } from '../../../src/engine';
import { emptyPartial, FIGURE, TOTALS_WIDTH } from '../../../src/engine/partial';
import { RunEngine } from '../../../src/engine/runner';
import { tailOf } from '../../../src/engine/graph';
import { erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

describe('counterfactuals on common random numbers', () => {
  let model: ScenarioModel;
  let result: AssessmentResult;
  let settings: RunSettings;
  const seed = 11;
  const options: AssessmentOptions = { runs: 200, seed, threads: 0 };
  beforeAll(async () => {
    const { entities, dependencies } = erScenario(1500, 4, 7);
    // a group whose head office (n1) files the group's loss: it replaces its members' direct losses
    for (let i = 100; i < 130; i++) entities[i].parentId = 'n1';
    // a second dependency kind to cut, and service dependencies for the inoperability cascade
    for (let i = 0; i + 7 < 1500; i += 7) dependencies.push({ sourceId: `n${i}`, targetId: `n${i + 7}`, kind: 'supply-chain', weight: 0.8 });
    for (let i = 0; i + 3 < 1500; i += 11) dependencies.push({ sourceId: `n${i}`, targetId: `n${i + 3}`, kind: 'service', weight: 0.3 });
    model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.2, high: 0.45 }, {
        vectors: { network: { transmissibility: { low: 0.2, high: 0.45 }, delayHours: { low: 6, high: 48 } }, 'supply-chain': { transmissibility: { low: 0.3, high: 0.6 }, delayHours: { low: 1, high: 12 } } },
        containmentHours: { low: 24, high: 96 },
        targeting: { countries: ['UA'] },
      }),
      reports: [
        { weaponId: 'w', entityId: 'n1', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear', lossUsd: { low: 2e6, high: 5e6 } },
        { weaponId: 'w', entityId: 'n2', observedAt: '2017-06-28T08:00:00Z', status: 'confirmed', tlp: 'clear' },
        { weaponId: 'w', entityId: 'n5', observedAt: '2017-06-28T20:00:00Z', status: 'confirmed', tlp: 'clear' },
      ],
      horizonHours: 240,
    });
    result = await runAssessment(model, options);
    settings = { ...settingsOf(options), proposal: await pilotProposal(model, options) };
  });

  const runsAndWeights = () => {
    const c = result.runs.columns;
    const rows = result.runs.rows;
    return { runs: rows.map((r) => r[c.indexOf('run')]), weights: rows.map((r) => r[c.indexOf('weight')]) };
  };

  it('the baseline is the assessment: every run\'s totals as stored, and the headline collateral-loss range', () => {
    expect(model.core.lossCover.filter((s) => s >= 0).length).toBeGreaterThan(1);
    const { runs, weights } = runsAndWeights();
    const first = result.runs.columns.indexOf('total.entitiesInfected');
    let checked = 0;
    const cf = runCounterfactual(model.core, settings, runs, weights, {}, 0.9, (i, _r, totals) => {
      expect(Array.from(totals)).toEqual(result.runs.rows[i].slice(first, first + TOTALS_WIDTH));
      checked++;
    });
    expect(checked).toBe(200);
    const headline = result.summary.collateral.lossUsd.total;
    const base = cf.baselineRanges.collateralLossUsd;
    expect([base.low, base.median, base.high]).toEqual([headline.low, headline.median, headline.high]);
    expect(base.mean).toBeCloseTo(headline.mean, 6);
    const total = result.summary.total.lossUsd.total;
    expect([cf.baselineRanges.totalLossUsd.low, cf.baselineRanges.totalLossUsd.high]).toEqual([total.low, total.high]);
    expect(cf.baselineRanges.collateralInfected.median).toBe(result.summary.collateral.entitiesInfected.median);
  });

  it('a variant identical to the assessment avoids exactly 0 in every run', () => {
    const { runs, weights } = runsAndWeights();
    const cf = runCounterfactual(model.core, settings, runs, weights, {}, 0.9);
    cf.baseline.forEach((b, i) => expect(cf.variant[i]).toEqual(b));
    for (const f of WORLD_FIGURES) expect(cf.avoided[f]).toMatchObject({ mean: 0, median: 0, low: 0, high: 0 });
    // the world is not trivial: some collateral and some protected hits
    expect(cf.baselineRanges.collateralInfected.high).toBeGreaterThan(10);
    expect(cf.baseline.some((b) => b.protectedHits > 0)).toBe(true);
  });

  it('honouring 13(f) leaves 0 protected hits among the collateral infections and never a negative avoided loss in any run', () => {
    const { runs, weights } = runsAndWeights();
    const cf = runCounterfactual(model.core, settings, runs, weights, { honourNormMask: 1 }, 0.9);
    for (let i = 0; i < cf.runs; i++) {
      expect(cf.variant[i].protectedHits).toBe(0);
      for (const f of WORLD_FIGURES) expect(cf.baseline[i][f] - cf.variant[i][f]).toBeGreaterThanOrEqual(0);
    }
    expect(cf.avoided.protectedHits.mean).toBeGreaterThan(0);
    expect(cf.avoided.collateralLossUsd.low).toBeGreaterThanOrEqual(0);
  });

  it.each<[string, Variant]>([
    ['a spared sector', { sparedSectors: [0, 1] }],
    ['a cut dependency kind', { cutKinds: [kindIndex('supply-chain')] }],
    ['an earlier kill switch', { killSwitchHours: 36 }],
    ['containment within 12 hours', { containWithinHours: 12 }],
    ['entities patched by a time', { patched: Array.from({ length: 100 }, (_, i) => ({ node: 10 + i * 7, byHours: 20 })) }],
  ])('%s only shrinks each run\'s damage', (_what, x) => {
    const { runs } = runsAndWeights();
    const cf = new CounterfactualEngine(model.core, settings, x);
    let smaller = 0;
    for (const r of runs) {
      const { baseline: b, variant: v } = cf.run(r);
      for (const f of WORLD_FIGURES) expect(v[f]).toBeLessThanOrEqual(b[f]);
      if (v.infected < b.infected) smaller++;
    }
    expect(smaller).toBeGreaterThan(0);
  });

  it("RunEngine's last spread is the run's: its infections in time order, every infector before what it infected", () => {
    const engine = new RunEngine(model.core, settings);
    const partial = emptyPartial(model.core, settings, 1, engine.paramCount);
    engine.run(3, partial);
    const { count, order, time, parentArc } = engine.lastSpread;
    expect(count).toBe(partial.totals[FIGURE.entitiesInfected]);
    expect(count).toBeGreaterThan(3);
    const infected = new Set<number>();
    for (let i = 0; i < count; i++) {
      const v = order[i];
      if (i > 0) expect(time[v]).toBeGreaterThanOrEqual(time[order[i - 1]]);
      if (parentArc[v] >= 0) expect(infected.has(tailOf(model.core.graph.offsets, parentArc[v]))).toBe(true);
      infected.add(v);
    }
  });

  it('RunEngine.spreadAt runs the model at the given parameters, the same spread for the same ones, and only for the adaptive sampler', () => {
    const engine = new RunEngine(model.core, settings);
    const { dims, prior } = engine.adaptDims;
    const kinds = model.core.weapon.kinds.length;
    // every transmissibility at logit t (the other adapted parameters at their prior medians)
    const at = (t: number) => dims.map((col, d) => (col < kinds ? t : prior[d].mu));
    const spread = (t: number) => {
      const count = engine.spreadAt(5, at(t));
      return Array.from({ length: count }, (_, i) => engine.lastSpread.order[i]);
    };
    const high = spread(3);
    expect(spread(3)).toEqual(high);
    const none = spread(-30);
    // no transmission: only the reports the run takes as genuine are infected
    expect(none.length).toBeLessThanOrEqual(model.core.reportedCount);
    expect(high.length).toBeGreaterThan(10 * model.core.reportedCount);
    const priorDraws = new RunEngine(model.core, { ...settings, sampler: 'prior' });
    expect(() => priorDraws.spreadAt(5, at(3))).toThrow(/adaptive sampler/);
  });
});
