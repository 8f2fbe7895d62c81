/**
 * Parent cycles in stored rows. Ingestion refuses them (src/domain/rules/entity.ts checkEntitySet
 * for a batch, EntitiesService.update for a new parent), so no test world has one; the rollup's
 * walk to each row's organisation (rollup-tops.ts walkTops, behind topsOf on the rows and
 * topsByParent on the stored columns, ranked-tree.ts topRows on row numbers with the stored key
 * ranks) still cuts a cycle where it closes, as topLevelAncestors does, because a result outlives
 * the rules it was stored under. Reads of parents are counted:
 * a walk that does not end fails the test instead of hanging it.
 */
import { topLevelAncestors, type HierarchyLevel } from '../../../src/graph/hierarchy';
import { cellCountsOf, decodeColumns, decodeKeyRanks, decodeLinks, entityIndexParts } from '../../../src/results/entity-index';
import { TOP_WITHHELD, topRows } from '../../../src/results/ranked-tree';
import type { EntityRow } from '../../../src/results/result-parts';
import type { Summary } from '../../../src/results/result-types';
import { columnsSource, rowsSource, WITHHELD, type RollupPart, type RollupSource } from '../../../src/results/rollup-tree';
import { rollupViewOf } from '../../../src/results/rollup-view';
import { suppressionFor, suppressionPlan } from '../../../src/results/suppression';
import { referenceRollupView } from './reference-views';
import { world } from './worlds';

const PARTS: RollupPart[] = ['total', 'collateral', 'intended'];
const LEVELS: HierarchyLevel[][] = [['organization'], ['country', 'sector', 'organization'], ['organization', 'country']];
const P = (p: number) => ({ p, low: p, high: p });

const row = (entityId: string, parentId: string | null, collateral = true): EntityRow => ({
  entityId, name: `Entity ${entityId}`, kind: parentId ? 'site' : 'organization', parentId, country: 'UA', sector: 'energy', protected: false,
  intended: !collateral, collateral, reported: false, probabilityInfected: P(0.5), probabilityDisrupted: P(0.1), expectedLossUsd: 1000,
});

/** Reads of parents allowed per view: walkTops reads each row's parent at most once, the reference once. */
const readsAllowed = (n: number) => 10 * n;
const runaway = () => new Error('the walk to the organisations does not end (a parent cycle not cut)');

/** Copies of the rows whose parentId reads are counted against a budget, reset by `fresh`. */
function counted(rows: readonly EntityRow[]) {
  let left = 0;
  const out = rows.map((r) => {
    const { parentId, ...rest } = r;
    return Object.defineProperty({ ...rest }, 'parentId', {
      enumerable: true,
      get: () => {
        if (--left < 0) throw runaway();
        return parentId;
      },
    }) as EntityRow;
  });
  return { rows: out, fresh: () => void (left = readsAllowed(rows.length)) };
}

/** The stored columns and links of the rows (entity-index.ts), the links' parents counted like `counted`'s. */
function stored(rows: readonly EntityRow[]) {
  const index = entityIndexParts({ entities: [...rows], earlyWarning: { asOf: '2026-12-01T00:00:00.000Z', windows: [] }, summary: { protectedHits: [] } as unknown as Summary, restricted: {} })!;
  const links = decodeLinks(index.entityLinks, index.entityIds, index.entityNames);
  let left = 0;
  const parent = new Proxy(links.parent, {
    get: (t, k) => {
      if (typeof k === 'string' && /^\d+$/.test(k) && --left < 0) throw runaway();
      return Reflect.get(t, k);
    },
  });
  /**
   * The columns source for a reader who may not see `hidden` (their cells' suppression groups are
   * left out); `ranked`: with the organisations' key ranks (ranked-tree.ts), else by keys.
   */
  const source = (hidden: ReadonlySet<string> = new Set(), ranked = false): RollupSource => {
    left = readsAllowed(rows.length);
    const cells = index.entityCells;
    const hiddenCells = rows.filter((r) => hidden.has(r.entityId)).map((r) => [r.country || 'unknown', r.sector || 'unknown'] as const);
    const keyRanks = ranked ? decodeKeyRanks(index.entityKeyRanks) : undefined;
    return columnsSource(decodeColumns(index.entityColumns), cells, suppressionPlan(cellCountsOf(cells), hiddenCells), { ...links, parent, keyRanks });
  };
  /** topRows on the counted parents, as ids (`withheld` for TOP_WITHHELD). */
  const tops = (placed: number[], withWithheld: boolean) => {
    left = readsAllowed(rows.length);
    const out = topRows(parent, rows.length, placed, withWithheld);
    return new Map(placed.map((i) => [i, out[i] === TOP_WITHHELD ? WITHHELD : rows[out[i]].entityId]));
  };
  return { source, tops };
}

