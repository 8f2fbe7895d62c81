/**
 * The rollup's tree down to organisations from the stored columns with the organisations' key
 * ranks (entity-index.ts EntityKeyRanks): each placed row's organisation as a row number, its
 * leaf's keys as numbers in key order, the rows sorted by them in a few counting passes, and
 * the tree built in one pass in the order d3 sorts it. The same tree, to the last bit, as
 * rollupTree builds by keys: no map of strings per leaf, no sort of 300,000 leaves by their
 * keys (most of a cold read down to organisations at a million entities).
 */
import { UNKNOWN, type HierarchyLevel } from '../graph/hierarchy';
import { NO_PARENT, WITHHELD_PARENT } from './entity-index';
import { treeNode, WITHHELD, type TreeNode } from './rollup-tree';

/** What the ranked tree reads besides the rows' values (rollup-tree.ts columnsSource). */
export interface RankedOrganizations {
  /** Parent row by row (NO_PARENT, WITHHELD_PARENT). */
  parent: Int32Array;
  /** Each row's rank as an organisation's key, the rank of `withheld`, how many ranks. */
  keyRanks: { rank: Int32Array; withheld: number; size: number };
  id(i: number): string;
  /** Each row's cell, and each cell's country and sector. */
  cell: Uint32Array;
  cells: ReadonlyArray<{ country: string; sector: string }>;
}

/** Organisation leaves of a whole tree as columns, numbered in the tree's order (each parent's in key order). */
export interface LeafColumns {
  infected: Float64Array;
  disrupted: Float64Array;
  loss: Float64Array;
  entities: Float64Array;
  key(leaf: number): string;
  /** TreeNode.row of the leaf's node. */
  row(leaf: number): number | undefined;
}

/** A node's organisation leaves: numbers [start, end) of the columns; `withheld`: the number of its withheld leaf, -1 if none. */
export interface Leaves {
  columns: LeafColumns;
  start: number;
  end: number;
  withheld: number;
  /** The leaves made nodes so far, by number. */
  nodes?: Map<number, TreeNode>;
  /** The leaves but the withheld one by expected loss (ties in key order), once a page was asked for. */
  byLoss?: Int32Array;
}

/** The node of leaf `k` of `parent` (made once): as rollupTree's leaf, sums and all. */
export function leafNode(parent: TreeNode, k: number): TreeNode {
  const leaves = parent.leaves!;
  let node = leaves.nodes?.get(k);
  if (!node) {
    const { columns } = leaves;
    const key = columns.key(k);
    node = treeNode(`${parent.id}/organization:${key}`, 'organization', key);
    node.sums.entitiesInfected = columns.infected[k];
    node.sums.entitiesDisrupted = columns.disrupted[k];
    node.sums.lossUsd = columns.loss[k];
    node.sums.entities = columns.entities[k];
    node.row = columns.row(k);
    (leaves.nodes ??= new Map()).set(k, node);
  }
  return node;
}

/** The leaves but the withheld one, by expected loss (the largest first), ties in key order: the order pages are cut in. */
export function leavesByLoss(leaves: Leaves): Int32Array {
  if (leaves.byLoss) return leaves.byLoss;
  const { start, end, withheld, columns } = leaves;
  const out = new Int32Array(end - start - (withheld >= 0 ? 1 : 0));
  let n = 0;
  for (let k = start; k < end; k++) if (k !== withheld) out[n++] = k;
  const loss = columns.loss;
  // Leaf numbers are in key order: the tie-break of rollup-view.ts's order by loss.
  out.sort((a, b) => loss[b] - loss[a] || a - b);
  return (leaves.byLoss = out);
}

/** A withheld row of rollupTree: its country and sector (a key or `withheld`), sums and entities. */
export interface WithheldRow {
  country: string | null;
  sector: string | null;
  values: { entitiesInfected: number; entitiesDisrupted: number; lossUsd: number };
  entities?: number;
}

/** topRows' top of a chain that reaches the withheld rows. */
export const TOP_WITHHELD = -2;

/**
 * Each placed row's top-level ancestor among the placed rows as a row number (TOP_WITHHELD: the
 * withheld rows, when there are some), -1 for rows not placed: topsByParent's walk (rollup-tree.ts)
 * on numbers, rows resolved in order, a cycle cut where it closes.
 */
