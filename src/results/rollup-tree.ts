/**
 * The rollup's tree before d3-hierarchy gets it: entities summed into their leaves in row order,
 * the tree summed in d3's order (rollup-view.ts turns it into the answer).
 */
import { HierarchyLevel, UNKNOWN } from '../graph/hierarchy';
import type { EntityRow } from './result-parts';
import { cellCountsOf, NO_PARENT, WITHHELD_PARENT, type EntityCells } from './entity-index';
import { cellCounts, MIN_GROUP, partOf, type CellCounts, type SuppressionGroup, type SuppressionPlan } from './suppression';
import type { RollupNode } from './rollup-view';
import { rankedTree, topRows, type Leaves, type RankedOrganizations } from './ranked-tree';
import { topsByParent, topsOf } from './rollup-tops';

export const VALUE_NAMES = ['entitiesInfected', 'entitiesDisrupted', 'lossUsd'] as const;
export type ValueName = (typeof VALUE_NAMES)[number];

interface RollupRow {
  id: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  values: Record<ValueName, number>;
  /** Withheld rows: the entities summed in them. */
  entities?: number;
}

export const WITHHELD = 'withheld';

/** Which part of the damage a rollup covers: all of it, or the collateral or intended part only. */
export type RollupPart = 'total' | 'collateral' | 'intended';

/**
 * What a rollup may reuse between requests on the same stored entities, for one audience (the
 * same hidden entities): ResultsService keeps one per job and audience.
 */
export interface RollupMemo {
  cells?: CellCounts;
  /** Summed trees by part and levels. */
  trees?: Map<string, RollupTree>;
  /** Names of organisations (their top-level entity's) looked up so far. */
  names?: Map<string, string | undefined>;
  /** Each row's organisation (top-level ancestor among the rows placed), by part: for one audience only. */
  organizations?: Map<string, string[]>;
  /** The same as row numbers (ranked-tree.ts topRows), by part: for one audience only. */
  topRows?: Map<string, Int32Array>;
}

/** The rollup's tree, summed, and what its answer reads besides: the groups hidden entities left, group sizes. */
export interface RollupTree {
  root: TreeNode;
  touched: Set<string>;
  size: (p: 'collateral' | 'intended', path: string) => number;
}

/** Trees kept per audience (RollupMemo.trees). */
export const MAX_MEMO_TREES = 8;

/**
 * What the rollup reads of each entity, by row: the stored rows (rowsSource) or the stored
 * columns (columnsSource), which give the same figures.
 */
export interface RollupSource {
  count: number;
  /** The counts by cell (cellCounts), read once per audience's memo. */
  cells(): CellCounts;
  /** The row's country and sector, `unknown` for a missing one. */
  country(i: number): string;
  sector(i: number): string;
  collateral(i: number): boolean;
  infected(i: number): number;
  disrupted(i: number): number;
  loss(i: number): number;
  /** The reader's suppression group the row is in, if any. */
  group(i: number): SuppressionGroup | undefined;
  /**
   * The row's (country, sector) cell as a number, where the source has one: what depends only on
   * the cell (withheld rows' group, the leaf below organisations) is then found once per cell.
   */
  cellIndex?(i: number): number;
  /** Each placed row's organisation (topsOf). */
  organizations(placed: readonly number[], withWithheld: boolean): string[];
  /** The name of each entity of `wanted` that is a row (the last row of an id) into `into`. */
  names(wanted: ReadonlySet<string>, into: Map<string, string | undefined>): void;
  /** With the organisations' key ranks stored: the tree down to organisations is built on numbers (ranked-tree.ts). */
  ranked?(): (RankedOrganizations & Pick<DecodedColumns, 'infected' | 'disrupted' | 'loss'>) | undefined;
  /** The name of row `i` (an organisation node's `row`). */
  nameAt?(i: number): string;
  /** placeRows on the source's own arrays, where it has them. */
  place?(part: RollupPart, hide: (i: number, group: SuppressionGroup) => void): number[];
}

