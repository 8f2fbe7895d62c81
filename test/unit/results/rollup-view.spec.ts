/**
 * The rollup view of results stored before groups had parts (first-level totals only): a part's
 * rollup still shows ranges on groups that hold only that part, and none on mixed groups.
 */
import type { EntityRow } from '../../../src/results/result-parts';
import type { GroupStat, Range } from '../../../src/results/result-types';
import { rollupView, type RollupNode } from '../../../src/results/rollup-view';

const R = (v: number): Range => ({ mean: v, median: v, low: v / 2, high: v * 2, level: 0.9 });
const P = (p: number) => ({ p, low: p, high: p });
const row = (id: string, country: string, sector: string, intended: boolean): EntityRow => ({
  entityId: id, name: id, kind: 'organization', parentId: null, country, sector, protected: false, intended, collateral: !intended, reported: false,
  probabilityInfected: P(0.5), probabilityDisrupted: P(0), expectedLossUsd: 100,
});
const stat = (key: string, v: number): GroupStat => ({ key, entitiesInfected: R(v), entitiesDisrupted: R(0), lossUsd: R(v * 100), populationAffected: R(0) });
const find = (n: RollupNode, key: string): RollupNode => n.children!.find((c) => c.key === key)!;

describe('rollupView on results stored before parts', () => {
  // DE: collateral only; UA: mixed. Old results: `country:DE`, `country:UA` totals, nothing else.
  const rows = [row('a', 'DE', 'energy', false), row('b', 'DE', 'finance', false), row('c', 'UA', 'energy', true), row('d', 'UA', 'energy', false)];
  const old = { 'country:DE': stat('DE', 1), 'country:UA': stat('UA', 2) };

  it('a single-part group keeps its (total) ranges in that part\'s rollup; a mixed one has none', () => {
    const coll = rollupView(rows, old, ['country', 'sector'], new Map(), { part: 'collateral' });
    expect(find(coll, 'DE').ranges).toEqual(old['country:DE']);
    expect(find(coll, 'UA').ranges).toBeNull();
    // nested groups were never stored then
    expect(find(find(coll, 'DE'), 'energy').ranges).toBeNull();
    const intended = rollupView(rows, old, ['country', 'sector'], new Map(), { part: 'intended' });
    expect(find(intended, 'UA').ranges).toBeNull();
    expect(intended.children!.map((c) => c.key)).toEqual(['UA']);
  });

  it('new results use their own part entries, not the fallback', () => {
    const fresh = { ...old, 'collateral/country:DE': stat('DE', 7), 'collateral/country:UA': stat('UA', 3) };
    const coll = rollupView(rows, fresh, ['country', 'sector'], new Map(), { part: 'collateral' });
    expect(find(coll, 'DE').ranges).toEqual(fresh['collateral/country:DE']);
    expect(find(coll, 'UA').ranges).toEqual(fresh['collateral/country:UA']);
  });
});
