import { checkStable, denseInoperabilityMatrix, dynamicInoperability, IimWorkspace, inoperabilityMatrix, prepareScenario, Rng, solveInoperability, solveInoperabilitySparse, spectralRadius, UnstableDependencyMatrixError } from '../../../src/engine';
import { weapon } from './helpers';

describe('inoperability input-output model', () => {
  it('known answer: A* = [[0, 0.8], [0.2, 0]], c* = [0, 0.6] gives q = [0.571, 0.714]', () => {
    const q = solveInoperability(denseInoperabilityMatrix([[0, 0.8], [0.2, 0]]), [0, 0.6]);
    expect(q[0]).toBeCloseTo(0.571, 3);
    expect(q[1]).toBeCloseTo(0.714, 3);
  });

  it('known answer: A* = [[0.15, 0.5], [0.1, 0.05]], c* = [0, 0.1] gives q = [0.066, 0.112]; 100 DIIM steps converge to it', () => {
    const m = denseInoperabilityMatrix([[0.15, 0.5], [0.1, 0.05]]);
    const q = solveInoperability(m, [0, 0.1]);
    expect(q[0]).toBeCloseTo(0.066, 3);
    expect(q[1]).toBeCloseTo(0.112, 3);
    const d = dynamicInoperability(m, [0, 0.1], [0.2, 0.2], 100);
    expect(d[0]).toBeCloseTo(q[0], 3);
    expect(d[1]).toBeCloseTo(q[1], 3);
  });

  it('caps inoperability at 1', () => {
    const q = solveInoperability(denseInoperabilityMatrix([[0, 0.9], [0.9, 0]]), [0.9, 0.9]);
    expect(q[0]).toBe(1);
    expect(q[1]).toBe(1);
  });

  it('spectral radius of small matrices', () => {
    expect(spectralRadius(denseInoperabilityMatrix([[0, 0.8], [0.2, 0]]))).toBeCloseTo(0.4, 4);
    expect(spectralRadius(denseInoperabilityMatrix([[0.15, 0.5], [0.1, 0.05]]))).toBeCloseTo(0.1 + Math.sqrt(0.0025 + 0.05), 4);
    expect(spectralRadius(denseInoperabilityMatrix([[0, 1.2], [1, 0]]))).toBeCloseTo(Math.sqrt(1.2), 4);
  });

  it('prepareScenario refuses an unstable service-dependency matrix with a clear error', () => {
    const entities = ['a', 'b'].map((id) => ({ id, name: id, kind: 'organization', hosts: 1, dailyValueUsd: 1, populationServed: 1, tags: [] }));
    const dependencies = [
      { sourceId: 'a', targetId: 'b', kind: 'service' as const, weight: 1 },
      { sourceId: 'b', targetId: 'a', kind: 'service' as const, weight: 1 },
    ];
    const reports = [{ weaponId: 'w', entityId: 'a', observedAt: '2017-06-27T10:00:00Z', status: 'confirmed' as const, tlp: 'clear' as const }];
    expect(() => prepareScenario({ entities, dependencies, weapon: weapon({ low: 0.1, high: 0.2 }), reports })).toThrow(UnstableDependencyMatrixError);
    expect(() => prepareScenario({ entities, dependencies, weapon: weapon({ low: 0.1, high: 0.2 }), reports })).toThrow(/spectral radius 1\.0+ >= 1/);
  });

  it('the sparse (FIFO) and dense (node-order sweeps) paths reach the same fixed point', () => {
    const n = 4000;
    const rng = new Rng(8, 0, 0);
    const row: number[] = [];
    const col: number[] = [];
    const val: number[] = [];
    for (let k = 0; k < 3 * n; k++) {
      row.push(Math.floor(rng.random() * n));
      col.push(Math.floor(rng.random() * n));
      val.push(0.25 * rng.random());
    }
    const m = inoperabilityMatrix(n, row, col, val);
    const cNode: number[] = [];
    const cValue: number[] = [];
    for (let v = 0; v < n; v += 50) {
      cNode.push(v);
      cValue.push(0.3 + 0.7 * rng.random());
    }
    const a = new IimWorkspace(n);
    solveInoperabilitySparse(m, cNode, cValue, cNode.length, a, 1e-12); // 80 entries: FIFO path
    // the same c padded with zero entries above n/8: dense path
    const pad = n;
    const b = new IimWorkspace(n);
    solveInoperabilitySparse(m, [...cNode, ...new Array(pad).fill(0)], [...cValue, ...new Array(pad).fill(0)], cNode.length + pad, b, 1e-12);
    let maxd = 0;
    for (let v = 0; v < n; v++) maxd = Math.max(maxd, Math.abs(a.q[v] - b.q[v]));
    expect(maxd).toBeLessThan(1e-10);
    expect(new Set(Array.from(b.touched.subarray(0, b.touchedCount)))).toEqual(new Set(Array.from(a.touched.subarray(0, a.touchedCount))));
    expect(a.touchedCount).toBeGreaterThan(200);
  });

  it('spectral radius of reducible matrices: the largest component, sources and DAGs do not hide it', () => {
    // a DAG is nilpotent
    expect(spectralRadius(inoperabilityMatrix(4, [1, 2, 3], [0, 1, 2], [0.5, 0.5, 0.9]))).toBe(0);
    // a 2-cycle (rho 0.5) fed by a source node and feeding a self-loop of 0.2 (row i depends on column j)
    const m = inoperabilityMatrix(4, [1, 2, 1, 3, 3], [0, 1, 2, 2, 3], [0.3, 0.5, 0.5, 0.4, 0.2]);
    expect(spectralRadius(m)).toBeCloseTo(0.5, 3); // clearly stable: bounds within 1e-3 suffice
    // an unstable cycle (rho sqrt(1.2)) behind a source node is detected
    const bad = inoperabilityMatrix(3, [1, 2, 1], [0, 1, 2], [0.5, 1.2, 1]);
    expect(spectralRadius(bad)).toBeCloseTo(Math.sqrt(1.2), 6);
    expect(() => checkStable(bad)).toThrow(UnstableDependencyMatrixError);
  });
});
