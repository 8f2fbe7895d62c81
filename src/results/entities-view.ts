/** Entity pages: the entities a reader may see, by probability of infection or expected loss. */
import type { EntityRow } from './result-parts';
import type { Suppressed, SuppressionPlan } from './suppression';
import type { EntityCells, TopEntities } from './entity-index';
import { UNKNOWN } from '../graph/hierarchy';

/** `hiddenRows`: which rows `hidden` holds, by row (what a reader's every page would look up again). */
export function entitiesView(rows: EntityRow[], hidden: Suppressed<unknown>, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }, hiddenRows?: Uint8Array) {
  const isHidden = hiddenRows ? (_: EntityRow, i: number) => hiddenRows[i] === 1 : (r: EntityRow) => hidden.size > 0 && hidden.has(r.entityId);
  const shown = (r: EntityRow, i: number) => !isHidden(r, i) && (q.collateral === undefined || r.collateral === q.collateral);
  const key = q.sort === 'loss' ? (r: EntityRow) => r.expectedLossUsd : (r: EntityRow) => r.probabilityInfected.p;
  let total = 0;
  // Counted and ranked in one pass: no filtered copy of a million rows per request.
  const items = firstRows(rows, q.limit, (a, b) => key(b) - key(a) || (a.entityId < b.entityId ? -1 : 1), (r, i) => shown(r, i) && ++total > 0);
  return { total, items };
}

/**
 * The first `limit` rows to `keep` in `order`, as sorting them all would give, kept in a sorted list of
 * `limit` rows instead: a page of a million-entity assessment took 1.9 s to sort per request.
 */
function firstRows<T>(rows: readonly T[], limit: number, order: (a: T, b: T) => number, keep: (row: T, i: number) => boolean = () => true): T[] {
  const top: T[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!keep(r, i)) continue;
    if (top.length === limit && !(limit > 0 && order(r, top[limit - 1]) < 0)) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(top[mid], r) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, r);
    if (top.length > limit) top.pop();
  }
  return top;
}

/**
 * entitiesView from the first rows of each part in the page's order (entity-index.ts) instead of
 * all rows: `total` from the counts by cell (suppression leaves out whole cells), the page from
 * the lists merged in that order. Null when the rows the reader may see among them are fewer
 * than the page and more rows exist: then only all rows answer.
 */
export function entitiesTopView(top: TopEntities, cells: EntityCells, plan: SuppressionPlan, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }) {
  const parts = q.collateral === undefined ? (['collateral', 'intended'] as const) : q.collateral ? (['collateral'] as const) : (['intended'] as const);
  let total = 0;
  const all = { collateral: 0, intended: 0 };
  for (const c of cells.cells) {
    all.collateral += c.collateral;
    all.intended += c.intended;
    if (plan.size && plan.groupOf(c.country, c.sector)) continue;
    for (const p of parts) total += c[p];
  }
  const key = q.sort === 'loss' ? (r: EntityRow) => r.expectedLossUsd : (r: EntityRow) => r.probabilityInfected.p;
  const order = (a: EntityRow, b: EntityRow) => key(b) - key(a) || (a.entityId < b.entityId ? -1 : 1);
  const lists = parts.map((p) => ({ rows: top[p], at: 0, complete: top[p].length === all[p] }));
  const items: EntityRow[] = [];
  while (items.length < q.limit) {
    // The next row in the page's order: the first of the lists' heads. A list cut short has no
    // row after its last: past it the order is not known.
    let next: (typeof lists)[number] | undefined;
    for (const l of lists) {
      if (l.at === l.rows.length) {
        if (!l.complete) return null;
        continue;
      }
      if (!next || order(l.rows[l.at], next.rows[next.at]) < 0) next = l;
    }
    if (!next) break;
    const r = next.rows[next.at++];
    if (!(plan.size && plan.groupOf(r.country || UNKNOWN, r.sector || UNKNOWN))) items.push(r);
  }
  return { total, items };
}
