/**
 * Roll-up of entity rows into a d3-hierarchy tree: world > the requested derived levels
 * (country, sector, organization, in any order or subset), with per-node counts and sums.
 *
 * Plain function, no Nest or TypeORM: the hierarchy endpoint uses it on stored entities and
 * the assessments use it on per-entity results (pass their own value accessors).
 *
 * Placement rules (documented in docs/api.md, "Dependency model API"):
 * - every entity is placed by its own country and sector (a Maersk site in the UK counts
 *   under GB even if Maersk's headquarters are in DK);
 * - the organization of an entity is its top-level ancestor (the entity with `parentId`
 *   null reached by following `parentId`); descendants are folded into their organisation's
 *   node, so an organisation with sites in several countries appears under each of those
 *   countries with only the sites there;
 * - a missing country or sector is grouped under `unknown`.
 * Each entity is counted exactly once, so the root's sums are the sums over all rows.
 */
import { HierarchyNode, stratify } from 'd3-hierarchy';

export const HIERARCHY_LEVELS = ['country', 'sector', 'organization'] as const;
export type HierarchyLevel = (typeof HIERARCHY_LEVELS)[number];

/** The fields of a row the placement needs; rows may carry anything else the accessors read. */
export interface HierarchyRow {
  id: string;
  parentId?: string | null;
  country?: string | null;
  sector?: string | null;
}

export interface HierarchyNodeData<K extends string = string> {
  /** Path id, e.g. `world/country:GB/sector:energy`. */
  id: string;
  parentId: string | null;
  level: 'world' | HierarchyLevel;
  /** The group's key: country code, sector slug, organisation id ('unknown' when missing). */
  key: string;
  /** Rows placed at or below this node. */
  count: number;
  sums: Record<K, number>;
}

export const UNKNOWN = 'unknown';

/** Top-level ancestor of each row (itself when it has no parent or its parent is not among the rows). */
export function topLevelAncestors(rows: readonly HierarchyRow[]): Map<string, string> {
  const parent = new Map<string, string | null>();
  for (const r of rows) parent.set(r.id, r.parentId ?? null);
  const top = new Map<string, string>();
  for (const r of rows) {
    if (top.has(r.id)) continue;
    const chain: string[] = [];
    let id: string = r.id;
    const seen = new Set<string>();
    let root: string | undefined;
    for (;;) {
      const known = top.get(id);
      if (known !== undefined) { root = known; break; }
      chain.push(id);
      seen.add(id);
      const p = parent.get(id);
      if (p === null || p === undefined || !parent.has(p) || seen.has(p)) { root = id; break; }
      id = p;
    }
    for (const c of chain) top.set(c, root);
  }
  return top;
}

/**
 * Builds the tree with d3-hierarchy's `stratify`. `values` names the sums to compute, each
 * with an accessor on a row (e.g. `{hosts: (r) => r.hosts}`); non-finite values count as 0.
 * Children are sorted by key. The returned node is a d3 HierarchyNode (so `.each`, layouts,
 * `.descendants()` work); `hierarchyToJson` turns it into the API's nested JSON.
 */
export function buildHierarchy<R extends HierarchyRow, K extends string>(
  rows: readonly R[],
  levels: readonly HierarchyLevel[],
  values: Record<K, (row: R) => number>,
): HierarchyNode<HierarchyNodeData<K>> {
  const names = Object.keys(values) as K[];
  const zero = () => Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  const nodes = new Map<string, HierarchyNodeData<K>>();
  nodes.set('world', { id: 'world', parentId: null, level: 'world', key: 'world', count: 0, sums: zero() });
  const top = levels.includes('organization') ? topLevelAncestors(rows) : new Map<string, string>();

  for (const row of rows) {
    let path = 'world';
    for (const level of levels) {
      const key = (level === 'country' ? row.country : level === 'sector' ? row.sector : top.get(row.id)) || UNKNOWN;
      const id = `${path}/${level}:${key}`;
      if (!nodes.has(id)) nodes.set(id, { id, parentId: path, level, key, count: 0, sums: zero() });
      path = id;
    }
    // Own contributions sit on the leaf group; eachAfter below adds them up the tree.
    const leaf = nodes.get(path)!;
    leaf.count++;
    for (const n of names) {
      const v = Number(values[n](row));
      if (Number.isFinite(v)) leaf.sums[n] += v;
    }
  }

  const root = stratify<HierarchyNodeData<K>>()
    .id((d) => d.id)
    .parentId((d) => d.parentId)([...nodes.values()]);
  root.sort((a, b) => (a.data.key < b.data.key ? -1 : a.data.key > b.data.key ? 1 : 0));
  root.eachAfter((node) => {
    if (!node.children) return;
    for (const child of node.children) {
      node.data.count += child.data.count;
      for (const n of names) node.data.sums[n] += child.data.sums[n];
    }
  });
  // d3's `value` is what its layouts (treemap, partition) size nodes by: the first sum by default.
  if (names.length) root.sum((d) => (hasChildGroups(d, levels) ? 0 : d.sums[names[0]]));
  return root;
}

const hasChildGroups = (d: HierarchyNodeData, levels: readonly HierarchyLevel[]) =>
  d.level === 'world' ? levels.length > 0 : levels.indexOf(d.level as HierarchyLevel) < levels.length - 1;

export interface HierarchyJson<K extends string = string> {
  id: string;
  level: HierarchyNodeData['level'];
  key: string;
  count: number;
  sums: Record<K, number>;
  children?: HierarchyJson<K>[];
}

/** The nested JSON the API returns (and a dashboard can feed back into `d3.hierarchy`). */
export function hierarchyToJson<K extends string>(node: HierarchyNode<HierarchyNodeData<K>>): HierarchyJson<K> {
  const { id, level, key, count, sums } = node.data;
  const out: HierarchyJson<K> = { id, level, key, count, sums };
  if (node.children) out.children = node.children.map(hierarchyToJson);
  return out;
}

/** Parses `country,sector,organization` (any order or subset, no repeats). */
export function parseLevels(raw: string | undefined): { levels: HierarchyLevel[]; error?: string } {
  if (raw === undefined) return { levels: ['country', 'sector', 'organization'] };
  // `levels=` (empty): no level below the root, the world alone.
  if (raw.trim() === '') return { levels: [] };
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(HIERARCHY_LEVELS as readonly string[]).includes(p));
  if (bad.length) return { levels: [], error: `unknown level(s) ${bad.join(', ')}; use ${HIERARCHY_LEVELS.join(', ')}` };
  if (new Set(parts).size !== parts.length) return { levels: [], error: 'a level may appear once' };
  return { levels: parts as HierarchyLevel[] };
}