/** topLevelAncestors over the placed rows (and a `withheld` row): what walkTops must give. */
function expectedTops(rows: readonly EntityRow[], placed: readonly number[], withWithheld: boolean): Map<number, string> {
  const parents = placed.map((i) => ({ id: rows[i].entityId, parentId: rows[i].parentId }));
  if (withWithheld) parents.push({ id: WITHHELD, parentId: null });
  const top = topLevelAncestors(parents);
  return new Map(placed.map((i) => [i, top.get(rows[i].entityId)!]));
}

const topsBy = (source: RollupSource, placed: number[], withWithheld: boolean) => {
  const tops = source.organizations(placed, withWithheld);
  return new Map(placed.map((i) => [i, tops[i]]));
};

describe('the rollup\'s organisations over parent cycles', () => {
  // s2 > s1 > c2 > c1 > c3 > c2: a chain into a 3-cycle, met first from its foot. x its own parent.
  // p and q each other's parent, q intended. h1 and h2 each other's parent, h2 in another cell.
  // w below the withheld rows. r a plain organisation with a site t.
  const fixture = [
    row('s2', 's1'), row('s1', 'c2'), row('c1', 'c3'), row('c2', 'c1'), row('c3', 'c2'), row('x', 'x'),
    row('p', 'q'), row('q', 'p', false), row('h1', 'h2'), { ...row('h2', 'h1'), country: 'DE' }, row('w', WITHHELD), row('r', null), row('t', 'r'),
  ];
  const ids = fixture.map((r) => r.entityId);
  const all = fixture.map((_, i) => i);
  const topsOfIds = (tops: Map<number, string>) => Object.fromEntries([...tops].map(([i, top]) => [ids[i], top]));

  it('a cycle is cut where it closes: its members and the rows below it share the last member reached', () => {
    const { rows, fresh } = counted(fixture);
    const columns = stored(fixture);
    const expected = {
      s2: 'c3', s1: 'c3', c1: 'c3', c2: 'c3', c3: 'c3', x: 'x', p: 'q', q: 'q', h1: 'h2', h2: 'h2', w: WITHHELD, r: 'r', t: 'r',
    };
    fresh();
    expect(topsOfIds(topsBy(rowsSource(rows, new Map()), all, true))).toEqual(expected);
    expect(topsOfIds(topsBy(columns.source(), all, true))).toEqual(expected);
    expect(topsOfIds(columns.tops(all, true))).toEqual(expected);
    expect(topsOfIds(expectedTops(fixture, all, true))).toEqual(expected);
    // Without withheld rows, w's parent is no row: w is its own organisation.
    fresh();
    expect(topsOfIds(topsBy(rowsSource(rows, new Map()), all, false))).toEqual({ ...expected, w: 'w' });
    expect(topsOfIds(topsBy(columns.source(), all, false))).toEqual({ ...expected, w: 'w' });
    expect(topsOfIds(columns.tops(all, false))).toEqual({ ...expected, w: 'w' });
  });

  it('where the walk enters a cycle fixes where it is cut, as topLevelAncestors: in row order, any order', () => {
    const columns = stored(fixture);
    const orders = [all, [...all].reverse(), [3, 0, 4, 2, 1, 7, 6, 5, 9, 8, 12, 11, 10], [4, 2, 3]];
    for (const placed of orders) {
      for (const withWithheld of [false, true]) {
        // rowsSource and the stored columns walk the placed rows in the order given.
        const { rows, fresh } = counted(fixture);
        fresh();
        expect(topsBy(rowsSource(rows, new Map()), placed, withWithheld)).toEqual(expectedTops(fixture, placed, withWithheld));
        expect(topsBy(columns.source(), placed, withWithheld)).toEqual(expectedTops(fixture, placed, withWithheld));
        expect(columns.tops(placed, withWithheld)).toEqual(expectedTops(fixture, placed, withWithheld));
      }
    }
  });

  it('a cycle through a row not placed (another part, a hidden row) ends at the row before it', () => {
    const columns = stored(fixture);
    const { rows, fresh } = counted(fixture);
    // The collateral part: q (intended) is not placed, so p is its own organisation.
    const collateral = all.filter((i) => fixture[i].collateral);
    fresh();
    expect(topsOfIds(topsBy(rowsSource(rows, new Map()), collateral, false))).toMatchObject({ p: 'p', c2: 'c3' });
    expect(topsOfIds(topsBy(columns.source(), collateral, false))).toMatchObject({ p: 'p', c2: 'c3' });
    expect(topsOfIds(columns.tops(collateral, false))).toMatchObject({ p: 'p', c2: 'c3' });
    // h2 not placed (hidden from the reader): h1 is its own organisation.
    const placed = all.filter((i) => ids[i] !== 'h2');
    fresh();
    expect(topsOfIds(topsBy(rowsSource(rows, new Map()), placed, true))).toMatchObject({ h1: 'h1' });
    expect(topsOfIds(topsBy(columns.source(), placed, true))).toMatchObject({ h1: 'h1' });
    expect(topsOfIds(columns.tops(placed, true))).toMatchObject({ h1: 'h1' });
  });

  it.each([
    { seed: 21, n: 300, hiddenEvery: 0 },
    { seed: 22, n: 300, hiddenEvery: 60 },
    { seed: 23, n: 300, hiddenEvery: 100 },
  ])('the rollup down to organisations over a world with cycles equals the views before issue 16 (seed $seed, $n entities)', ({ seed, n, hiddenEvery }) => {
    const { rows: plain, groups } = world(seed, n);
    // Cycles among organisations (their sites below them): a 3-cycle, a 2-cycle across parts, a row its own parent.
    plain[1].parentId = 'e2';
    plain[2].parentId = 'e3';
    plain[3].parentId = 'e1';
    plain[5].parentId = 'e6';
    plain[6].parentId = 'e5';
    plain[6].collateral = !plain[5].collateral;
    plain[6].intended = !plain[6].collateral;
    plain[8].parentId = 'e8';
    expect(plain.filter((r) => ['e1', 'e2', 'e3'].includes(r.parentId!)).length).toBeGreaterThan(3);
    const hiddenIds = new Set(plain.filter((_, i) => hiddenEvery > 0 && i % hiddenEvery === 3).map((r) => r.entityId));
    const { rows, fresh } = counted(plain);
    const columns = stored(plain);
    const hidden = suppressionFor(plain, hiddenIds);
    expect(hidden.size > 0).toBe(hiddenEvery > 0);
    if (!hidden.size) {
      // The 3-cycle is one organisation, named by one of its members; the others are not organisations.
      const tops = expectedTops(plain, plain.map((_, i) => i), false);
      const top = tops.get(1)!;
      expect([tops.get(2), tops.get(3)]).toEqual([top, top]);
      expect(['e1', 'e2', 'e3']).toContain(top);
      fresh();
      const keys = rollupViewOf(rowsSource(rows, hidden), groups, ['organization']).children!.map((c) => c.key);
      expect(['e1', 'e2', 'e3'].filter((k) => keys.includes(k))).toEqual([top]);
    }
    for (const levels of LEVELS) {
      for (const part of PARTS) {
        fresh();
        const theirs = JSON.stringify(referenceRollupView(rows, groups, levels, hidden, { part }));
        fresh();
        expect(JSON.stringify(rollupViewOf(rowsSource(rows, hidden), groups, levels, { part }))).toBe(theirs);
        expect(JSON.stringify(rollupViewOf(columns.source(hiddenIds), groups, levels, { part }))).toBe(theirs);
        expect(JSON.stringify(rollupViewOf(columns.source(hiddenIds, true), groups, levels, { part }))).toBe(theirs);
        expect(JSON.stringify(rollupViewOf(columns.source(hiddenIds, true), groups, levels, { part, organizations: { limit: 2, offset: 1 } }))).toBe(
          JSON.stringify(rollupViewOf(rowsSource(rows, hidden), groups, levels, { part, organizations: { limit: 2, offset: 1 } })),
        );
      }
    }
  });
});
