/**
 * The rollup as a reader sees it: world > levels, a d3-hierarchy tree with expected values at
 * every node and the stored ranges of the per-run totals at the world and at groups.
 */
import { hierarchy, type HierarchyNode } from 'd3-hierarchy';
import type { HierarchyLevel } from '../graph/hierarchy';
import { groupKey } from './result-parts';
import type { EntityRow } from './result-parts';
import type { GroupStat, Summary } from './result-types';
import type { SuppressionGroup } from './suppression';
import { leafNode, leavesByLoss } from './ranked-tree';
import { MAX_MEMO_TREES, rollupTree, rowsSource, WITHHELD, type RollupMemo, type RollupPart, type RollupSource, type TreeNode, type ValueName } from './rollup-tree';

export type { RollupMemo, RollupPart } from './rollup-tree';

export interface RollupNode {
  id: string;
  level: string;
  key: string;
  name?: string;
  /** Entities (infected or disrupted in some run) counted in this node. */
  count: number;
  /** Expected values (weighted means); children sum to their parent. */
  expected: Record<ValueName, number>;
  /**
   * Ranges of the per-run totals of the rollup's part: at the world (the summary's figures) and
   * at every country and sector node not below an organisation; null on `withheld` nodes and on
   * groups a hidden entity left.
   */
  ranges?: GroupStat | null;
  withheld?: boolean;
  value?: number;
  children?: RollupNode[];
  /** On a node listing a page of its organisations (OrganizationPage): how many it has, how many rank after the page. */
  organizations?: { total: number; left: number };
  /** On the `others` node beside such a page: how many organisations it sums (those not on the page). */
  others?: number;
}

/** The node of a group's organisations not on the page (level and key). */
const OTHERS = 'others';

/**
 * A page of the organisations below each node whose children are organisations: the `limit`
 * with the largest expected loss (ties by key) after the first `offset`, listed in key order
 * like every other level. A million-entity rollup down to organisations was 192 MB.
 */
export interface OrganizationPage {
  limit: number;
  offset: number;
}

/**
 * The rollup: world > levels, placed as src/graph/hierarchy.ts places rows, a d3-hierarchy tree. Expected
 * values at every node (children sum to parents); ranges at the world (the summary's figures
 * of the part) and at every country and sector node, in either nesting order (the core's
 * per-run totals of the country, the sector or the country x sector group, of the part). A
 * country or sector node below an organisation has none (the core keeps no per-organisation
 * runs). The entities of the reader's suppression groups (suppressionFor) are moved up to the
 * deepest group of at least MIN_GROUP entities within their suppression group, into a child
 * named `withheld`; groups they left lose their ranges (which counted them).
 *
 * `part` `collateral` or `intended`: only the entities of that part, and the ranges of the
 * part's per-run totals. A hidden entity is placed in a group only if the group holds at least
 * MIN_GROUP entities of the part and either none or at least MIN_GROUP of the other part: so
 * the difference between the full rollup and a part's rollup (the other part's hidden entities
 * of a group) is again a sum over at least MIN_GROUP entities. The rule depends only on how
 * many entities of each part a group holds, not on which are hidden.
 *
 * `organizations`: a page of the organisations of each group (OrganizationPage); a node that
 * lists only some has `organizations: {total, left}` and a last child `others` summing the rest
 * (so children still sum to their parent); a `withheld` node is listed outside the page. Every
 * other node shown is as without a page.
 *
 * Entities are summed into the tree's leaves and the tree summed in the order buildHierarchy
 * (d3) sums it, and d3 gets the nodes shown: the same figures to the last bit, without a row
 * object and a d3 node per entity. `memo` keeps the summed tree (see RollupMemo).
 */
export function rollupView(
  rows: EntityRow[],
  groups: Record<string, GroupStat>,
  levels: HierarchyLevel[],
  hidden: ReadonlyMap<string, SuppressionGroup>,
  opts: RollupOptions = {},
): RollupNode {
  return rollupViewOf(rowsSource(rows, hidden), groups, levels, opts);
}

export interface RollupOptions {
  part?: RollupPart;
  summary?: Summary;
  organizations?: OrganizationPage;
  memo?: RollupMemo;
}