export function topRows(parent: Int32Array, count: number, placed: readonly number[], withWithheld: boolean): Int32Array {
  const isPlaced = new Uint8Array(count);
  for (const i of placed) isPlaced[i] = 1;
  const out = new Int32Array(count).fill(-1);
  const seen = new Int32Array(count);
  const chain = new Int32Array(count);
  for (const start of placed) {
    if (out[start] !== -1) continue;
    let length = 0;
    let i = start;
    let root: number;
    for (;;) {
      if (out[i] !== -1) {
        root = out[i];
        break;
      }
      chain[length++] = i;
      seen[i] = start + 1;
      const j = parent[i];
      if (j === WITHHELD_PARENT && withWithheld) {
        root = TOP_WITHHELD;
        break;
      }
      if (j === NO_PARENT || j === WITHHELD_PARENT || !isPlaced[j] || seen[j] === start + 1) {
        root = i;
        break;
      }
      i = j;
    }
    for (let k = 0; k < length; k++) out[chain[k]] = root;
  }
  return out;
}

/** Ranks of strings in key order (the `<` of d3's sort, as sumUp's). */
function ranksOf(keys: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  [...new Set(keys)].sort().forEach((k, i) => out.set(k, i));
  return out;
}

/**
 * The tree of rollupTree for levels that include `organization`: the placed rows (in row order)
 * then the withheld rows summed into their leaves in that order, each node's children in key
 * order, sums added up as sumUp adds them. `tops`: topRows of the placed rows. Organisation
 * nodes carry the row whose id is their key (-1: none), where their name is read.
 */
