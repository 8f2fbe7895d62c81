/**
 * The result views made for a million entities (issue 16) answer what they answered before
 * (reference-views.ts, the views at 76a970c), to the last bit: the rollup at every order and
 * subset of levels, of each part, for readers with and without hidden entities; suppression
 * groups; entity pages; the early warning read through the rows it names. And the rollup's page
 * of organisations shows, of each group, the organisations with the largest expected loss,
 * each exactly as the whole rollup shows it.
 */
import type { HierarchyLevel } from '../../../src/graph/hierarchy';
import type { EntityRow, WarningData } from '../../../src/results/result-parts';
import { earlyWarningView, warningRows } from '../../../src/results/early-warning-view';
import { entitiesView } from '../../../src/results/entities-view';
import { rollupView, type RollupMemo, type RollupNode, type RollupPart } from '../../../src/results/rollup-view';
import { suppressionFor } from '../../../src/results/suppression';
import { referenceEarlyWarningView, referenceEntitiesView, referenceRollupView, referenceSuppressionFor } from './reference-views';
import { world } from './worlds';

const LEVELS: HierarchyLevel[][] = [
  [], ['country'], ['sector'], ['organization'], ['country', 'sector'], ['sector', 'country'], ['country', 'sector', 'organization'],
  ['organization', 'country'], ['sector', 'organization', 'country'], ['organization', 'sector', 'country'],
];
const PARTS: RollupPart[] = ['total', 'collateral', 'intended'];

function nodes(root: RollupNode): Map<string, RollupNode> {
  const out = new Map<string, RollupNode>();
  const walk = (n: RollupNode) => {
    out.set(n.id, n);
    n.children?.forEach(walk);
  };
  walk(root);
  return out;
}