/** rollupView on what the rollup reads of each entity (RollupSource: the stored rows or columns), with the reader's suppression. */
export function rollupViewOf(source: RollupSource, groups: Record<string, GroupStat>, levels: HierarchyLevel[], opts: RollupOptions = {}): RollupNode {
  const part = opts.part ?? 'total';
  const memo = opts.memo ?? {};

  const treeKey = `${part}/${levels.join(',')}`;
  let built = memo.trees?.get(treeKey);
  if (!built) {
    built = rollupTree(source, levels, part, memo);
    memo.trees ??= new Map();
    // Trees down to organisations are large (some 300,000 nodes at a million entities): a few kept.
    if (memo.trees.size >= MAX_MEMO_TREES) memo.trees.delete(memo.trees.keys().next().value!);
    memo.trees.set(treeKey, built);
  }
  const { root, touched, size } = built;
  const other = part === 'collateral' ? 'intended' : 'collateral';

  /**
   * Results stored before parts existed hold first-level totals only: a group with no entity of
   * the other part has the part's figures there (the same per-run totals), as it had then.
   */
  const storedBeforeParts = (groupPath: string, at: { country: string | null; sector: string | null }) =>
    part !== 'total' && (at.country === null || at.sector === null) && size(other, groupPath) === 0 && size(part, groupPath) > 0
      ? groups[groupKey('total', at.country, at.sector)]
      : undefined;

  const page = opts.organizations;
  /** The organisations a node lists: all, or its page of them by expected loss (in key order). */
  /** Does the node list a page of its organisations rather than all? (A withheld node is always listed, outside the page.) */
  const paged = (node: TreeNode): boolean => {
    if (!page) return false;
    if (columnar(node)) {
      const { start, end, withheld } = node.leaves!;
      node.organizations ??= end - start - (withheld >= 0 ? 1 : 0);
    } else {
      const children = node.children;
      if (!children || children[0].level !== 'organization') return false;
      node.organizations ??= children.filter((c) => c.key !== WITHHELD).length;
    }
    return page.offset > 0 || node.organizations > page.limit;
  };
  /** The leaves (numbers) of a node's page, in key order, and its withheld leaf. */
  const leafPage = (node: TreeNode): number[] => {
    const on = Array.from(leavesByLoss(node.leaves!).subarray(page!.offset, page!.offset + page!.limit));
    if (node.leaves!.withheld >= 0) on.push(node.leaves!.withheld);
    return on.sort((a, b) => a - b);
  };
  const shown = (node: TreeNode): TreeNode[] => {
    if (columnar(node)) {
      if (paged(node)) return leafPage(node).map((k) => leafNode(node, k));
      // All shown: nodes made for good, read as any node's children from then on.
      const { start, end } = node.leaves!;
      return (node.children = Array.from({ length: end - start }, (_, j) => leafNode(node, start + j)));
    }
    const children = node.children!;
    if (!paged(node)) return children;
    const ranked = (node.byLoss ??= children.filter((c) => c.key !== WITHHELD).sort((a, b) => b.sums.lossUsd - a.sums.lossUsd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
    // The page in key order, and the withheld node where it sorts.
    const withheldNode = children.find((c) => c.key === WITHHELD);
    return [...ranked.slice(page!.offset, page!.offset + page!.limit), ...(withheldNode ? [withheldNode] : [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };
  const tree = hierarchy(root, (n) => (n.children || n.leaves ? shown(n) : undefined));

  const names = new Map<string, string | undefined>();
  const known = (memo.names ??= new Map());
  /** `at`: the node's country and sector (null: not on its path), whether an organisation is above it. */
  type At = { country: string | null; sector: string | null; belowOrganization: boolean };
  const convert = (node: HierarchyNode<TreeNode>, at: At, groupPath: string): RollupNode => {
    const { id, level, key, sums } = node.data;
    const { entities, ...expected } = sums;
    const out: RollupNode = { id, level, key, count: entities, expected: { ...expected } };
    if (level === 'organization') {
      // Named below, once the organisations shown are known; the field keeps its place.
      names.set(key, undefined);
      // A node that knows its organisation's row (ranked-tree.ts) is named from it, not from a pass over the rows.
      const row = node.data.row;
      if (row !== undefined && source.nameAt && !known.has(key)) known.set(key, row >= 0 ? source.nameAt(row) : undefined);
      out.name = undefined;
    }
    if (key === WITHHELD) out.withheld = true;
    if (level === 'world') out.ranges = worldRanges(opts.summary, part);
    if (level === 'country' || level === 'sector') {
      const hide = key === WITHHELD || at.belowOrganization || touched.has(groupPath);
      out.ranges = hide ? null : groups[groupKey(part, at.country, at.sector)] ?? storedBeforeParts(groupPath, at) ?? null;
    }
    out.value = sums.lossUsd;
    // Every organisation below a node has the same `at`: one, not one per organisation shown.
    let belowOrganization: At | undefined;
    const child = (c: HierarchyNode<TreeNode>) => {
      const next: At =
        c.data.level === 'country' ? { ...at, country: c.data.key } : c.data.level === 'sector' ? { ...at, sector: c.data.key } : (belowOrganization ??= { ...at, belowOrganization: true });
      const gp = c.data.level === 'organization' ? groupPath : `${groupPath}/${c.data.key}`;
      return convert(c, next, gp);
    };
    if (paged(node.data)) {
      const listed = node.children ?? [];
      const organizations = node.data.organizations!;
      const shownOrganizations = listed.filter((c) => c.data.key !== WITHHELD).length;
      out.organizations = { total: organizations, left: Math.max(0, organizations - page!.offset - shownOrganizations) };
      out.children = listed.map(child);
      // The organisations not on the page, summed in one `others` node: children still sum to their parent.
      const others = (node.data.others ??= new Map());
      const pageKey = `${page!.offset}/${page!.limit}`;
      if (!others.has(pageKey)) {
        if (columnar(node.data)) others.set(pageKey, othersOfLeaves(node.data, new Set(leafPage(node.data))));
        else {
          const on = new Set(listed.map((c) => c.data));
          const rest = node.data.children!.filter((c) => !on.has(c));
          others.set(pageKey, rest.length ? othersNode(node.data, rest) : null);
        }
      }
      const rest = others.get(pageKey);
      if (rest) out.children.push({ ...rest, expected: { ...rest.expected } });
    } else if (node.children) {
      out.children = node.children.map(child);
    }
    return out;
  };
  const answer = convert(tree, { country: null, sector: null, belowOrganization: false }, '');
  // Names of the organisations shown (their top-level entity's): those of every organisation of
  // the tree in one pass over the rows the first time one is missing, then kept.
  if (names.size) {
    if ([...names.keys()].some((k) => !known.has(k))) {
      const wanted = new Set<string>();
      const collect = (n: TreeNode) => {
        if (n.level === 'organization' && !known.has(n.key)) wanted.add(n.key);
        n.children?.forEach(collect);
      };
      collect(root);
      for (const k of wanted) known.set(k, undefined);
      source.names(wanted, known);
    }
    const name = (n: RollupNode) => {
      if (n.level === 'organization') {
        if (known.get(n.key) !== undefined) n.name = known.get(n.key);
        else delete n.name;
      }
      n.children?.forEach(name);
    };
    name(answer);
  }
  return answer;
}

/** The organisations of `parent` not on a page, as one node: their sums in key order, how many. */
function othersNode(parent: TreeNode, rest: readonly TreeNode[]): RollupNode {
  const sums = { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0, entities: 0 };
  for (const c of rest) for (const n of Object.keys(sums) as Array<keyof typeof sums>) sums[n] += c.sums[n];
  const { entities, ...expected } = sums;
  return { id: `${parent.id}/${OTHERS}`, level: OTHERS, key: OTHERS, count: entities, expected, value: expected.lossUsd, others: rest.length };
}

/** othersNode of a node whose organisations are columns (ranked-tree.ts): those not `on` the page (nor withheld), null if none. */
function othersOfLeaves(parent: TreeNode, on: ReadonlySet<number>): RollupNode | null {
  const sums = { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0, entities: 0 };
  const { columns, start, end } = parent.leaves!;
  let count = 0;
  for (let k = start; k < end; k++) {
    if (on.has(k)) continue;
    sums.entitiesInfected += columns.infected[k];
    sums.entitiesDisrupted += columns.disrupted[k];
    sums.lossUsd += columns.loss[k];
    sums.entities += columns.entities[k];
    count++;
  }
  if (!count) return null;
  const { entities, ...expected } = sums;
  return { id: `${parent.id}/${OTHERS}`, level: OTHERS, key: OTHERS, count: entities, expected, value: expected.lossUsd, others: count };
}

/** Are the node's organisations still columns (ranked-tree.ts), not children? */
const columnar = (node: TreeNode) => node.leaves !== undefined && node.children === undefined;

/** The world's ranges: the summary's figures of the part (the same for every reader). */
function worldRanges(summary: Summary | undefined, part: RollupPart): GroupStat | null {
  const f = summary?.[part];
  if (!f) return null;
  return { key: 'world', entitiesInfected: f.entitiesInfected, entitiesDisrupted: f.entitiesDisrupted, lossUsd: f.lossUsd.total, populationAffected: f.populationAffected };
}
