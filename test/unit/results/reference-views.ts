/**
 * The result views as they were before issue 16 (src/results/views.ts at 76a970c), kept as the
 * oracle of the indexed ones: each answer of the new views must equal these, to the last bit.
 */
import { buildHierarchy, HierarchyLevel, hierarchyToJson, HierarchyJson } from '../../../src/graph/hierarchy';
import { groupKey, type EntityRow, type WarningData } from '../../../src/results/result-parts';
import type { GroupStat, Summary } from '../../../src/results/result-types';
import type { RollupNode, RollupPart } from '../../../src/results/rollup-view';
import { MIN_GROUP, type SuppressionGroup } from '../../../src/results/suppression';

export function referenceSuppressionFor(rows: readonly EntityRow[], hidden: Set<string>): Map<string, SuppressionGroup> {
  const out = new Map<string, SuppressionGroup>();
  if (!hidden.size) return out;
  const key = (country?: string, sector?: string) => `${country ?? '*'}/${sector ?? '*'}`;
  const sizes = new Map<string, { collateral: number; intended: number }>();
  const members = new Map<string, string[]>();
  const place = (r: EntityRow) => {
    const c = r.country || 'unknown';
    const s = r.sector || 'unknown';
    return [key(c, s), key(c), key()];
  };
  for (const r of rows) {
    for (const k of place(r)) {
      const n = sizes.get(k) ?? { collateral: 0, intended: 0 };
      n[r.collateral ? 'collateral' : 'intended']++;
      sizes.set(k, n);
      if (!members.has(k)) members.set(k, []);
      members.get(k)!.push(r.entityId);
    }
  }
  const holds = (k: string) => {
    const n = sizes.get(k)!;
    return n.collateral + n.intended >= MIN_GROUP && [n.collateral, n.intended].every((x) => x === 0 || x >= MIN_GROUP);
  };
  const done = new Set<string>();
  for (const r of rows) {
    if (!hidden.has(r.entityId)) continue;
    const [cell, country, world] = place(r);
    const c = r.country || 'unknown';
    const s = r.sector || 'unknown';
    const [k, group]: [string, SuppressionGroup] = holds(cell) ? [cell, { country: c, sector: s }] : holds(country) ? [country, { country: c }] : [world, {}];
    if (done.has(k)) continue;
    done.add(k);
    for (const id of members.get(k)!) if (!out.has(id) || Object.keys(out.get(id)!).length > Object.keys(group).length) out.set(id, group);
  }
  return out;
}

export function referenceEntitiesView(rows: EntityRow[], hidden: ReadonlyMap<string, unknown>, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }) {
  let items = rows.filter((r) => !hidden.has(r.entityId));
  if (q.collateral !== undefined) items = items.filter((r) => r.collateral === q.collateral);
  const key = q.sort === 'loss' ? (r: EntityRow) => r.expectedLossUsd : (r: EntityRow) => r.probabilityInfected.p;
  return { total: items.length, items: firstRows(items, q.limit, (a, b) => key(b) - key(a) || (a.entityId < b.entityId ? -1 : 1)) };
}

/**
 * The first `limit` rows in `order`, as sorting them all would give, kept in a sorted list of
 * `limit` rows instead: a page of a million-entity assessment took 1.9 s to sort per request.
 */
