/**
 * Counterfactuals on keyed draws: the assessment's runs and weights re-simulated with one change.
 * Honouring 13(f) leaves no protected collateral hit and never costs more in any run; the empty
 * variant avoids exactly nothing; every removal (sectors, kinds, earlier kill switch, patches)
 * only shrinks each run's damage.
 */
import { drawsFromRuns, keyedWorld, runCounterfactual, WORLD_FIGURES, type Variant } from '../../../src/engine/counterfactual';
import { kindIndex, prepareScenario, runAssessment, type AssessmentResult, type ScenarioModel } from '../../../src/engine';
import { erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

describe('counterfactuals on common random numbers', () => {
  let model: ScenarioModel;
  let result: AssessmentResult;
  const seed = 11;
  beforeAll(async () => {
    const { entities, dependencies } = erScenario(1500, 4, 7);
    // a second dependency kind to cut
    for (let i = 0; i + 7 < 1500; i += 7) dependencies.push({ sourceId: `n${i}`, targetId: `n${i + 7}`, kind: 'supply-chain', weight: 0.8 });
    model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.2, high: 0.45 }, {
        vectors: { network: { transmissibility: { low: 0.2, high: 0.45 }, delayHours: { low: 6, high: 48 } }, 'supply-chain': { transmissibility: { low: 0.3, high: 0.6 }, delayHours: { low: 1, high: 12 } } },
        containmentHours: { low: 24, high: 96 },
        targeting: { countries: ['UA'] },
      }),
      reports: [
        { weaponId: 'w', entityId: 'n1', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' },
        { weaponId: 'w', entityId: 'n2', observedAt: '2017-06-28T08:00:00Z', status: 'confirmed', tlp: 'clear' },
      ],
      horizonHours: 240,
    });
    result = await runAssessment(model, { runs: 200, seed, threads: 0 });
  });

  const draws = () => drawsFromRuns(model.core, result.runs);

  it('reuses the assessment\'s runs: its weights and drawn transmissibilities', () => {
    const d = draws();
    expect(d).toHaveLength(200);
    const wCol = result.runs.columns.indexOf('weight');
    expect(d.map((x) => x.weight)).toEqual(result.runs.rows.map((r) => r[wCol]));
    expect(d.some((x) => x.kindProb.some((p) => p > 0))).toBe(true);
  });

  it('a variant identical to the assessment avoids exactly 0 in every run', () => {
    const cf = runCounterfactual(model.core, seed, draws(), {}, 0.9);
    cf.baseline.forEach((b, i) => expect(cf.variant[i]).toEqual(b));
    for (const f of WORLD_FIGURES) expect(cf.avoided[f]).toMatchObject({ mean: 0, median: 0, low: 0, high: 0 });
    // the world is not trivial: some collateral and some protected hits
    expect(cf.baselineRanges.collateralInfected.high).toBeGreaterThan(10);
    expect(cf.baseline.some((b) => b.protectedHits > 0)).toBe(true);
  });

  it('honouring 13(f) leaves 0 protected hits among the collateral infections and never a negative avoided loss in any run', () => {
    const cf = runCounterfactual(model.core, seed, draws(), { honourNormMask: 1 }, 0.9);
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
    const d = draws();
    const time = new Float64Array(model.core.n);
    let smaller = 0;
    for (const draw of d) {
      const b = keyedWorld(model.core, seed, draw, {}, time);
      const v = keyedWorld(model.core, seed, draw, x, time);
      for (const f of WORLD_FIGURES) expect(v[f]).toBeLessThanOrEqual(b[f]);
      if (v.infected < b.infected) smaller++;
    }
    expect(smaller).toBeGreaterThan(0);
  });
});
