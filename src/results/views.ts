/**
 * What each reader sees of a stored result. Aggregates (the summary's totals, the timeline,
 * runs) are the same for everyone; entity-level views leave out an entity whose state rests
 * only on reports the reader may not see (TLP AMBER+STRICT or RED of another organisation),
 * and the rollup counts such an entity only in groups of at least five entities.
 */
import { anyVisible, Audience, canSee, Reader } from '../tlp/policy';
import { hierarchy, type HierarchyNode } from 'd3-hierarchy';
import { HierarchyLevel, topLevelAncestors, UNKNOWN } from '../graph/hierarchy';
import { groupKey, type EntityRow, type AssessmentParts, type StoredTimeline, type WarningData } from './result-parts';
import type { GroupStat, Range, Summary } from './result-types';
import { PREDICTIVE_CHECK_WARNING } from '../engine/predictive-check';

/** The smallest group an entity hidden from the reader may be counted in. */
export const MIN_GROUP = 5;

/** The country and sector a suppression group is fixed to (absent: the group spans that level). */
export interface SuppressionGroup {
  country?: string;
  sector?: string;
}

/**
 * Which entities to leave out of this reader's entity-level views, given the ones it may not
 * see (`hidden`): never a hidden entity alone, but every entity of its suppression group, the
 * deepest of its (country, sector) cell, its country, or the world that holds at least
 * MIN_GROUP entities and, of each part (collateral, intended), none or at least MIN_GROUP.
 * Groups are fixed by public facts (where entities are) and sizes, not by which entity is
 * hidden, so what a reader can difference (a group's figures minus the entities listed in it,
 * against the public entity list, in total or by part) is a sum over at least MIN_GROUP
 * entities, and the reader learns at most that one of them rests on restricted evidence.
 */
export function suppressionFor(rows: readonly EntityRow[], hidden: Set<string>): Map<string, SuppressionGroup> {
  const out = new Map<string, SuppressionGroup>();
  if (!hidden.size) return out;
  // Sizes of each part by cell, country and world, then the groups chosen, then their members:
  // three passes over the rows without a key string or a member list per entity.
  type Sizes = { collateral: number; intended: number };
  const cells = cellCounts(rows);
  const countries = new Map<string, Sizes>();
  const world: Sizes = { collateral: 0, intended: 0 };
  for (const [country, bySector] of cells) {
    const n: Sizes = { collateral: 0, intended: 0 };
    for (const m of bySector.values()) {
      n.collateral += m.collateral;
      n.intended += m.intended;
    }
    countries.set(country, n);
    world.collateral += n.collateral;
    world.intended += n.intended;
  }
  const holds = (n: Sizes) => n.collateral + n.intended >= MIN_GROUP && [n.collateral, n.intended].every((x) => x === 0 || x >= MIN_GROUP);
  const chosenCells = new Map<string, SuppressionGroup>();
  const chosenCountries = new Map<string, SuppressionGroup>();
  let chosenWorld: SuppressionGroup | undefined;
  for (const r of rows) {
    if (!hidden.has(r.entityId)) continue;
    const c = r.country || UNKNOWN;
    const s = r.sector || UNKNOWN;
    if (holds(cells.get(c)!.get(s)!)) {
      if (!chosenCells.has(`${c}\u0000${s}`)) chosenCells.set(`${c}\u0000${s}`, { country: c, sector: s });
    } else if (holds(countries.get(c)!)) {
      if (!chosenCountries.has(c)) chosenCountries.set(c, { country: c });
    } else chosenWorld ??= {};
  }
  if (!chosenCells.size && !chosenCountries.size && !chosenWorld) return out;
  // An entity in several chosen groups (its cell, its country, the world) is in the widest.
  for (const r of rows) {
    const c = r.country || UNKNOWN;
    const g = chosenWorld ?? chosenCountries.get(c) ?? chosenCells.get(`${c}\u0000${r.sector || UNKNOWN}`);
    if (g) out.set(r.entityId, g);
  }
  return out;
}