function firstRows<T>(rows: readonly T[], limit: number, order: (a: T, b: T) => number): T[] {
  const top: T[] = [];
  for (const r of rows) {
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

const WITHHELD = 'withheld';


const partOf = (r: EntityRow): 'collateral' | 'intended' => (r.collateral ? 'collateral' : 'intended');

/**
 * The rollup: world > levels, built with d3-hierarchy (src/graph/hierarchy.ts). Expected
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
 */
export function referenceRollupView(
  rows: EntityRow[],
  groups: Record<string, GroupStat>,
  levels: HierarchyLevel[],
  hidden: ReadonlyMap<string, SuppressionGroup>,
  opts: { part?: RollupPart; summary?: Summary } = {},
): RollupNode {
  const part = opts.part ?? 'total';
  const selected = part === 'total' ? rows : rows.filter((r) => partOf(r) === part);
  const base: RollupRow[] = selected.map((r) => ({
    id: r.entityId,
    parentId: r.parentId,
    country: r.country,
    sector: r.sector,
    values: {
      entitiesInfected: r.probabilityInfected.p,
      entitiesDisrupted: r.probabilityDisrupted.p,
      lossUsd: r.expectedLossUsd,
    },
  }));
  // `entities`: how many entities a row stands for (a withheld row, all it sums), so counts are true.
  const accessors = {
    ...(Object.fromEntries(VALUE_NAMES.map((n) => [n, (r: RollupRow) => r.values[n]])) as Record<ValueName, (r: RollupRow) => number>),
    entities: (r: RollupRow) => r.entities ?? 1,
  };
  const names = new Map(rows.map((r) => [r.entityId, r.name]));

  // Group sizes over every row (hidden ones too), per part, by path of group keys
  // (organisation level excluded: it names entities).
  const groupLevels = levels.filter((l) => l !== 'organization');
  const keyOf = (r: { country: string | null; sector: string | null }, l: HierarchyLevel) => (l === 'country' ? r.country : r.sector) || 'unknown';
  const sizes = { collateral: new Map<string, number>(), intended: new Map<string, number>() };
  for (const r of rows) {
    const m = sizes[partOf(r)];
    let path = '';
    m.set(path, (m.get(path) ?? 0) + 1);
    for (const l of groupLevels) {
      path += `/${keyOf(r, l)}`;
      m.set(path, (m.get(path) ?? 0) + 1);
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

  let input = base;
  const touched = new Set<string>();
  if (hidden.size) {
    const withheld = new Map<string, RollupRow>();
    input = [];
    for (const r of base) {
      if (!hidden.has(r.id)) {
        input.push(r);
        continue;
      }
      // Deepest group prefix with enough entities within the entity's suppression group (so a
      // withheld node sums whole suppression groups); the groups below it lose their ranges.
      const fixed = hidden.get(r.id)!;
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
      for (let i = 0; i < groupLevels.length; i++) {
        p += `/${keyOf(r, groupLevels[i])}`;
        if (i >= depth) touched.add(p);
      }
      const slot = `${path}`;
      let w = withheld.get(slot);
      if (!w) {
        const field = (l: 'country' | 'sector') => {
          const i = groupLevels.indexOf(l);
          return i >= 0 && i < depth ? keys[i] : WITHHELD;
        };
        w = {
          id: WITHHELD,
          parentId: null,
          country: field('country'),
          sector: field('sector'),
          values: Object.fromEntries(VALUE_NAMES.map((n) => [n, 0])) as Record<ValueName, number>,
        };
        withheld.set(slot, w);
      }
      for (const n of VALUE_NAMES) w.values[n] += r.values[n];
      w.entities = (w.entities ?? 0) + 1;
    }
    input.push(...withheld.values());
  }

  /**
   * Results stored before parts existed hold first-level totals only: a group with no entity of
   * the other part has the part's figures there (the same per-run totals), as it had then.
   */
  const storedBeforeParts = (groupPath: string, at: { country: string | null; sector: string | null }) =>
    part !== 'total' && (at.country === null || at.sector === null) && size(other, groupPath) === 0 && size(part, groupPath) > 0
      ? groups[groupKey('total', at.country, at.sector)]
      : undefined;

  const root = buildHierarchy(input, levels, accessors);
  const json = hierarchyToJson(root);
  /** `at`: the node's country and sector (null: not on its path), whether an organisation is above it. */
  type At = { country: string | null; sector: string | null; belowOrganization: boolean };
  const convert = (node: HierarchyJson<ValueName | 'entities'>, at: At, groupPath: string): RollupNode => {
    const { entities, ...expected } = node.sums;
    const out: RollupNode = { id: node.id, level: node.level, key: node.key, count: entities, expected };
    if (node.level === 'organization' && names.has(node.key)) out.name = names.get(node.key);
    if (node.key === WITHHELD) out.withheld = true;
    if (node.level === 'world') out.ranges = worldRanges(opts.summary, part);
    if (node.level === 'country' || node.level === 'sector') {
      const hide = node.key === WITHHELD || at.belowOrganization || touched.has(groupPath);
      out.ranges = hide ? null : groups[groupKey(part, at.country, at.sector)] ?? storedBeforeParts(groupPath, at) ?? null;
    }
    out.value = node.sums.lossUsd;
    if (node.children) {
      out.children = node.children.map((c) => {
        const next: At =
          c.level === 'country' ? { ...at, country: c.key } : c.level === 'sector' ? { ...at, sector: c.key } : { ...at, belowOrganization: true };
        const gp = c.level === 'organization' ? groupPath : `${groupPath}/${c.key}`;
        return convert(c as HierarchyJson<ValueName | 'entities'>, next, gp);
      });
    }
    return out;
  };
  return convert(json, { country: null, sector: null, belowOrganization: false }, '');
}

/** The world's ranges: the summary's figures of the part (the same for every reader). */
function worldRanges(summary: Summary | undefined, part: RollupPart): GroupStat | null {
  const f = summary?.[part];
  if (!f) return null;
  return { key: 'world', entitiesInfected: f.entitiesInfected, entitiesDisrupted: f.entitiesDisrupted, lossUsd: f.lossUsd.total, populationAffected: f.populationAffected };
}

export function referenceEarlyWarningView(w: WarningData, rows: EntityRow[], hidden: ReadonlyMap<string, unknown>, withinHours: number, limit: number, collateral?: boolean, only?: ReadonlySet<string>) {
  const byId = new Map(rows.map((r) => [r.entityId, r]));
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