export function rankedTree(
  source: RankedOrganizations & { infected: Float64Array; disrupted: Float64Array; loss: Float64Array },
  levels: readonly HierarchyLevel[],
  placed: readonly number[],
  withheld: readonly WithheldRow[],
  tops: Int32Array,
): TreeNode {
  const { cell, cells, keyRanks, id } = source;
  const p = placed.length;
  const m = p + withheld.length;
  // Country and sector keys by rank: those of the cells, and `withheld` (a withheld row's).
  const countryRank = ranksOf([...cells.map((c) => c.country), WITHHELD]);
  const sectorRank = ranksOf([...cells.map((c) => c.sector), WITHHELD]);
  const byRank = (ranks: Map<string, number>) => {
    const out: string[] = [];
    for (const [k, r] of ranks) out[r] = k;
    return out;
  };
  const countryOfCell = Int32Array.from(cells, (c) => countryRank.get(c.country)!);
  const sectorOfCell = Int32Array.from(cells, (c) => sectorRank.get(c.sector)!);
  const orgRank = (top: number) => (top === TOP_WITHHELD ? keyRanks.withheld : keyRanks.rank[top]);
  const organizationKey = (top: number) => (top === TOP_WITHHELD ? WITHHELD : id(top) || UNKNOWN);

  // Each item's key (rank) at each level: items are the placed rows in order, then the withheld rows.
  const keys = levels.map((l): { key: Int32Array; size: number; name: (item: number) => string } => {
    const key = new Int32Array(m);
    if (l === 'organization') {
      for (let k = 0; k < p; k++) key[k] = orgRank(tops[placed[k]]);
      key.fill(keyRanks.withheld, p);
      return { key, size: keyRanks.size, name: (item) => (item >= p ? WITHHELD : organizationKey(tops[placed[item]])) };
    }
    const ranks = l === 'country' ? countryRank : sectorRank;
    const ofCell = l === 'country' ? countryOfCell : sectorOfCell;
    for (let k = 0; k < p; k++) key[k] = ofCell[cell[placed[k]]];
    for (let k = p; k < m; k++) key[k] = ranks.get(withheld[k - p][l] || UNKNOWN)!;
    const names = byRank(ranks);
    return { key, size: names.length, name: (item) => names[key[item]] };
  });

  // Items sorted by their keys, level by level (the last first, each pass stable): in key order, and in item order within a leaf.
  let order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  let next = new Int32Array(m);
  for (let d = levels.length - 1; d >= 0; d--) {
    const { key, size } = keys[d];
    const start = new Int32Array(size + 1);
    for (let k = 0; k < m; k++) start[key[k] + 1]++;
    for (let r = 0; r < size; r++) start[r + 1] += start[r];
    for (let k = 0; k < m; k++) {
      const item = order[k];
      next[start[key[item]]++] = item;
    }
    [order, next] = [next, order];
  }

  // With organisations the last level, the leaves are columns (Leaves), not a node each: nodes
  // are made for the organisations shown (rollup-view.ts), a page of each group.
  const depth = levels.length;
  const columnar = levels[depth - 1] === 'organization';
  const nodeDepth = columnar ? depth - 1 : depth;
  const changedAt = (item: number, previous: number) => {
    let d = 0;
    if (previous >= 0) while (d < depth && keys[d].key[item] === keys[d].key[previous]) d++;
    return d;
  };
  let leafCount = 0;
  if (columnar) for (let k = 0; k < m; k++) if (changedAt(order[k], k > 0 ? order[k - 1] : -1) < depth) leafCount++;
  const leafItem = new Int32Array(leafCount);
  const columns: LeafColumns = {
    infected: new Float64Array(leafCount),
    disrupted: new Float64Array(leafCount),
    loss: new Float64Array(leafCount),
    entities: new Float64Array(leafCount),
    key: (k) => keys[depth - 1].name(leafItem[k]),
    row: (k) => organizationRow(leafItem[k], columns.key(k)),
  };

  const root = treeNode('world', 'world', 'world');
  // The node at each depth of the current item's path.
  const path: TreeNode[] = [root];
  let previous = -1;
  let leaf = -1;
  for (let k = 0; k < m; k++) {
    const item = order[k];
    const d = changedAt(item, previous);
    for (let e = d; e < nodeDepth; e++) {
      const parentNode = path[e];
      const level = levels[e];
      const key = keys[e].name(item);
      const node = treeNode(`${parentNode.id}/${level}:${key}`, level, key);
      if (level === 'organization') node.row = organizationRow(item, key);
      (parentNode.children ??= []).push(node);
      path[e + 1] = node;
    }
    let a: number, b: number, c: number, entities: number;
    if (item < p) {
      const i = placed[item];
      a = source.infected[i];
      b = source.disrupted[i];
      c = source.loss[i];
      entities = 1;
    } else {
      const w = withheld[item - p];
      a = w.values.entitiesInfected;
      b = w.values.entitiesDisrupted;
      c = w.values.lossUsd;
      entities = w.entities!;
    }
    if (columnar) {
      if (d < depth) {
        leafItem[++leaf] = item;
        const parentNode = path[nodeDepth];
        if (!parentNode.leaves) parentNode.leaves = { columns, start: leaf, end: leaf + 1, withheld: -1 };
        else parentNode.leaves.end = leaf + 1;
        if (keys[depth - 1].key[item] === keyRanks.withheld) parentNode.leaves.withheld = leaf;
      }
      // As buildHierarchy: a non-finite value counts as 0.
      if (Number.isFinite(a)) columns.infected[leaf] += a;
      if (Number.isFinite(b)) columns.disrupted[leaf] += b;
      if (Number.isFinite(c)) columns.loss[leaf] += c;
      columns.entities[leaf] += entities;
    } else add(path[depth], a, b, c, entities);
    previous = item;
  }
  sumSorted(root);
  return root;

  /**
   * The row whose id is the organisation's key: its top's (ids are unique); none for `withheld`;
   * not known here for `unknown` (an empty id's key: an entity may be named `unknown`).
   */
  function organizationRow(item: number, key: string): number | undefined {
    if (key === WITHHELD) return -1;
    if (key === UNKNOWN) return undefined;
    return tops[placed[item]];
  }
}

/** As buildHierarchy: a non-finite value counts as 0. */
function add(leaf: TreeNode, a: number, b: number, c: number, entities: number): void {
  if (Number.isFinite(a)) leaf.sums.entitiesInfected += a;
  if (Number.isFinite(b)) leaf.sums.entitiesDisrupted += b;
  if (Number.isFinite(c)) leaf.sums.lossUsd += c;
  leaf.sums.entities += entities;
}

/** sumUp (rollup-tree.ts) on children already in key order. */
function sumSorted(node: TreeNode): void {
  const s = node.sums;
  if (node.leaves) {
    const { columns, start, end } = node.leaves;
    for (let k = start; k < end; k++) {
      s.entitiesInfected += columns.infected[k];
      s.entitiesDisrupted += columns.disrupted[k];
      s.lossUsd += columns.loss[k];
      s.entities += columns.entities[k];
    }
    return;
  }
  if (!node.children) return;
  for (const c of node.children) {
    sumSorted(c);
    s.entitiesInfected += c.sums.entitiesInfected;
    s.entitiesDisrupted += c.sums.entitiesDisrupted;
    s.lossUsd += c.sums.lossUsd;
    s.entities += c.sums.entities;
  }
}
