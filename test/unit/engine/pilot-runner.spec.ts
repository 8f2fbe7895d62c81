/**
 * pilotProposal with a `pilotRunner` (the queue hands the pilot's rounds to its workers, each
 * slice computed with `pilotSlice`) fits the proposal the default pilot fits, bit for bit: each
 * pilot run depends only on (seed, run index, its parameters), not on where or in which order
 * the slices run.
 */
import { pilotProposal, pilotSlice, prepareScenario, type AssessmentOptions, type ScenarioModel } from '../../../src/engine';
import { readScenario } from '../../../src/scenario-format';

jest.setTimeout(300_000);

describe('pilotProposal with a pilotRunner of pilotSlice slices', () => {
  let mk: () => ScenarioModel;

  beforeAll(async () => {
    const data = await readScenario('fixtures/notpetya-2017');
    const asOf = new Date(data.scenario.asOf).toISOString();
    const reports = data.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() })).filter((r) => r.observedAt <= asOf);
    // a model object per call: pilotProposal caches its answer per model
    mk = () => prepareScenario({ entities: data.entities, dependencies: data.dependencies, weapon: data.weapon, reports, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours });
  });

  /** Slices of `size` rows of each round, computed last slice first on a model of their own, answered in order. */
  const runner = (options: AssessmentOptions, size: number, rounds: Array<{ rows: number; base: number; values: number }>, D: number) => {
    const model = mk();
    return async (z: Float64Array, base: number, dims: number): Promise<Float64Array> => {
      expect(dims).toBe(D);
      const n = z.length / D;
      const parts: Array<{ at: number; rows: Float64Array }> = [];
      for (let a = Math.floor((n - 1) / size) * size; a >= 0; a -= size) {
        const e = Math.min(n, a + size);
        parts.push({ at: a, rows: pilotSlice(model, options, z.slice(a * D, e * D), base + a) });
      }
      parts.sort((x, y) => x.at - y.at);
      const W = parts[0].rows.length / Math.min(n, size);
      const out = new Float64Array(n * W);
      for (const p of parts) out.set(p.rows, p.at * W);
      rounds.push({ rows: n, base, values: out.length });
      return out;
    };
  };

  it.each([
    ['sir (synthetic likelihood)', 'sir' as const],
    ['ic (tempering)', 'ic' as const],
  ])('%s: the same proposal as the default pilot, bit for bit', async (_name, model) => {
    const options: AssessmentOptions = { runs: 200, seed: 20170627, model, threads: 0 };
    const reference = await pilotProposal(mk(), options);
    expect(reference).not.toBeNull();
    const D = reference!.dims.length;
    const onThreads = await pilotProposal(mk(), { ...options, threads: 2 });
    expect(onThreads).toEqual(reference);
    const rounds: Array<{ rows: number; base: number; values: number }> = [];
    const pilot: Array<[number, number]> = [];
    const sliced = await pilotProposal(mk(), { ...options, pilotRunner: runner(options, 7, rounds, D), onPilotProgress: (d, n) => pilot.push([d, n]) });
    // toEqual tells -0 from 0 and compares every number exactly
    expect(sliced).toEqual(reference);
    // the rounds went through the runner: 40 particles (a fifth of the runs), run indexes by round
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(rounds.map((r) => r.rows)).toEqual(rounds.map(() => 40));
    expect(rounds.map((r) => r.base)).toEqual(rounds.map((_, i) => 40 * i));
    expect(pilot[pilot.length - 1]).toEqual([40 * rounds.length, 40 * rounds.length]);
  });

  it('a runner answering the wrong number of values fails the pilot', async () => {
    await expect(pilotProposal(mk(), { runs: 200, seed: 3, threads: 0, pilotRunner: async (z) => z.slice(1) })).rejects.toThrow(/pilot runner answered/);
  });
});
