/**
 * Same seed, same result, whatever the number of threads (0 = in-process, 1 and 2 workers);
 * shards computed separately merge into the result of the whole.
 */
import { finalizeAssessment, mergePartials, prepareScenario, runAssessment, runShard, simulate, type ScenarioModel } from '../../../src/engine';
import { erGraph, erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

describe('determinism across threads', () => {
  it('simulate: identical final sizes with 1 and 2 threads', async () => {
    const { graph } = erGraph(20_000, 4, 3);
    const spec = { model: 'sir' as const, rate: 0.5, recovery: 1, randomSeeds: 3, runs: 40, seed: 9 };
    const a = await simulate(graph, spec, { threads: 1 });
    const b = await simulate(graph, spec, { threads: 2 });
    expect(Array.from(b.finalSizes)).toEqual(Array.from(a.finalSizes));
    expect(new Set(a.finalSizes).size).toBeGreaterThan(5); // runs differ from each other
  });

  let model: ScenarioModel;
  beforeAll(() => {
    const { entities, dependencies } = erScenario(2000, 4, 5);
    dependencies.push({ sourceId: 'n1', targetId: 'n2', kind: 'service', weight: 0.5 });
    model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.15, high: 0.4 }, { containmentHours: { low: 24, high: 96 }, targeting: { countries: ['UA'] } }),
      reports: [
        { weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' },
        { weaponId: 'w', entityId: 'n5', observedAt: '2017-06-28T08:00:00Z', status: 'confirmed', tlp: 'clear' },
      ],
      horizonHours: 120,
    });
  });

  it('runAssessment: identical results in-process, with 1 and with 2 threads', async () => {
    const opts = { runs: 120, seed: 4, chunkSize: 16 };
    const r0 = await runAssessment(model, { ...opts, threads: 0 });
    const r1 = await runAssessment(model, { ...opts, threads: 1 });
    const r2 = await runAssessment(model, { ...opts, threads: 2 });
    const strip = (r: typeof r0) => JSON.stringify({ ...r, stats: undefined });
    expect(strip(r1)).toEqual(strip(r0));
    expect(strip(r2)).toEqual(strip(r0));
    expect(r0.summary.total.entitiesInfected.high).toBeGreaterThan(r0.summary.total.entitiesInfected.low);
  });

  it('a different seed gives different runs', async () => {
    const a = await runAssessment(model, { runs: 40, seed: 1, threads: 0 });
    const b = await runAssessment(model, { runs: 40, seed: 2, threads: 0 });
    expect(a.runs.rows.map((r) => r[3])).not.toEqual(b.runs.rows.map((r) => r[3]));
  });

  it('shards merge into the whole (run rows identical, sums equal to rounding)', async () => {
    const opts = { runs: 100, seed: 8, chunkSize: 10 };
    const whole = await runAssessment(model, { ...opts, threads: 0 });
    const s2 = await runShard(model, [60, 100], { ...opts, threads: 2 });
    const s1 = await runShard(model, [0, 60], { ...opts, threads: 0 });
    const merged = finalizeAssessment(model, mergePartials([s2.partial, s1.partial]), opts);
    expect(merged.runs.rows).toEqual(whole.runs.rows);
    expect(merged.summary.total).toEqual(whole.summary.total);
    for (let i = 0; i < whole.entities.length; i++)
      expect(merged.entities[i].probabilityInfected.p).toBeCloseTo(whole.entities[i].probabilityInfected.p, 10);
    await expect(runShard(model, [0, 10], { ...opts, seed: 9, threads: 0 }).then((s) => mergePartials([s.partial, s1.partial]))).rejects.toThrow(/different assessments/);
  });

  it('cancellation rejects with AbortError', async () => {
    const ac = new AbortController();
    const p = runAssessment(model, { runs: 5000, seed: 1, threads: 2, signal: ac.signal, onProgress: (pr) => pr.runsDone > 0 && ac.abort() });
    setTimeout(() => ac.abort(), 300);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
