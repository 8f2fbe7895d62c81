/**
 * The rollup's tree down to organisations from the stored columns with the organisations' key
 * ranks (entity-index.ts EntityKeyRanks): each placed row's organisation as a row number, its
 * leaf's keys as numbers in key order, the rows sorted by them in a few counting passes, and
 * the tree built in one pass in the order d3 sorts it, organisation leaves kept as columns (a
 * node made for each one shown). The same tree, to the last bit, as rollupTree builds by keys,
 * without its map of strings per leaf, its sort of ~300,000 leaves by their keys and its object
 * per leaf (most of a cold read down to organisations at a million entities).
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
 * withheld rows, when there are some), -1 for rows not placed: topsByParent's walk (rollup-tops.ts)
 * on numbers, rows resolved in order, a cycle cut where it closes.
 */
export function topRows(parent: Int32Array, count: number, placed: readonly number[], withWithheld: boolean): Int32Array {
  const isPlaced = new Uint8Array(count);
  const out = new Int32Array(count).fill(-1);
  markPlaced(isPlaced, placed);
  walkTopRows(parent, placed, withWithheld, isPlaced, out);
  return out;
}

function markPlaced(isPlaced: Uint8Array, placed: readonly number[]): void {
  for (let k = 0; k < placed.length; k++) isPlaced[placed[k]] = 1;
}

