/**
 * What each reader sees of a stored result. Aggregates (the summary's totals, the timeline,
 * runs) are the same for everyone; entity-level views leave out an entity whose state rests
 * only on reports the reader may not see (TLP AMBER+STRICT or RED of another organisation),
 * and the rollup counts such an entity only in groups of at least five entities.
 */
import type { Principal } from '../auth/principal';
import { buildHierarchy, HierarchyLevel, hierarchyToJson, HierarchyJson } from '../graph/hierarchy';
import type { EntityRow, ResultParts, StoredTimeline, WarningData } from './result-parts';
import type { GroupStat, Range, Summary } from './result-types';

/** The smallest group an entity hidden from the reader may be counted in. */
export const MIN_GROUP = 5;

/** Ids of entities this reader must not see at entity level. */
export function hiddenFor(restricted: Record<string, string[]>, reader: Principal): Set<string> {
  if (reader.role === 'admin') return new Set();
  return new Set(Object.entries(restricted).filter(([, orgs]) => !orgs.includes(reader.organizationId)).map(([id]) => id));
}

export function summaryFor(summary: Summary, hidden: Set<string>): Summary {
  if (!hidden.size) return summary;
  return { ...summary, protectedHits: summary.protectedHits.filter((h) => !hidden.has(h.entityId)) };
}

export function entitiesView(rows: EntityRow[], hidden: Set<string>, q: { sort: 'probability' | 'loss'; collateral?: boolean; limit: number }) {
  let items = rows.filter((r) => !hidden.has(r.entityId));
  if (q.collateral !== undefined) items = items.filter((r) => r.collateral === q.collateral);
  const key = q.sort === 'loss' ? (r: EntityRow) => r.expectedLossUsd.total : (r: EntityRow) => r.probabilityInfected.estimate;
  items = [...items].sort((a, b) => key(b) - key(a) || (a.entityId < b.entityId ? -1 : 1));
  return { total: items.length, items: items.slice(0, q.limit) };
}

const VALUE_NAMES = ['entitiesInfected', 'entitiesDisrupted', 'lossDirectUsd', 'lossIndirectUsd', 'lossTotalUsd', 'populationAffected'] as const;
type ValueName = (typeof VALUE_NAMES)[number];

interface RollupRow {
  id: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  values: Record<ValueName, number>;
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
  /** Ranges of the per-run group totals, at the country and sector levels. */
  ranges?: GroupStat | null;
  withheld?: boolean;
  value?: number;
  children?: RollupNode[];
}

const WITHHELD = 'withheld';

/**
 * The rollup: world > levels, built with d3-hierarchy (src/graph/hierarchy.ts). Expected
 * values at every node (children sum to parents); ranges at country and sector nodes. An
 * entity hidden from the reader is moved up to the deepest group of at least MIN_GROUP
 * entities, into a child named `withheld`; groups it left lose their ranges (which counted it).
 */
