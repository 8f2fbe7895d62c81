/** Per-run S, I, R time series and node histories of `simulate` (EoN's return_full_data). */
import { buildCsr, simulate } from '../../../src/engine';
import { erGraph } from './helpers';

jest.setTimeout(600_000);

describe('simulate time series', () => {
  it('ic: generations on a path with T = 1 give the exact S, I, R counts', async () => {
    const graph = buildCsr({ n: 3, src: Int32Array.of(0, 1), dst: Int32Array.of(1, 2), undirected: true });
    const r = await simulate(graph, { model: 'ic', transmissibility: 1, seeds: [0], runs: 1, seed: 1, times: [0, 1, 2, 3], fullData: true }, { threads: 0 });
    expect(Array.from(r.series!)).toEqual([2, 1, 0, 1, 1, 1, 0, 1, 2, 0, 0, 3]);
    expect(r.histories).toEqual([{ nodes: Int32Array.of(0, 1, 2), infected: Float64Array.of(0, 1, 2), recovered: Float64Array.of(1, 2, 3) }]);
  });

  it('sir: asking for the series changes no final size; counts agree with the histories; threads give the same runs', async () => {
    const { graph } = erGraph(2000, 4, 7);
    const base = { model: 'sir' as const, rate: 0.5, recovery: 1, randomSeeds: 2, runs: 40, seed: 11 };
    const times = [0, 0.5, 1, 2, 4, 8, 1e9];
    const plain = await simulate(graph, base, { threads: 0 });
    const timed = await simulate(graph, { ...base, times, fullData: true }, { threads: 0 });
    const pooled = await simulate(graph, { ...base, times, fullData: true }, { threads: 2 });
    expect(timed.finalSizes).toEqual(plain.finalSizes);
    expect(pooled.series).toEqual(timed.series);
    expect(pooled.histories).toEqual(timed.histories);
    for (let r = 0; r < base.runs; r++) {
      const h = timed.histories![r];
      expect(h.nodes.length).toBe(timed.finalSizes[r]);
      times.forEach((t, j) => {
        const at = 3 * (r * times.length + j);
        const infected = h.infected.filter((x) => x <= t).length;
        const recovered = h.recovered.filter((x) => x <= t).length;
        expect([timed.series![at], timed.series![at + 1], timed.series![at + 2]]).toEqual([2000 - infected, infected - recovered, recovered]);
      });
      // every infected node recovers after its infection; at the end of the grid everyone has
      expect(h.recovered.every((x, i) => x > h.infected[i])).toBe(true);
      expect(timed.series![3 * (r * times.length + times.length - 1) + 2]).toBe(timed.finalSizes[r]);
    }
  });

  it('ic: with a time grid the run uses the breadth-first cascade, so final sizes equal --method cascade', async () => {
    const { graph } = erGraph(1000, 3, 5);
    const base = { model: 'ic' as const, transmissibility: 0.5, randomSeeds: 1, runs: 30, seed: 4 };
    const cascade = await simulate(graph, { ...base, method: 'cascade' }, { threads: 0 });
    const timed = await simulate(graph, { ...base, times: [0, 1, 2, 50] }, { threads: 0 });
    expect(timed.finalSizes).toEqual(cascade.finalSizes);
  });

  it('refuses a grid that is not ascending', async () => {
    const { graph } = erGraph(10, 2, 1);
    await expect(simulate(graph, { model: 'sir', rate: 1, recovery: 1, runs: 1, seed: 1, times: [1, 1] }, { threads: 0 })).rejects.toThrow('strictly ascending');
  });
});
