/** The early warning as a reader sees it. */
import type { EntityRow, WarningData } from './result-parts';
import type { Suppressed } from './suppression';

/**
 * Unreported entities by P(infected within `withinHours` of asOf), each with its most likely
 * path from a reported infection. The core computes these probabilities on a grid of windows;
 * between two windows the probability is interpolated linearly (it is non-decreasing in the
 * window, and an entity absent from a window's list counts as below that list). `only`: these
 * entities alone (a reader's own organisation's), filtered before the limit.
 */
export function earlyWarningView(w: WarningData, rows: readonly EntityRow[] | ReadonlyMap<string, EntityRow>, hidden: Suppressed<unknown>, withinHours: number, limit: number, collateral?: boolean, only?: ReadonlySet<string>) {
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