/** Ids of entities this reader must not see at entity level: none of their reports is visible to it. */
export function hiddenFor(restricted: AssessmentParts['restricted'], reader: Reader): Set<string> {
  const audiences = (list: Array<Audience | string>): Audience[] => list.map((a) => (typeof a === 'string' ? { tlp: 'red', organizationId: a } : a));
  return new Set(Object.entries(restricted).filter(([, list]) => !anyVisible(audiences(list), reader)).map(([id]) => id));
}

/**
 * The timeline as `reader` sees it. The stored one runs from the earliest report used, whoever
 * may see it; its bin times (and their width, since the grid ends at the public asOf + horizon)
 * would date a hidden report. So a reader's timeline starts at the earliest report it may see
 * (asOf when it sees none) and is read off the stored curve at evenly spaced times from there to
 * the same end: `origin`, `hours`, `at` and `reported` rest only on reports it may see. Results
 * stored before audiences were kept start at asOf for readers who are not admins, with
 * `reported` null.
 */
export function timelineFor(stored: StoredTimeline, reader: Reader) {
  const { firstReports, ...timeline } = stored;
  const first = new Map<string, number>();
  for (const f of firstReports ?? []) if (canSee(reader, f)) first.set(f.entityId, Math.min(first.get(f.entityId) ?? Infinity, f.hours));
  const times = [...first.values()];
  const reported = (hours: number) => (firstReports ? times.filter((t) => t <= hours + 1e-9).length : null);
  const points = timeline.points;
  const originMs = Date.parse(timeline.origin);
  const asOfHours = (Date.parse(timeline.asOf) - originMs) / 3_600_000;
  const admin = reader.role === 'admin';
  const start = admin ? 0 : !firstReports || times.length === 0 ? asOfHours : Math.min(...times);
  if (start <= 0 || points.length === 0) {
    return { ...timeline, points: points.map((p) => ({ ...p, reported: admin && !firstReports ? p.reported : reported(p.hours) })) };
  }
  const end = points[points.length - 1].hours;
  const width = (end - start) / points.length;
  return {
    ...timeline,
    origin: new Date(originMs + start * 3_600_000).toISOString(),
    points: points.map((_, k) => {
      const at = k === points.length - 1 ? end : start + (k + 1) * width;
      return { hours: at - start, at: new Date(originMs + at * 3_600_000).toISOString(), infections: infectionsAt(points, at), reported: reported(at) };
    }),
  };
}

/** The stored cumulative infections at `hours` (from the stored origin), linear between bin ends. */
function infectionsAt(points: StoredTimeline['points'], hours: number): Range {
  const i = points.findIndex((p) => p.hours >= hours);
  if (i <= 0) return points[Math.max(0, i)].infections;
  const a = points[i - 1];
  const b = points[i];
  const f = (hours - a.hours) / (b.hours - a.hours);
  const mix = (x: number, y: number) => x + (y - x) * f;
  return { ...b.infections, mean: mix(a.infections.mean, b.infections.mean), median: mix(a.infections.median, b.infections.median), low: mix(a.infections.low, b.infections.low), high: mix(a.infections.high, b.infections.high) };
}

/**
 * The summary for a reader whose views leave out `hidden` entities. The predictive check counts
 * and times the reported entities of all evidence, so next to the entities a reader sees reported
 * it would reveal how many (and roughly when) rest on reports hidden from it: such a reader gets
 * neither the check nor its warnings.
 */
export function summaryFor(summary: Summary, hidden: ReadonlyMap<string, unknown>): Summary {
  if (!hidden.size) return summary;
  const { predictiveCheck: _omitted, ...calibration } = summary.calibration;
  return {
    ...summary,
    protectedHits: summary.protectedHits.filter((h) => !hidden.has(h.entityId)),
    calibration,
  };
}

/**
 * The run's warnings for a reader whose views leave out `hidden` entities: without the predictive
 * check's, which quote the count of reported entities of all evidence (see summaryFor).
 */