export function rollupView(rows: EntityRow[], groups: Record<string, GroupStat>, levels: HierarchyLevel[], hidden: Set<string>): RollupNode {
  const base: RollupRow[] = rows.map((r) => ({
    id: r.entityId,
    parentId: r.parentId,
    country: r.country,
    sector: r.sector,
    values: {
      entitiesInfected: r.probabilityInfected.estimate,
      entitiesDisrupted: r.probabilityDisrupted.estimate,
      lossDirectUsd: r.expectedLossUsd.direct,
      lossIndirectUsd: r.expectedLossUsd.indirect,
      lossTotalUsd: r.expectedLossUsd.total,
      populationAffected: r.expectedPopulationAffected,
    },
  }));
  const accessors = Object.fromEntries(VALUE_NAMES.map((n) => [n, (r: RollupRow) => r.values[n]])) as Record<ValueName, (r: RollupRow) => number>;
  const names = new Map(rows.map((r) => [r.entityId, r.name]));

  let input = base;
  const touched = new Set<string>();
  if (hidden.size) {
    // Group sizes over every row, by path of group keys (organisation level excluded: it names entities).
    const groupLevels = levels.filter((l) => l !== 'organization');
    const keyOf = (r: RollupRow, l: HierarchyLevel) => (l === 'country' ? r.country : r.sector) || 'unknown';
    const sizes = new Map<string, number>();
    for (const r of base) {
      let path = '';
      sizes.set(path, (sizes.get(path) ?? 0) + 1);
      for (const l of groupLevels) {
        path += `/${keyOf(r, l)}`;
        sizes.set(path, (sizes.get(path) ?? 0) + 1);
      }
    }
    const withheld = new Map<string, RollupRow>();
    input = [];
    for (const r of base) {
      if (!hidden.has(r.id)) {
        input.push(r);
        continue;
      }
      // Deepest group prefix with enough entities; the groups below it lose their ranges.
      let depth = 0;
      let path = '';
      const keys: string[] = [];
      for (const l of groupLevels) {
        const next = `${path}/${keyOf(r, l)}`;
        if ((sizes.get(next) ?? 0) < MIN_GROUP) break;
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
    }
    input.push(...withheld.values());
  }

  const root = buildHierarchy(input, levels, accessors);
  const json = hierarchyToJson(root);
  const convert = (node: HierarchyJson<ValueName>, path: string[], groupPath: string): RollupNode => {
    const out: RollupNode = { id: node.id, level: node.level, key: node.key, count: node.count, expected: node.sums };
    if (node.level === 'organization' && names.has(node.key)) out.name = names.get(node.key);
    if (node.key === WITHHELD) out.withheld = true;
    if (node.level === 'country' || node.level === 'sector') {
      const groupKey = path.join('/');
      out.ranges = node.key === WITHHELD || touched.has(groupPath) ? null : groups[groupKey] ?? null;
    }
    out.value = node.sums.lossTotalUsd;
    if (node.children) {
      out.children = node.children.map((c) => {
        const seg = c.level === 'organization' ? path : [...path, `${c.level}:${c.key}`];
        const gp = c.level === 'organization' ? groupPath : `${groupPath}/${c.key}`;
        return convert(c as HierarchyJson<ValueName>, seg, gp);
      });
    }
    return out;
  };
  return convert(json, [], '');
}

export function timelineView(t: StoredTimeline) {
  return t;
}

/** Unreported entities by P(infected within `withinHours` of asOf), each with its most likely path from a report. */
export function earlyWarningView(w: WarningData, rows: EntityRow[], hidden: Set<string>, withinHours: number, limit: number) {
  const byId = new Map(rows.map((r) => [r.entityId, r]));
  const at = (curve: number[]) => {
    const h = w.hours;
    if (!h.length) return 0;
    if (withinHours <= h[0]) return curve[0] * (h[0] > 0 ? withinHours / h[0] : 1);
    for (let i = 1; i < h.length; i++) {
      if (withinHours <= h[i]) return curve[i - 1] + ((curve[i] - curve[i - 1]) * (withinHours - h[i - 1])) / (h[i] - h[i - 1]);
    }
    return curve[curve.length - 1];
  };
  const ranked = w.entities
    .filter((e) => !hidden.has(e.entityId))
    .map((e) => ({ entityId: e.entityId, probability: at(e.pInfectedBy) }))
    .filter((e) => e.probability > 0)
    .sort((a, b) => b.probability - a.probability || (a.entityId < b.entityId ? -1 : 1))
    .slice(0, limit);
  return {
    withinHours,
    items: ranked.map((e) => {
      const row = byId.get(e.entityId);
      const path: Array<{ entityId: string | null; name: string; reported: boolean }> = [];
      const seen = new Set<string>([e.entityId]);
      let cur = w.infectors[e.entityId];
      while (cur && !seen.has(cur) && path.length < 50) {
        seen.add(cur);
        const r = byId.get(cur);
        if (hidden.has(cur)) path.unshift({ entityId: null, name: 'withheld (restricted report)', reported: true });
        else path.unshift({ entityId: cur, name: r?.name ?? cur, reported: !!r?.reported });
        if (r?.reported) break;
        cur = w.infectors[cur];
      }
      return {
        entityId: e.entityId,
        name: row?.name ?? e.entityId,
        country: row?.country ?? null,
        sector: row?.sector ?? null,
        protected: !!row?.protected,
        collateral: row?.collateral ?? true,
        probability: e.probability,
        path: [...path, { entityId: e.entityId, name: row?.name ?? e.entityId, reported: false }],
      };
    }),
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function runsCsv(runs: ResultParts['runs']): string {
  const lines = [runs.columns.map(csvCell).join(',')];
  for (const row of runs.rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export type { Range };
