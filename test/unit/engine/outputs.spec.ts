/**
 * Output lists of the core: early warning keeps the entities most at risk of each part.
 */
import { pilotProposal, prepareScenario, runAssessment } from '../../../src/engine';
import { erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

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

describe('progress', () => {
  it('moves during the adaptive sampler\'s pilot, then through the runs, never backwards, to 1', async () => {
    const { entities, dependencies } = erScenario(1500, 5, 12);
    const mk = () =>
      prepareScenario({
        entities,
        dependencies,
        weapon: weapon({ low: 0.2, high: 0.5 }),
        reports: [
          { weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' },
          { weaponId: 'w', entityId: 'n7', observedAt: '2017-06-28T08:00:00Z', status: 'confirmed', tlp: 'clear' },
        ],
        horizonHours: 48,
      });
    for (const threads of [0, 2]) {
      const model = mk();
      const seen: Array<{ phase: string; fraction: number; runsDone: number }> = [];
      await runAssessment(model, { runs: 200, seed: 5, threads, onProgress: (p) => seen.push({ phase: p.phase, fraction: p.fraction, runsDone: p.runsDone }) });
      const pilotEvents = seen.filter((p) => p.phase === 'pilot');
      expect(pilotEvents.length).toBeGreaterThan(0);
      expect(pilotEvents.every((p) => p.runsDone === 0 && p.fraction > 0 && p.fraction < 1)).toBe(true);
      // every pilot event comes before the first run event
      expect(seen.findIndex((p) => p.phase === 'runs')).toBeGreaterThan(seen.map((p) => p.phase).lastIndexOf('pilot'));
      for (let i = 1; i < seen.length; i++) expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
      expect(seen[seen.length - 1]).toMatchObject({ phase: 'runs', fraction: 1, runsDone: 200 });
      // a second assessment of the same model reuses the cached pilot: no pilot phase
      const again: string[] = [];
      await runAssessment(model, { runs: 200, seed: 5, threads, onProgress: (p) => again.push(p.phase) });
      expect(again).not.toContain('pilot');
      // pilotProposal on its own counts its runs up to their total (40 particles for 200 runs, at
      // each stage of the tempering: the prior draws and one move per stage)
      const pilot: Array<[number, number]> = [];
      const fitted = await pilotProposal(mk(), { runs: 200, seed: 5, threads, onPilotProgress: (d, n) => pilot.push([d, n]) });
      const [done, total] = pilot[pilot.length - 1];
      expect(done).toBe(total);
      expect(done).toBe(40 * fitted!.stages!.length);
      // never backwards (the last call closes the total on the runs done)
      for (let i = 1; i < pilot.length; i++) expect(pilot[i][0]).toBeGreaterThanOrEqual(pilot[i - 1][0]);
      for (let i = 0; i < pilot.length; i++) expect(pilot[i][0] / pilot[i][1]).toBeLessThanOrEqual(1);
    }
  });
});
