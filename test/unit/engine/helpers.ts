import { buildCsr, erdosRenyiEdges, prepareScenario, Rng, type ScenarioModel } from '../../../src/engine';
import type { DependencyRecord, EntityRecord, WeaponRecord } from '../../../src/domain/records';

/** G(n, m) with mean degree c, undirected. */
export function erGraph(n: number, c: number, seed: number) {
  const m = Math.round((n * c) / 2);
  const e = erdosRenyiEdges(n, m, new Rng(seed, 0, 99));
  return { graph: buildCsr({ n, src: e.src, dst: e.dst, undirected: true }), edges: e };
}

/** Large-outbreak final size on ER: S = 1 - exp(-c T S) (bisection). */
export function erFinalSize(c: number, T: number): number {
  if (c * T <= 1) return 0;
  let lo = 1e-12;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid - 1 + Math.exp(-c * T * mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Entities and bidirectional network dependencies over an ER graph. */
export function erScenario(n: number, c: number, seed: number): { entities: EntityRecord[]; dependencies: DependencyRecord[] } {
  const { edges } = erGraph(n, c, seed);
  const entities: EntityRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    name: `Node ${i}`,
    kind: 'organization',
    country: ['UA', 'DE', 'US'][i % 3],
    sector: i % 10 === 0 ? 'healthcare-and-public-health' : 'information-technology',
    hosts: 50,
    dailyValueUsd: 10_000,
    populationServed: 100,
    tags: ['windows'],
  }));
  const dependencies: DependencyRecord[] = [];
  for (let i = 0; i < edges.src.length; i++)
    dependencies.push({ sourceId: `n${edges.src[i]}`, targetId: `n${edges.dst[i]}`, kind: 'network', weight: 1, bidirectional: true });
  return { entities, dependencies };
}

export function weapon(T: { low: number; high: number }, extra: Partial<WeaponRecord> = {}): WeaponRecord {
  return {
    id: 'w',
    name: 'Test weapon',
    payload: 'wiper',
    vectors: { network: { transmissibility: T, delayHours: { low: 6, high: 48 } } },
    impact: { hostShare: { low: 0.2, high: 0.8 }, costPerHostUsd: { low: 300, high: 3000 }, downtimeDays: { low: 1, high: 10 } },
    ...extra,
  };
}

/** erScenario prepared for `w` with one confirmed report, at n0 on 27 June 2017 08:00 UTC. */
export function erModel(n: number, c: number, seed: number, w: WeaponRecord, horizonHours = 48): ScenarioModel {
  const { entities, dependencies } = erScenario(n, c, seed);
  return prepareScenario({
    entities,
    dependencies,
    weapon: w,
    reports: [{ weaponId: w.id, entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' }],
    horizonHours,
  });
}