describe('indexed result views equal the views before issue 16', () => {
  const cases = [
    // hiddenEvery: every so many entities is hidden from the reader (0: none).
    { seed: 1, n: 300, hiddenEvery: 0 },
    { seed: 2, n: 300, hiddenEvery: 100 },
    { seed: 3, n: 120, hiddenEvery: 20 },
    { seed: 4, n: 40, hiddenEvery: 20 },
    { seed: 5, n: 2000, hiddenEvery: 500 },
  ];

  const every = (rows: EntityRow[], k: number) => new Set(rows.filter((_, i) => k > 0 && i % k === 3).map((r) => r.entityId));

  it.each(cases)('suppression groups (seed $seed, $n entities)', ({ seed, n, hiddenEvery }) => {
    const { rows } = world(seed, n);
    const hidden = new Set([...every(rows, hiddenEvery || 100), 'not-an-entity']);
    const ours = suppressionFor(rows, hidden);
    const theirs = referenceSuppressionFor(rows, hidden);
    expect(ours.size).toBeGreaterThan(0);
    expect(new Map([...ours].sort())).toEqual(new Map([...theirs].sort()));
  });

  it.each(cases)('rollup at every order of levels and part, to the last bit (seed $seed, $n entities)', ({ seed, n, hiddenEvery }) => {
    const { rows, groups } = world(seed, n);
    const hidden = suppressionFor(rows, every(rows, hiddenEvery));
    const memo: RollupMemo = {};
    for (const levels of LEVELS) {
      for (const part of PARTS) {
        const theirs = JSON.stringify(referenceRollupView(rows, groups, levels, hidden, { part }));
        // Twice: the second reuses what the first kept in the memo.
        expect(JSON.stringify(rollupView(rows, groups, levels, hidden, { part, memo }))).toBe(theirs);
        expect(JSON.stringify(rollupView(rows, groups, levels, hidden, { part, memo }))).toBe(theirs);
        // A page holding every organisation is the whole rollup.
        expect(JSON.stringify(rollupView(rows, groups, levels, hidden, { part, organizations: { limit: n, offset: 0 } }))).toBe(theirs);
      }
    }
    if (hiddenEvery) expect(JSON.stringify(rollupView(rows, groups, ['country', 'sector', 'organization'], hidden)).includes('"withheld":true')).toBe(true);
  });

  it.each([1, 3])('a page of organisations: the top by expected loss of each group, each as in the whole rollup (limit %i)', (limit) => {
    const { rows, groups, rand } = world(7, 600);
    const hidden = suppressionFor(rows, new Set(rows.filter(() => rand() < 0.01).map((r) => r.entityId)));
    for (const levels of [['country', 'sector', 'organization'], ['organization'], ['organization', 'country'], ['country', 'organization', 'sector']] as HierarchyLevel[][]) {
      const whole = nodes(rollupView(rows, groups, levels, hidden));
      let paged = 0;
      for (const offset of [0, limit, 1000]) {
        const page = rollupView(rows, groups, levels, hidden, { organizations: { limit, offset } });
        for (const node of nodes(page).values()) {
          if (node.level === 'others') continue;
          const full = whole.get(node.id)!;
          const { children, organizations, ...own } = node;
          const { children: allChildren, ...fullOwn } = full;
          expect(own).toEqual(fullOwn);
          if (!organizations) {
            expect(children?.map((c) => c.id)).toEqual(allChildren?.map((c) => c.id));
            continue;
          }
          paged++;
          const organisations = allChildren!.filter((c) => c.key !== 'withheld');
          const ranked = [...organisations].sort((a, b) => b.expected.lossUsd - a.expected.lossUsd || (a.key < b.key ? -1 : 1));
          const expected = ranked.slice(offset, offset + limit);
          const listed = children!.filter((c) => c.level === 'organization' && c.key !== 'withheld');
          expect(new Set(listed.map((c) => c.id))).toEqual(new Set(expected.map((c) => c.id)));
          expect(listed.map((c) => c.key)).toEqual([...listed.map((c) => c.key)].sort());
          // A withheld node is listed on every page, outside the page's count.
          expect(children!.filter((c) => c.key === 'withheld').map((c) => c.id)).toEqual(allChildren!.filter((c) => c.key === 'withheld').map((c) => c.id));
          expect(organizations).toEqual({ total: organisations.length, left: Math.max(0, organisations.length - offset - expected.length) });
          // Shown organisations and everything below them are as in the whole rollup.
          for (const c of children!.filter((x) => x.level !== 'others')) expect(c).toEqual(whole.get(c.id));
          // The rest in one `others` node, last: children still sum to their parent.
          const rest = organisations.filter((c) => !expected.includes(c));
          const others = children!.filter((c) => c.level === 'others');
          expect(others.length).toBe(rest.length ? 1 : 0);
          if (rest.length) {
            expect(children![children!.length - 1]).toBe(others[0]);
            expect(others[0]).toMatchObject({ id: `${node.id}/others`, key: 'others', others: rest.length, count: rest.reduce((a, c) => a + c.count, 0) });
          }
          for (const k of ['entitiesInfected', 'entitiesDisrupted', 'lossUsd'] as const) {
            expect(children!.reduce((a, c) => a + c.expected[k], 0)).toBeCloseTo(node.expected[k], 6);
          }
          expect(children!.reduce((a, c) => a + c.count, 0)).toBe(node.count);
        }
      }
      expect(paged).toBeGreaterThan(0);
    }
  });

  it('entity pages', () => {
    const { rows, rand } = world(8, 1500);
    const hidden = suppressionFor(rows, new Set(rows.filter(() => rand() < 0.004).map((r) => r.entityId)));
    expect(hidden.size).toBeGreaterThan(0);
    const hiddenRows = Uint8Array.from(rows, (r) => (hidden.has(r.entityId) ? 1 : 0));
    for (const sort of ['probability', 'loss'] as const) {
      for (const collateral of [undefined, true, false]) {
        for (const limit of [1, 50, 5000]) {
          const theirs = referenceEntitiesView(rows, hidden, { sort, collateral, limit });
          expect(entitiesView(rows, hidden, { sort, collateral, limit })).toEqual(theirs);
          expect(entitiesView(rows, hidden, { sort, collateral, limit }, hiddenRows)).toEqual(theirs);
        }
      }
    }
  });

  it('the early warning, read through the rows it names', () => {
    const { rows, rand } = world(9, 1500);
    const hidden = suppressionFor(rows, new Set(rows.filter(() => rand() < 0.004).map((r) => r.entityId)));
    const pickRow = () => rows[Math.floor(rand() * rows.length)];
    const window = (withinHours: number) => ({
      withinHours,
      entities: Array.from({ length: 80 }, () => {
        const r = pickRow();
        const p = rand();
        return { entityId: r.entityId, name: r.name, country: r.country, sector: r.sector, probability: { p, low: p / 2, high: p }, path: [pickRow().entityId, 'gone', r.entityId] };
      }),
    });
    const w: WarningData = { asOf: '2026-12-01T00:00:00.000Z', windows: [window(24), window(72), window(168)] };
    const named = warningRows(w, rows);
    expect(named.size).toBeLessThan(rows.length);
    for (const withinHours of [1, 24, 48, 168, 500]) {
      for (const collateral of [undefined, true, false]) {
        const only = collateral === false ? new Set(rows.slice(0, 700).map((r) => r.entityId)) : undefined;
        const theirs = referenceEarlyWarningView(w, rows, hidden, withinHours, 50, collateral, only);
        expect(earlyWarningView(w, named, hidden, withinHours, 50, collateral, only)).toEqual(theirs);
        expect(earlyWarningView(w, rows, hidden, withinHours, 50, collateral, only)).toEqual(theirs);
      }
    }
  });
});