export function warningsFor(warnings: readonly string[], hidden: ReadonlyMap<string, unknown>): string[] {
  return hidden.size ? warnings.filter((w) => !w.startsWith(PREDICTIVE_CHECK_WARNING)) : [...warnings];
}

/** `hiddenRows`: which rows `hidden` holds, by row (what a reader's every page would look up again). */
export function entitiesView(rows: EntityRow[], hidden: ReadonlyMap<string, unknown>, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }, hiddenRows?: Uint8Array) {
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

const VALUE_NAMES = ['entitiesInfected', 'entitiesDisrupted', 'lossUsd'] as const;
type ValueName = (typeof VALUE_NAMES)[number];

interface RollupRow {
  id: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  values: Record<ValueName, number>;
  /** Withheld rows: the entities summed in them. */
  entities?: number;
}

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

const WITHHELD = 'withheld';
/** The node of a group's organisations not on the page (level and key). */
const OTHERS = 'others';

/** Which part of the damage a rollup covers: all of it, or the collateral or intended part only. */
export type RollupPart = 'total' | 'collateral' | 'intended';

const partOf = (r: EntityRow): 'collateral' | 'intended' => (r.collateral ? 'collateral' : 'intended');

/** Entities of each part by country and sector (a missing one: `unknown`): what group sizes are read from. */
export type CellCounts = Map<string, Map<string, { collateral: number; intended: number }>>;

export function cellCounts(rows: readonly EntityRow[]): CellCounts {
  const out: CellCounts = new Map();
  for (const r of rows) {
    const c = r.country || UNKNOWN;
    const s = r.sector || UNKNOWN;
    let bySector = out.get(c);
    if (!bySector) out.set(c, (bySector = new Map()));
    let n = bySector.get(s);
    if (!n) bySector.set(s, (n = { collateral: 0, intended: 0 }));
    n[partOf(r)]++;
  }
  return out;
}

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
  opts: { part?: RollupPart; summary?: Summary; organizations?: OrganizationPage; memo?: RollupMemo } = {},
): RollupNode {
  const part = opts.part ?? 'total';
  const memo = opts.memo ?? {};

  const treeKey = `${part}/${levels.join(',')}`;
  let built = memo.trees?.get(treeKey);
  if (!built) {
    built = rollupTree(rows, levels, hidden, part, memo);
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
    const children = node.children;
    if (!page || !children || children[0].level !== 'organization') return false;
    node.organizations ??= children.filter((c) => c.key !== WITHHELD).length;
    return page.offset > 0 || node.organizations > page.limit;
  };
  const shown = (node: TreeNode): TreeNode[] => {
    const children = node.children!;
    if (!paged(node)) return children;
    const ranked = (node.byLoss ??= children.filter((c) => c.key !== WITHHELD).sort((a, b) => b.sums.lossUsd - a.sums.lossUsd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
    // The page in key order, and the withheld node where it sorts.
    const withheldNode = children.find((c) => c.key === WITHHELD);
    return [...ranked.slice(page!.offset, page!.offset + page!.limit), ...(withheldNode ? [withheldNode] : [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };
  const tree = hierarchy(root, (n) => (n.children ? shown(n) : undefined));

  const names = new Map<string, string | undefined>();
  /** `at`: the node's country and sector (null: not on its path), whether an organisation is above it. */
  type At = { country: string | null; sector: string | null; belowOrganization: boolean };
  const convert = (node: HierarchyNode<TreeNode>, at: At, groupPath: string): RollupNode => {
    const { id, level, key, sums } = node.data;
    const { entities, ...expected } = sums;
    const out: RollupNode = { id, level, key, count: entities, expected: { ...expected } };
    if (level === 'organization') {
      // Named below, once the organisations shown are known; the field keeps its place.
      names.set(key, undefined);
      out.name = undefined;
    }
    if (key === WITHHELD) out.withheld = true;
    if (level === 'world') out.ranges = worldRanges(opts.summary, part);
    if (level === 'country' || level === 'sector') {
      const hide = key === WITHHELD || at.belowOrganization || touched.has(groupPath);
      out.ranges = hide ? null : groups[groupKey(part, at.country, at.sector)] ?? storedBeforeParts(groupPath, at) ?? null;
    }
    out.value = sums.lossUsd;
    const child = (c: HierarchyNode<TreeNode>) => {
      const next: At =
        c.data.level === 'country' ? { ...at, country: c.data.key } : c.data.level === 'sector' ? { ...at, sector: c.data.key } : { ...at, belowOrganization: true };
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
        const on = new Set(listed.map((c) => c.data));
        const rest = node.data.children!.filter((c) => !on.has(c));
        others.set(pageKey, rest.length ? othersNode(node.data, rest) : null);
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
    const known = (memo.names ??= new Map());
    if ([...names.keys()].some((k) => !known.has(k))) {
      const wanted = new Set<string>();
      const collect = (n: TreeNode) => {
        if (n.level === 'organization' && !known.has(n.key)) wanted.add(n.key);
        n.children?.forEach(collect);
      };
      collect(root);
      for (const k of wanted) known.set(k, undefined);
      for (const r of rows) if (wanted.has(r.entityId)) known.set(r.entityId, r.name);
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

/** The rollup's tree, summed, and what its answer reads besides: the groups hidden entities left, group sizes. */
interface RollupTree {
  root: TreeNode;
  touched: Set<string>;
  size: (p: 'collateral' | 'intended', path: string) => number;
}

/** Trees kept per audience (RollupMemo.trees). */
const MAX_MEMO_TREES = 8;

function rollupTree(rows: readonly EntityRow[], levels: HierarchyLevel[], hidden: ReadonlyMap<string, SuppressionGroup>, part: RollupPart, memo: RollupMemo): RollupTree {
  // Group sizes over every row (hidden ones too), per part, by path of group keys
  // (organisation level excluded: it names entities), from the counts by country and sector.
  const groupLevels = levels.filter((l) => l !== 'organization');
  const keyOf = (r: { country: string | null; sector: string | null }, l: HierarchyLevel) => (l === 'country' ? r.country : r.sector) || UNKNOWN;
  const sizes = { collateral: new Map<string, number>(), intended: new Map<string, number>() };
  for (const [country, bySector] of (memo.cells ??= cellCounts(rows))) {
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
  const placed: number[] = [];
  const touched = new Set<string>();
  const withheld = new Map<string, RollupRow>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (part !== 'total' && partOf(r) !== part) continue;
    const fixed = hidden.size ? hidden.get(r.entityId) : undefined;
    if (!fixed) {
      placed.push(i);
      continue;
    }
    // Deepest group prefix with enough entities within the entity's suppression group (so a
    // withheld node sums whole suppression groups); the groups below it lose their ranges.
    let depth = 0;
    let path = '';
    const keys: string[] = [];
    for (const l of groupLevels) {
      const next = `${path}/${keyOf(r, l)}`;
      if (fixed[l as 'country' | 'sector'] === undefined || !holds(next)) break;
      path = next;
      keys.push(keyOf(r, l));
      depth++;
    }
    let p = '';
    for (let k = 0; k < groupLevels.length; k++) {
      p += `/${keyOf(r, groupLevels[k])}`;
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
    w.values.entitiesInfected += r.probabilityInfected.p;
    w.values.entitiesDisrupted += r.probabilityDisrupted.p;
    w.values.lossUsd += r.expectedLossUsd;
    w.entities = (w.entities ?? 0) + 1;
  }

  // Organisations: the top-level ancestor among the rows placed (withheld rows are their own).
  let organizationOf: (i: number) => string = () => UNKNOWN;
  if (levels.includes('organization')) {
    // The memo is the reader's audience's (the rows placed depend on what it may see).
    let tops = memo.organizations?.get(part);
    if (!tops) {
      tops = topsOf(rows, placed, withheld.size > 0);
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
  let last: { country: string; sector: string; organization: string; leaf: TreeNode } | undefined;
  for (const i of placed) {
    const r = rows[i];
    const country = r.country || UNKNOWN;
    const sector = r.sector || UNKNOWN;
    const organization = organizationOf(i) || UNKNOWN;
    // Rows of one leaf often follow each other (sites of an organisation): skip the walk.
    const leaf = last && last.country === country && last.sector === sector && last.organization === organization ? last.leaf : leafOf(country, sector, organization);
    last = { country, sector, organization, leaf };
    add(leaf, Number(r.probabilityInfected.p), Number(r.probabilityDisrupted.p), Number(r.expectedLossUsd), 1);
  }
  for (const w of withheld.values()) add(leafOf(w.country || UNKNOWN, w.sector || UNKNOWN, WITHHELD), w.values.entitiesInfected, w.values.entitiesDisrupted, w.values.lossUsd, w.entities!);
  sumUp(root);
  return { root, touched, size };
}

/** A node of the rollup's tree before d3 gets it: its children by key while it is built, then sorted. */
interface TreeNode {
  id: string;
  level: 'world' | HierarchyLevel;
  key: string;
  sums: Record<ValueName | 'entities', number>;
  byKey?: Map<string, TreeNode>;
  children?: TreeNode[];
  /** Its children by expected loss (ties by key), once a page of them was asked for. */
  byLoss?: TreeNode[];
  /** Its organisations (a withheld node aside), and the `others` node of each page asked for. */
  organizations?: number;
  others?: Map<string, RollupNode | null>;
}

const treeNode = (id: string, level: TreeNode['level'], key: string): TreeNode => ({ id, level, key, sums: { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0, entities: 0 } });

/** The organisations of `parent` not on a page, as one node: their sums in key order, how many. */
function othersNode(parent: TreeNode, rest: readonly TreeNode[]): RollupNode {
  const sums = { entitiesInfected: 0, entitiesDisrupted: 0, lossUsd: 0, entities: 0 };
  for (const c of rest) for (const n of Object.keys(sums) as Array<keyof typeof sums>) sums[n] += c.sums[n];
  const { entities, ...expected } = sums;
  return { id: `${parent.id}/${OTHERS}`, level: OTHERS, key: OTHERS, count: entities, expected, value: expected.lossUsd, others: rest.length };
}

/** Children in key order, each summed before its parent, a parent's sums in that order (d3's sort, then eachAfter). */
function sumUp(node: TreeNode): void {
  if (!node.byKey) return;
  node.children = [...node.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  node.byKey = undefined;
  for (const c of node.children) {
    sumUp(c);
    for (const n of Object.keys(node.sums) as Array<ValueName | 'entities'>) node.sums[n] += c.sums[n];
  }
}

/**
 * Each placed row's top-level ancestor among the placed rows (and a `withheld` row when there is
 * one), as topLevelAncestors gives: the chain stops at a parent not placed, or on a cycle, and
 * rows are resolved in order (which fixes where a cycle is cut).
 */
function topsOf(rows: readonly EntityRow[], placed: readonly number[], withWithheld: boolean): string[] {
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
  const seen = new Int32Array(rows.length);
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
      const p = rows[i].parentId;
      if (p === null || p === undefined) {
        root = rows[i].entityId;
        break;
      }
      // The withheld rows have no parent: a chain reaching one ends there.
      if (withWithheld && p === WITHHELD) {
        root = WITHHELD;
        break;
      }
      const j = index.get(p);
      if (j === undefined || seen[j] === start + 1) {
        root = rows[i].entityId;
        break;
      }
      i = j;
    }
    for (const c of chain) out[c] = root;
  }
  return out;
}

/** The world's ranges: the summary's figures of the part (the same for every reader). */
function worldRanges(summary: Summary | undefined, part: RollupPart): GroupStat | null {
  const f = summary?.[part];
  if (!f) return null;
  return { key: 'world', entitiesInfected: f.entitiesInfected, entitiesDisrupted: f.entitiesDisrupted, lossUsd: f.lossUsd.total, populationAffected: f.populationAffected };
}

/**
 * Unreported entities by P(infected within `withinHours` of asOf), each with its most likely
 * path from a reported infection. The core computes these probabilities on a grid of windows;
 * between two windows the probability is interpolated linearly (it is non-decreasing in the
 * window, and an entity absent from a window's list counts as below that list). `only`: these
 * entities alone (a reader's own organisation's), filtered before the limit.
 */
export function earlyWarningView(w: WarningData, rows: readonly EntityRow[] | ReadonlyMap<string, EntityRow>, hidden: ReadonlyMap<string, unknown>, withinHours: number, limit: number, collateral?: boolean, only?: ReadonlySet<string>) {
  const byId = rows instanceof Map ? rows : warningRows(w, rows as readonly EntityRow[]);
  const windows = [...w.windows].sort((a, b) => a.withinHours - b.withinHours);
  let lo = windows.filter((x) => x.withinHours <= withinHours).pop();
  let hi = windows.find((x) => x.withinHours >= withinHours);
  if (!hi) hi = lo;
  if (!lo) lo = undefined;
  const pick = new Map<string, { p: number; low: number; high: number; path: string[] }>();
  const t = lo && hi && hi.withinHours > lo.withinHours ? (withinHours - lo.withinHours) / (hi.withinHours - lo.withinHours) : 1;
  const loP = new Map((lo?.entities ?? []).map((e) => [e.entityId, e]));
  for (const e of hi?.entities ?? []) {
    const a = loP.get(e.entityId);
    const base = lo ? (a?.probability.p ?? 0) : 0;
    const f = lo ? t : hi!.withinHours > 0 ? Math.min(1, withinHours / hi!.withinHours) : 1;
    pick.set(e.entityId, {
      p: base + (e.probability.p - base) * f,
      low: (lo ? (a?.probability.low ?? 0) : 0) + (e.probability.low - (lo ? (a?.probability.low ?? 0) : 0)) * f,
      high: (lo ? (a?.probability.high ?? 0) : 0) + (e.probability.high - (lo ? (a?.probability.high ?? 0) : 0)) * f,
      path: e.path,
    });
  }
  const isCollateral = (id: string) => byId.get(id)?.collateral ?? true;
  const ranked = [...pick.entries()]
    .filter(([id, e]) => !hidden.has(id) && e.p > 0 && (collateral === undefined || isCollateral(id) === collateral) && (!only || only.has(id)))
    .sort((a, b) => b[1].p - a[1].p || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit);
  return {
    withinHours,
    windowsComputed: windows.map((x) => x.withinHours),
    items: ranked.map(([id, e]) => {
      const row = byId.get(id);
      return {
        entityId: id,
        name: row?.name ?? id,
        country: row?.country ?? null,
        sector: row?.sector ?? null,
        protected: !!row?.protected,
        collateral: isCollateral(id),
        probability: { p: e.p, low: e.low, high: e.high },
        path: e.path.map((pid) =>
          hidden.has(pid)
            ? { entityId: null, name: 'withheld (restricted report)', reported: true }
            : { entityId: pid, name: byId.get(pid)?.name ?? pid, reported: !!byId.get(pid)?.reported },
        ),
      };
    }),
  };
}

/**
 * The rows of the entities the early warning names (ranked or on a path), by id: what its view
 * reads, without an index of every entity (a million-entity assessment lists a few thousand).
 */
export function warningRows(w: WarningData, rows: readonly EntityRow[]): Map<string, EntityRow> {
  const named = new Set<string>();
  for (const x of w.windows) {
    for (const e of x.entities) {
      named.add(e.entityId);
      for (const id of e.path) named.add(id);
    }
  }
  const out = new Map<string, EntityRow>();
  for (const r of rows) if (named.has(r.entityId)) out.set(r.entityId, r);
  return out;
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function runsCsv(runs: AssessmentParts['runs']): string {
  const lines = [runs.columns.map(csvCell).join(',')];
  for (const row of runs.rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export type { Range };
