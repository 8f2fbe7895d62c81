/**
 * Each placed row's organisation for the rollup: the walk to its top-level ancestor, on the rows
 * (topsOf) or on the stored parents by row (topsByParent), both through walkTops.
 */
import { topLevelAncestors } from '../graph/hierarchy';
import type { EntityRow } from './result-parts';
import { NO_PARENT, WITHHELD_PARENT } from './entity-index';
import { WITHHELD, type DecodedLinks } from './rollup-tree';

/**
 * Each placed row's top-level ancestor among the placed rows (and a `withheld` row when there is
 * one), as topLevelAncestors gives: the chain stops at a parent not placed, or on a cycle, and
 * rows are resolved in order (which fixes where a cycle is cut).
 */
export function topsOf(rows: readonly EntityRow[], placed: readonly number[], withWithheld: boolean): string[] {
  const index = new Map<string, number>();
  for (const i of placed) index.set(rows[i].entityId, i);
  const out: string[] = new Array(rows.length);
  if (index.size !== placed.length || index.has(WITHHELD)) {
    // Repeated ids, or an entity named like the withheld rows: topLevelAncestors itself.
    const parent = new Map<string, string | null>();
    for (const i of placed) parent.set(rows[i].entityId, rows[i].parentId ?? null);
    if (withWithheld) parent.set(WITHHELD, null);
    const top = topLevelAncestors([...parent].map(([id, parentId]) => ({ id, parentId })));
    for (const i of placed) out[i] = top.get(rows[i].entityId)!;
    return out;
  }
  return walkTops(rows.length, placed, out, (i) => {
    const p = rows[i].parentId;
    if (p === null || p === undefined) return ROOT;
    // The withheld rows have no parent: a chain reaching one ends there.
    if (withWithheld && p === WITHHELD) return TO_WITHHELD;
    return index.get(p) ?? ROOT;
  }, (i) => rows[i].entityId);
}

/** topsOf on the stored parents by row (entity-index.ts: ids unique, none named `withheld`). */
export function topsByParent(links: DecodedLinks, count: number, placed: readonly number[], withWithheld: boolean, rowOf: Map<string, number>): string[] {
  const { parent } = links;
  const isPlaced = new Uint8Array(count);
  for (const i of placed) isPlaced[i] = 1;
  return walkTops(count, placed, new Array<string>(count), (i) => {
    const j = parent[i];
    if (j === NO_PARENT) return ROOT;
    if (j === WITHHELD_PARENT) return withWithheld ? TO_WITHHELD : ROOT;
    return isPlaced[j] ? j : ROOT;
  }, (i) => {
    const id = links.id(i);
    rowOf.set(id, i);
    return id;
  });
}

/** walkTops' answers of `up` besides a parent's row. */
const ROOT = -1;
const TO_WITHHELD = -2;

/**
 * The walk behind topsOf and topsByParent: from each placed row (in order) up its parents until
 * a row already resolved, a root (`up` gives ROOT: no placed parent), the withheld rows
 * (TO_WITHHELD) or a cycle (cut where it closes); every row on the way gets that top, `idOf` of
 * the last row when the chain ends on it.
 */
function walkTops(count: number, placed: readonly number[], out: string[], up: (i: number) => number, idOf: (i: number) => string): string[] {
  const seen = new Int32Array(count);
  const chain: number[] = [];
  for (const start of placed) {
    if (out[start] !== undefined) continue;
    chain.length = 0;
    let i = start;
    let root: string;
    for (;;) {
      if (out[i] !== undefined) {
        root = out[i];
        break;
      }
      chain.push(i);
      seen[i] = start + 1;
      const j = up(i);
      if (j === TO_WITHHELD) {
        root = WITHHELD;
        break;
      }
      if (j === ROOT || seen[j] === start + 1) {
        root = idOf(i);
        break;
      }
      i = j;
    }
    for (const c of chain) out[c] = root;
  }
  return out;
}