export function rowsSource(rows: readonly EntityRow[], hidden: ReadonlyMap<string, SuppressionGroup>): RollupSource {
  return {
    count: rows.length,
    cells: () => cellCounts(rows),
    country: (i) => rows[i].country || UNKNOWN,
    sector: (i) => rows[i].sector || UNKNOWN,
    collateral: (i) => partOf(rows[i]) === 'collateral',
    infected: (i) => Number(rows[i].probabilityInfected.p),
    disrupted: (i) => Number(rows[i].probabilityDisrupted.p),
    loss: (i) => Number(rows[i].expectedLossUsd),
    group: (i) => (hidden.size ? hidden.get(rows[i].entityId) : undefined),
    organizations: (placed, withWithheld) => topsOf(rows, placed, withWithheld),
    names: (wanted, into) => {
      for (const r of rows) if (wanted.has(r.entityId)) into.set(r.entityId, r.name);
    },
  };
}

/** The stored columns (entity-index.ts), decoded. */
export interface DecodedColumns {
  count: number;
  cell: Uint32Array;
  collateral: Uint8Array;
  infected: Float64Array;
  disrupted: Float64Array;
  loss: Float64Array;
}

/**
 * Parents by row (NO_PARENT, WITHHELD_PARENT), each row's id and name: what organisations are
 * read from (entity-index.ts decodeLinks); the organisations' key ranks when stored (decodeKeyRanks).
 */
export interface DecodedLinks {
  parent: Int32Array;
  id(i: number): string;
  name(i: number): string;
  keyRanks?: RankedOrganizations['keyRanks'];
}

/** `links`: needed with the organisation level only. */
export function columnsSource(columns: DecodedColumns, cells: EntityCells, plan: SuppressionPlan, links?: DecodedLinks): RollupSource {
  const { cell, collateral, infected, disrupted, loss } = columns;
  const groups = cells.cells.map((c) => (plan.size ? plan.groupOf(c.country, c.sector) : undefined));
  const needLinks = () => {
    if (!links) throw new Error('the rollup by organisation reads entityLinks');
    return links;
  };
  // The row of each organisation (top-level ancestor) found: its name is read there.
  const rowOf = new Map<string, number>();
  return {
    count: columns.count,
    cells: () => cellCountsOf(cells),
    country: (i) => cells.cells[cell[i]].country,
    sector: (i) => cells.cells[cell[i]].sector,
    collateral: (i) => collateral[i] === 1,
    infected: (i) => infected[i],
    disrupted: (i) => disrupted[i],
    loss: (i) => loss[i],
    group: (i) => groups[cell[i]],
    cellIndex: (i) => cell[i],
    organizations: (placed, withWithheld) => topsByParent(needLinks(), columns.count, placed, withWithheld, rowOf),
    ranked: () => {
      const { parent, keyRanks, id } = needLinks();
      return keyRanks && { parent, keyRanks, id, cell, cells: cells.cells, infected, disrupted, loss };
    },
    nameAt: (i) => needLinks().name(i),
    place: (part, hide) => placeColumns(collateral, cell, groups, part, hide),
    names: (wanted, into) => {
      const { id, name } = needLinks();
      // Ids are unique (entity-index.ts): an organisation's row is the one row of its id. Others
      // (`withheld`, `unknown` for an empty id, a tree kept from an earlier request): every row.
      const rest = new Set<string>();
      for (const k of wanted) {
        const i = rowOf.get(k);
        if (i !== undefined) into.set(k, name(i));
        else rest.add(k);
      }
      if (rest.size) {
        for (let i = 0; i < columns.count; i++) {
          const k = id(i);
          if (rest.has(k)) into.set(k, name(i));
        }
      }
    },
  };
}

