/**
 * What each reader sees of a stored result. Aggregates (the summary's totals, the timeline,
 * runs) are the same for everyone; entity-level views leave out an entity whose state rests
 * only on reports the reader may not see (TLP AMBER+STRICT or RED of another organisation),
 * and the rollup counts such an entity only in groups of at least five entities.
 */
import { anyVisible, Audience, canSee, Reader } from '../tlp/policy';
import { buildHierarchy, HierarchyLevel, hierarchyToJson, HierarchyJson } from '../graph/hierarchy';
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

export function entitiesView(rows: EntityRow[], hidden: ReadonlyMap<string, unknown>, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }) {
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
}

const WITHHELD = 'withheld';

/** Which part of the damage a rollup covers: all of it, or the collateral or intended part only. */
export type RollupPart = 'total' | 'collateral' | 'intended';

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
export function rollupView(
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

/**
 * Unreported entities by P(infected within `withinHours` of asOf), each with its most likely
 * path from a reported infection. The core computes these probabilities on a grid of windows;
 * between two windows the probability is interpolated linearly (it is non-decreasing in the
 * window, and an entity absent from a window's list counts as below that list). `only`: these
 * entities alone (a reader's own organisation's), filtered before the limit.
 */
export function earlyWarningView(w: WarningData, rows: EntityRow[], hidden: ReadonlyMap<string, unknown>, withinHours: number, limit: number, collateral?: boolean, only?: ReadonlySet<string>) {
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
