/**
 * The arcs carried (a partial's per-arc sums, kept when paths are tracked): a run adds its weight
 * to the arc that infected each entity. The run loop adds them block by block of arcs rather than
 * in entity order; the sums are those of adding each infected entity's arc as it comes.
 */
import { prepareScenario } from '../../../src/engine';
import { settingsOf } from '../../../src/engine/options';
import { countRuns, emptyPartial } from '../../../src/engine/partial';
import { RunEngine } from '../../../src/engine/runner';
import { erScenario, weapon } from './helpers';

describe('arcs carried', () => {
  it('each run adds its weight to the arc that infected each entity, over several blocks of arcs', () => {
    const n = 20_000;
    const { entities, dependencies } = erScenario(n, 8, 11);
    const model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.3, high: 0.6 }),
      reports: [0, 7_000, 14_000].map((i) => ({ weaponId: 'w', entityId: `n${i}`, observedAt: '2017-06-27T08:00:00Z', status: 'confirmed' as const, tlp: 'clear' as const })),
      horizonHours: 240,
    });
    const core = model.core;
    expect(core.graph.arcs).toBeGreaterThan(2 * 65_536); // arcs in three blocks
    // uncalibrated runs weigh 1 each: the sums are counts, exact in single precision
    const settings = settingsOf({ runs: 12, seed: 5, model: 'sir', calibrate: false });
    const engine = new RunEngine(core, settings);
    const runs = 12;
    const p = emptyPartial(core, settings, runs, engine.paramCount);
    const expected = new Float32Array(core.graph.arcs);
    let large = 0;
    let lastBlock = 0;
    for (let r = 0; r < runs; r++) {
      engine.run(r, p);
      const { count, order, parentArc } = engine.lastSpread;
      if (count > n >> 3) large++; // aggregated in node order
      for (let i = 0; i < count; i++) {
        const a = parentArc[order[i]];
        if (a < 0) continue;
        expected[a] += 1;
        lastBlock = Math.max(lastBlock, a >> 16);
      }
    }
    expect(countRuns(p)).toBe(runs);
    expect(large).toBeGreaterThan(0);
    expect(lastBlock).toBe(2);
    expect(Array.from(p.carry!)).toEqual(Array.from(expected));
    expect(expected.reduce((s, x) => s + x, 0)).toBeGreaterThan(runs * 100);
  });
});