export function rollupTree(source: RollupSource, levels: HierarchyLevel[], part: RollupPart, memo: RollupMemo): RollupTree {
  // Group sizes over every row (hidden ones too), per part, by path of group keys
  // (organisation level excluded: it names entities), from the counts by country and sector.
  const groupLevels = levels.filter((l) => l !== 'organization');
  const keyOf = (i: number, l: HierarchyLevel) => (l === 'country' ? source.country(i) : source.sector(i));
  const sizes = { collateral: new Map<string, number>(), intended: new Map<string, number>() };
  for (const [country, bySector] of (memo.cells ??= source.cells())) {
    for (const [sector, n] of bySector) {
      for (const p of ['collateral', 'intended'] as const) {
        if (!n[p]) continue;
        const m = sizes[p];
        let path = '';
        m.set(path, (m.get(path) ?? 0) + n[p]);
        for (const l of groupLevels) {
          path += `/${l === 'country' ? country : sector}`;
          m.set(path, (m.get(path) ?? 0) + n[p]);
        }
      }
    }
  }
  const size = (p: 'collateral' | 'intended', path: string) => sizes[p].get(path) ?? 0;
  const other = part === 'collateral' ? 'intended' : 'collateral';
  /** May a hidden entity of this rollup be counted in the group at `path`? */
  const holds = (path: string) => {
    if (part === 'total') return size('collateral', path) + size('intended', path) >= MIN_GROUP;
    const o = size(other, path);
    return size(part, path) >= MIN_GROUP && (o === 0 || o >= MIN_GROUP);
  };

  // The rows placed: the part's entities the reader sees, in row order (then the withheld rows).
  const touched = new Set<string>();
  const withheld = new Map<string, RollupRow>();
  const withheldOfCell = new Map<number, RollupRow>();
  const placed = (source.place ?? ((p, h) => placeRows(source, p, h)))(part, (i, fixed) => {
    const known = source.cellIndex ? withheldOfCell.get(source.cellIndex(i)) : undefined;
    const w = known ?? withheldRow(i, fixed);
    if (!known && source.cellIndex) withheldOfCell.set(source.cellIndex(i), w);
    w.values.entitiesInfected += source.infected(i);
    w.values.entitiesDisrupted += source.disrupted(i);
    w.values.lossUsd += source.loss(i);
    w.entities = (w.entities ?? 0) + 1;
  });

  /**
   * The withheld row a hidden entity is summed in: the deepest group prefix with enough entities
   * within its suppression group (so a withheld node sums whole suppression groups); the groups
   * below it lose their ranges. The same for every entity of a cell.
   */
  function withheldRow(i: number, fixed: SuppressionGroup): RollupRow {
    let depth = 0;
    let path = '';
    const keys: string[] = [];
    for (const l of groupLevels) {
      const next = `${path}/${keyOf(i, l)}`;
      if (fixed[l as 'country' | 'sector'] === undefined || !holds(next)) break;
      path = next;
      keys.push(keyOf(i, l));
      depth++;
    }
    let p = '';
    for (let k = 0; k < groupLevels.length; k++) {
      p += `/${keyOf(i, groupLevels[k])}`;
      if (k >= depth) touched.add(p);
    }
    let w = withheld.get(path);
    if (!w) {
      const field = (l: 'country' | 'sector') => {
        const k = groupLevels.indexOf(l);
        return k >= 0 && k < depth ? keys[k] : WITHHELD;
      };
      w = { id: WITHHELD, parentId: null, country: field('country'), sector: field('sector'), values: { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0 } };
      withheld.set(path, w);
    }
    return w;
  }

  const ranked = levels.includes('organization') ? source.ranked?.() : undefined;
  if (ranked) {
    // The memo is the reader's audience's (the rows placed depend on what it may see).
    let tops = memo.topRows?.get(part);
    if (!tops) {
      tops = topRows(ranked.parent, source.count, placed, withheld.size > 0);
      (memo.topRows ??= new Map()).set(part, tops);
    }
    return { root: rankedTree(ranked, levels, placed, [...withheld.values()], tops), touched, size };
  }

  // Organisations: the top-level ancestor among the rows placed (withheld rows are their own).
  let organizationOf: (i: number) => string = () => UNKNOWN;
  if (levels.includes('organization')) {
    // The memo is the reader's audience's (the rows placed depend on what it may see).
    let tops = memo.organizations?.get(part);
    if (!tops) {
      tops = source.organizations(placed, withheld.size > 0);
      (memo.organizations ??= new Map()).set(part, tops);
    }
    const t = tops;
    organizationOf = (i) => t[i];
  }

  // The tree, summed as buildHierarchy (d3) sums it: each entity into its leaf in row order (the
  // withheld rows last), then each node's children in key order. Not a d3 node per leaf: down
  // to organisations a million entities make some 300,000 leaves, and d3 gets the page shown.
  const root = treeNode('world', 'world', 'world');
  const leafOf = (country: string, sector: string, organization: string): TreeNode => {
    let node = root;
    for (const l of levels) {
      const key = l === 'country' ? country : l === 'sector' ? sector : organization;
      const children = (node.byKey ??= new Map());
      let child = children.get(key);
      if (!child) children.set(key, (child = treeNode(`${node.id}/${l}:${key}`, l, key)));
      node = child;
    }
    return node;
  };
  const add = (leaf: TreeNode, a: number, b: number, c: number, entities: number) => {
    // As buildHierarchy: a non-finite value counts as 0.
    if (Number.isFinite(a)) leaf.sums.entitiesInfected += a;
    if (Number.isFinite(b)) leaf.sums.entitiesDisrupted += b;
    if (Number.isFinite(c)) leaf.sums.lossUsd += c;
    leaf.sums.entities += entities;
  };
  // Rows of one leaf often follow each other (sites of an organisation): the walk is skipped then.
  let lastCountry: string | undefined;
  let lastSector: string | undefined;
  let lastOrganization: string | undefined;
  let leaf = root;
  // With cells by number: each cell's leaves by organisation, one lookup instead of a walk.
  const leavesOfCell = source.cellIndex ? new Map<number, Map<string, TreeNode>>() : undefined;
  for (const i of placed) {
    const country = source.country(i);
    const sector = source.sector(i);
    const organization = organizationOf(i) || UNKNOWN;
    if (country !== lastCountry || sector !== lastSector || organization !== lastOrganization) {
      if (leavesOfCell) {
        const k = source.cellIndex!(i);
        let leaves = leavesOfCell.get(k);
        if (!leaves) leavesOfCell.set(k, (leaves = new Map()));
        let found = leaves.get(organization);
        if (!found) leaves.set(organization, (found = leafOf(country, sector, organization)));
        leaf = found;
      } else leaf = leafOf(country, sector, organization);
      lastCountry = country;
      lastSector = sector;
      lastOrganization = organization;
    }
    add(leaf, source.infected(i), source.disrupted(i), source.loss(i), 1);
  }
  for (const w of withheld.values()) add(leafOf(w.country || UNKNOWN, w.sector || UNKNOWN, WITHHELD), w.values.entitiesInfected, w.values.entitiesDisrupted, w.values.lossUsd, w.entities!);
  sumUp(root);
  return { root, touched, size };
}