function walkTopRows(parent: Int32Array, placed: readonly number[], withWithheld: boolean, isPlaced: Uint8Array, out: Int32Array): void {
  const seen = new Int32Array(out.length);
  const chain = new Int32Array(out.length);
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
  const organizationKey = (top: number) => (top === TOP_WITHHELD ? WITHHELD : id(top) || UNKNOWN);

  // Each item's key (rank) at each level, and its key text: items are the placed rows in order, then the withheld rows.
  const keys: Int32Array[] = [];
  const sizes: number[] = [];
  const names: Array<(item: number) => string> = [];
  for (const l of levels) {
    const key = new Int32Array(m);
    if (l === 'organization') {
      organizationRanks(key, placed, tops, keyRanks.rank, keyRanks.withheld);
      key.fill(keyRanks.withheld, p);
      sizes.push(keyRanks.size);
      names.push((item) => (item >= p ? WITHHELD : organizationKey(tops[placed[item]])));
    } else {
      const ranks = l === 'country' ? countryRank : sectorRank;
      cellRanks(key, placed, cell, Int32Array.from(cells, (c) => ranks.get(c[l])!));
      for (let k = p; k < m; k++) key[k] = ranks.get(withheld[k - p][l] || UNKNOWN)!;
      const text: string[] = [];
      for (const [k, r] of ranks) text[r] = k;
      sizes.push(text.length);
      names.push((item) => text[key[item]]);
    }
    keys.push(key);
  }

  // Items in key order, level by level, in item order within a leaf; and the level at which each
  // item's keys first differ from the item's before it (`depth`: the same leaf).
  const order = sortedItems(keys, sizes, m);
  const changed = changeLevels(order, keys);
  const depth = levels.length;
  // With organisations the last level, the leaves are columns (Leaves), not a node each: nodes
  // are made for the organisations shown (rollup-view.ts), a page of each group.
  const columnar = levels[depth - 1] === 'organization';
  const nodeDepth = columnar ? depth - 1 : depth;
  let leafCount = 0;
  for (let k = 0; k < m; k++) if (changed[k] < depth) leafCount++;
  const leafItem = new Int32Array(leafCount);
  const columns: LeafColumns = {
    infected: new Float64Array(leafCount),
    disrupted: new Float64Array(leafCount),
    loss: new Float64Array(leafCount),
    entities: new Float64Array(leafCount),
    key: (k) => names[depth - 1](leafItem[k]),
    row: (k) => organizationRow(leafItem[k], columns.key(k)),
  };

  // The nodes, and each node's leaves where they are columns.
  const root = treeNode('world', 'world', 'world');
  const leafNodes: TreeNode[] = [];
  const path: TreeNode[] = [root];
  let leaf = -1;
  for (let k = 0; k < m; k++) {
    const d = changed[k];
    if (d === depth) continue;
    const item = order[k];
    leafItem[++leaf] = item;
    for (let e = d; e < nodeDepth; e++) {
      const parentNode = path[e];
      const level = levels[e];
      const key = names[e](item);
      const node = treeNode(`${parentNode.id}/${level}:${key}`, level, key);
      if (level === 'organization') node.row = organizationRow(item, key);
      (parentNode.children ??= []).push(node);
      path[e + 1] = node;
    }
    if (!columnar) leafNodes.push(path[depth]);
    else {
      const parentNode = path[nodeDepth];
      if (d < nodeDepth || !parentNode.leaves) parentNode.leaves = { columns, start: leaf, end: leaf + 1, withheld: -1 };
      else parentNode.leaves.end = leaf + 1;
      if (keys[depth - 1][item] === keyRanks.withheld) parentNode.leaves.withheld = leaf;
    }
  }
  // Summed in item order through each item's leaf: the rows' values are read in row order (the
  // sorted order reads them at random, a cache miss a row at a million), and each leaf still adds
  // its placed rows in row order, then its withheld rows.
  const leafOf = leavesOfItems(order, changed, depth);
  sumLeaves(columns, leafOf, placed, source.infected, source.disrupted, source.loss);
  for (let item = p; item < m; item++) {
    const w = withheld[item - p];
    addTo(columns, leafOf[item], w.values.entitiesInfected, w.values.entitiesDisrupted, w.values.lossUsd, w.entities!);
  }
  leafNodes.forEach((node, k) => {
    node.sums.entitiesInfected = columns.infected[k];
    node.sums.entitiesDisrupted = columns.disrupted[k];
    node.sums.lossUsd = columns.loss[k];
    node.sums.entities = columns.entities[k];
  });
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

// The loops over a million items, each a function of its own: V8 optimises each loop with the
// types it has seen, not with the rest of rankedTree still unseen (which deoptimised it over and over).

function organizationRanks(key: Int32Array, placed: readonly number[], tops: Int32Array, rank: Int32Array, withheldRank: number): void {
  for (let k = 0; k < placed.length; k++) {
    const top = tops[placed[k]];
    key[k] = top === TOP_WITHHELD ? withheldRank : rank[top];
  }
}

function cellRanks(key: Int32Array, placed: readonly number[], cell: Uint32Array, ofCell: Int32Array): void {
  for (let k = 0; k < placed.length; k++) key[k] = ofCell[cell[placed[k]]];
}

/** Items 0..m-1 sorted by their keys at each level (the first level first), stably: counting passes from the last level. */
function sortedItems(keys: readonly Int32Array[], sizes: readonly number[], m: number): Int32Array {
  let order = new Int32Array(m);
  let next = new Int32Array(m);
  identity(order);
  for (let d = keys.length - 1; d >= 0; d--) {
    countingPass(order, next, keys[d], sizes[d]);
    const t = order;
    order = next;
    next = t;
  }
  return order;
}

function identity(order: Int32Array): void {
  for (let k = 0; k < order.length; k++) order[k] = k;
}

function countingPass(order: Int32Array, out: Int32Array, key: Int32Array, size: number): void {
  const start = new Int32Array(size + 1);
  countKeys(start, key);
  prefixSums(start);
  scatter(order, out, start, key);
}

function countKeys(start: Int32Array, key: Int32Array): void {
  for (let k = 0; k < key.length; k++) start[key[k] + 1]++;
}

function prefixSums(start: Int32Array): void {
  for (let r = 1; r < start.length; r++) start[r] += start[r - 1];
}

function scatter(order: Int32Array, out: Int32Array, start: Int32Array, key: Int32Array): void {
  for (let k = 0; k < order.length; k++) {
    const item = order[k];
    out[start[key[item]]++] = item;
  }
}

/** For each position of `order`, the first level whose key differs from the item's before (0 for the first item; keys.length: none). */
function changeLevels(order: Int32Array, keys: readonly Int32Array[]): Uint8Array {
  const out = new Uint8Array(order.length);
  const depth = keys.length;
  for (let k = 1; k < order.length; k++) {
    const a = order[k];
    const b = order[k - 1];
    let d = 0;
    while (d < depth && keys[d][a] === keys[d][b]) d++;
    out[k] = d;
  }
  return out;
}

/** Each item's leaf number: the leaves in the sorted order, a new one wherever a key above the leaf's level changes. */
function leavesOfItems(order: Int32Array, changed: Uint8Array, depth: number): Int32Array {
  const leafOf = new Int32Array(order.length);
  let leaf = -1;
  for (let k = 0; k < order.length; k++) {
    if (changed[k] < depth) leaf++;
    leafOf[order[k]] = leaf;
  }
  return leafOf;
}

/** The placed rows' values into their leaves, in row order. */
function sumLeaves(columns: LeafColumns, leafOf: Int32Array, placed: readonly number[], infected: Float64Array, disrupted: Float64Array, loss: Float64Array): void {
  for (let item = 0; item < placed.length; item++) {
    const i = placed[item];
    addTo(columns, leafOf[item], infected[i], disrupted[i], loss[i], 1);
  }
}

/** As buildHierarchy: a non-finite value counts as 0. */
function addTo(columns: LeafColumns, leaf: number, a: number, b: number, c: number, entities: number): void {
  if (Number.isFinite(a)) columns.infected[leaf] += a;
  if (Number.isFinite(b)) columns.disrupted[leaf] += b;
  if (Number.isFinite(c)) columns.loss[leaf] += c;
  columns.entities[leaf] += entities;
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
