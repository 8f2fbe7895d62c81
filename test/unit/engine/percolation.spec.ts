/**
 * Percolation theory on Erdos-Renyi graphs: the mean final size of large outbreaks matches
 * S = 1 - exp(-c T S) within 1.5%, and outbreaks stay small below T_c = 1/c, for ic (both the
 * union-find percolation path and the breadth-first cascade) and for the event-driven sir with
 * T = rate / (rate + recovery).
 */
import { simulate, type SimulateSpec } from '../../../src/engine';
import { erFinalSize, erGraph } from './helpers';

const n = 50_000;
const c = 5;
const { graph } = erGraph(n, c, 11);

async function majorMean(spec: Omit<SimulateSpec, 'runs' | 'seed'>, runs: number) {
  const r = await simulate(graph, { ...spec, runs, seed: 5 }, { threads: 0 });
  const f = Array.from(r.finalSizes, (x) => x / n);
  const major = f.filter((x) => x > 0.01);
  return { f, major, mean: major.reduce((a, b) => a + b, 0) / Math.max(1, major.length) };
}

describe('final size of large outbreaks on ER graphs (n = 50,000, c = 5)', () => {
  const T = 0.4; // c T = 2, S ~ 0.797
  const S = erFinalSize(c, T);

  it('theory sanity: S solves S = 1 - exp(-cTS)', () => {
    expect(Math.abs(S - (1 - Math.exp(-c * T * S)))).toBeLessThan(1e-9);
    expect(S).toBeGreaterThan(0.79);
  });

  it.each([
    ['ic (percolation)', { model: 'ic', transmissibility: T, randomSeeds: 5, method: 'percolation' }],
    ['ic (cascade)', { model: 'ic', transmissibility: T, randomSeeds: 5, method: 'cascade' }],
    ['sir (rate/(rate+recovery) = T)', { model: 'sir', rate: T / (1 - T), recovery: 1, randomSeeds: 5 }],
  ] as Array<[string, Omit<SimulateSpec, 'runs' | 'seed'>]>)('%s matches S within 1.5%%', async (_name, spec) => {
    const { major, mean } = await majorMean(spec, 30);
    expect(major.length).toBeGreaterThanOrEqual(20);
    expect(Math.abs(mean - S) / S).toBeLessThan(0.015);
  });

  it('a lower T gives the smaller theoretical size too (sir, T = 0.3)', async () => {
    const T2 = 0.3;
    const S2 = erFinalSize(c, T2);
    const { major, mean } = await majorMean({ model: 'sir', rate: T2 / (1 - T2), recovery: 1, randomSeeds: 5 }, 30);
    expect(major.length).toBeGreaterThanOrEqual(10);
    expect(Math.abs(mean - S2) / S2).toBeLessThan(0.015);
  });

  it.each([
    ['ic', { model: 'ic', transmissibility: 0.1, randomSeeds: 5 }],
    ['sir', { model: 'sir', rate: 0.1 / 0.9, recovery: 1, randomSeeds: 5 }],
  ] as Array<[string, Omit<SimulateSpec, 'runs' | 'seed'>]>)('%s stays small below the threshold T_c = 1/c', async (_name, spec) => {
    const { f } = await majorMean(spec, 60);
    expect(Math.max(...f)).toBeLessThan(0.005);
    // expected size from 5 seeds ~ 5 (1 + cT/(1-cT)) = 10 nodes
    const mean = (f.reduce((a, b) => a + b, 0) / f.length) * n;
    expect(mean).toBeGreaterThan(5);
    expect(mean).toBeLessThan(25);
  });
});
