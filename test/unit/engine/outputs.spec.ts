/**
 * Output lists of the core: early warning keeps the entities most at risk of each part.
 */
import { prepareScenario, runAssessment } from '../../../src/engine';
import { erScenario, weapon } from './helpers';

jest.setTimeout(60_000);

describe('early warning', () => {
  it('keeps the top entities of each part, so collateral ones are not crowded out by the targets', async () => {
    const { entities, dependencies } = erScenario(1500, 5, 11);
    // Intended: Ukraine (a third of the graph, where the outbreak starts); collateral: the rest.
    const model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.3, high: 0.5 }, { targeting: { countries: ['UA'] } }),
      reports: [{ weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' }],
      horizonHours: 72,
    });
    const limit = 5;
    const r = await runAssessment(model, { runs: 60, seed: 3, threads: 0, earlyWarningLimit: limit });
    const byId = new Map(r.entities.map((e) => [e.entityId, e]));
    for (const w of r.earlyWarning.windows) {
      const parts = w.entities.map((e) => (entities.find((x) => x.id === e.entityId)!.country === 'UA' ? 'intended' : 'collateral'));
      expect(parts.filter((p) => p === 'intended')).toHaveLength(limit);
      expect(parts.filter((p) => p === 'collateral')).toHaveLength(limit);
      // The engine's own part flag agrees with the targeting.
      for (const [i, e] of w.entities.entries()) if (byId.has(e.entityId)) expect(byId.get(e.entityId)!.intended).toBe(parts[i] === 'intended');
      // Ranked by probability, and each part's kept entities are its most at risk.
      const p = w.entities.map((e) => e.probability.p);
      expect(p).toEqual([...p].sort((a, b) => b - a));
      const keptCollateral = w.entities.filter((_, i) => parts[i] === 'collateral').map((e) => e.probability.p);
      const allCollateral = r.entities.filter((e) => !e.intended && !e.reported).map((e) => e.probabilityInfected.p);
      expect(Math.min(...keptCollateral)).toBeGreaterThan(0);
      expect(allCollateral.length).toBeGreaterThan(limit);
    }
  });
});
