/** An entity page is the head of the rows in (key descending, id ascending) order, hidden rows left out. */
import { entitiesView } from '../../../src/results/entities-view';
import type { EntityRow } from '../../../src/results/result-parts';
import { Rng } from '../../../src/engine/prng';

function rows(n: number, rng: Rng): EntityRow[] {
  return Array.from({ length: n }, (_, i) => {
    // few distinct values, so ties are common and the id decides
    const p = Math.floor(rng.random() * 8) / 8;
    return {
      entityId: `e-${String(Math.floor(rng.random() * 1e6)).padStart(6, '0')}-${i}`, name: `E ${i}`, kind: 'organization', parentId: null, country: null, sector: null,
      protected: false, intended: i % 5 === 0, collateral: i % 5 !== 0, reported: false,
      probabilityInfected: { p, low: p, high: p } as EntityRow['probabilityInfected'], probabilityDisrupted: { p: 0, low: 0, high: 0 } as EntityRow['probabilityDisrupted'],
      expectedLossUsd: Math.floor(rng.random() * 5) * 1000,
    };
  });
}

describe('entitiesView', () => {
  it.each([
    ['probability', 0],
    ['loss', 1],
    ['probability', 7],
  ] as const)('gives the first rows of the full sort by %s (limits 0, 1, 10, 100, more than all)', (sort, seed) => {
    const rng = new Rng(seed);
    const all = rows(2000, rng);
    const hidden = new Map(all.filter((_, i) => i % 7 === 0).map((r) => [r.entityId, true]));
    const key = sort === 'loss' ? (r: EntityRow) => r.expectedLossUsd : (r: EntityRow) => r.probabilityInfected.p;
    for (const collateral of [undefined, true]) {
      const expected = all
        .filter((r) => !hidden.has(r.entityId) && (collateral === undefined || r.collateral === collateral))
        .sort((a, b) => key(b) - key(a) || (a.entityId < b.entityId ? -1 : 1));
      for (const limit of [0, 1, 10, 100, 5000]) {
        const page = entitiesView(all, hidden, { sort, limit, collateral });
        expect(page.total).toBe(expected.length);
        expect(page.items.map((r) => r.entityId)).toEqual(expected.slice(0, limit).map((r) => r.entityId));
      }
    }
  });
});