/**
 * The part's rows the reader sees, in row order; `hide` gets each other row of the part, in
 * order. A loop of its own, so V8 optimises it alone (see ranked-tree.ts).
 */
function placeRows(source: RollupSource, part: RollupPart, hide: (i: number, group: SuppressionGroup) => void): number[] {
  const placed: number[] = [];
  for (let i = 0; i < source.count; i++) {
    if (part !== 'total' && (source.collateral(i) ? 'collateral' : 'intended') !== part) continue;
    const fixed = source.group(i);
    if (fixed) hide(i, fixed);
    else placed.push(i);
  }
  return placed;
}

/** placeRows on the stored columns (collateral 1 or 0; a cell's suppression group). */
function placeColumns(collateral: Uint8Array, cell: Uint32Array, groups: ReadonlyArray<SuppressionGroup | undefined>, part: RollupPart, hide: (i: number, group: SuppressionGroup) => void): number[] {
  const placed: number[] = [];
  const want = part === 'collateral' ? 1 : 0;
  const anyGroup = groups.some((g) => g !== undefined);
  for (let i = 0; i < collateral.length; i++) {
    if (part !== 'total' && collateral[i] !== want) continue;
    const fixed = anyGroup ? groups[cell[i]] : undefined;
    if (fixed) hide(i, fixed);
    else placed.push(i);
  }
  return placed;
}

/** A node of the rollup's tree before d3 gets it: its children by key while it is built, then sorted. */
export interface TreeNode {
  id: string;
  level: 'world' | HierarchyLevel;
  key: string;
  sums: Record<ValueName | 'entities', number>;
  byKey?: Map<string, TreeNode>;
  children?: TreeNode[];
  /** Its organisations as columns instead of children (ranked-tree.ts), until all are shown. */
  leaves?: Leaves;
  /** Its children by expected loss (ties by key), once a page of them was asked for. */
  byLoss?: TreeNode[];
  /** An organisation's: the row whose id is its key, where its name is read (ranked-tree.ts; -1: none). */
  row?: number;
  /** Its organisations (a withheld node aside), and the `others` node of each page asked for. */
  organizations?: number;
  others?: Map<string, RollupNode | null>;
}

export const treeNode = (id: string, level: TreeNode['level'], key: string): TreeNode => ({ id, level, key, sums: { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0, entities: 0 } });

/** Children in key order, each summed before its parent, a parent's sums in that order (d3's sort, then eachAfter). */
export function sumUp(node: TreeNode): void {
  if (!node.byKey) return;
  node.children = [...node.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  node.byKey = undefined;
  for (const c of node.children) {
    sumUp(c);
    for (const n of Object.keys(node.sums) as Array<ValueName | 'entities'>) node.sums[n] += c.sums[n];
  }
}
