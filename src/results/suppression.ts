/**
 * Which entities a reader's entity-level views leave out: those whose state rests only on reports
 * the reader may not see (TLP AMBER+STRICT or RED of another organisation), never alone but with
 * their whole suppression group.
 */
import { anyVisible, Audience, Reader } from '../tlp/policy';
import { UNKNOWN } from '../graph/hierarchy';
import type { EntityRow, AssessmentParts } from './result-parts';

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
  // The groups chosen from the counts by cell, then their members: no member list per entity.
  const hiddenCells: Array<[string, string]> = [];
  for (const r of rows) if (hidden.has(r.entityId)) hiddenCells.push([r.country || UNKNOWN, r.sector || UNKNOWN]);
  const plan = suppressionPlan(cellCounts(rows), hiddenCells);
  if (!plan.size) return out;
  for (const r of rows) {
    const g = plan.groupOf(r.country || UNKNOWN, r.sector || UNKNOWN);
    if (g) out.set(r.entityId, g);
  }
  return out;
}

/**
 * The suppression groups of suppressionFor, chosen from the counts by cell and the cells of the
 * hidden entities: every entity of a cell is in the same group, so a view that reads a few rows
 * (or a column of cells) needs neither the others nor their ids.
 */
export interface SuppressionPlan {
  /** The group of the entities of this cell (country and sector, `unknown` for a missing one), if any. */
  groupOf(country: string, sector: string): SuppressionGroup | undefined;
  /** How many entities are left out (suppressionFor's size). */
  size: number;
}

export function suppressionPlan(cells: CellCounts, hiddenCells: Iterable<readonly [string, string]>): SuppressionPlan {
  type Sizes = { collateral: number; intended: number };
  const countries = new Map<string, Sizes>();
  for (const [country, bySector] of cells) {
    const n: Sizes = { collateral: 0, intended: 0 };
    for (const m of bySector.values()) {
      n.collateral += m.collateral;
      n.intended += m.intended;
    }
    countries.set(country, n);
  }
  const holds = (n: Sizes) => n.collateral + n.intended >= MIN_GROUP && [n.collateral, n.intended].every((x) => x === 0 || x >= MIN_GROUP);
  const chosenCells = new Map<string, SuppressionGroup>();
  const chosenCountries = new Map<string, SuppressionGroup>();
  let chosenWorld: SuppressionGroup | undefined;
  for (const [c, s] of hiddenCells) {
    if (holds(cells.get(c)!.get(s)!)) {
      if (!chosenCells.has(`${c}\u0000${s}`)) chosenCells.set(`${c}\u0000${s}`, { country: c, sector: s });
    } else if (holds(countries.get(c)!)) {
      if (!chosenCountries.has(c)) chosenCountries.set(c, { country: c });
    } else chosenWorld ??= {};
  }
  // An entity in several chosen groups (its cell, its country, the world) is in the widest.
  const groupOf = (c: string, s: string) => chosenWorld ?? chosenCountries.get(c) ?? chosenCells.get(`${c}\u0000${s}`);
  let size = 0;
  if (chosenWorld || chosenCountries.size || chosenCells.size) {
    for (const [c, bySector] of cells) for (const [s, n] of bySector) if (groupOf(c, s)) size += n.collateral + n.intended;
  }
  return { groupOf, size };
}

/**
 * What an entity-level view asks of the suppression: a Map from suppressionFor, or (for views that
 * read only some rows) suppressionAmong's.
 */
export type Suppressed<V = SuppressionGroup> = Pick<ReadonlyMap<string, V>, 'size' | 'has' | 'get'>;

/**
 * The suppression of `plan` for a view that asks only about these rows' ids (the rows the early
 * warning names, a page's candidates): `size` counts every entity left out, as suppressionFor's.
 * The rows' ids are unique (entity-index.ts stores its parts only then).
 */
export function suppressionAmong(rows: readonly EntityRow[], plan: SuppressionPlan): Suppressed {
  const groups = new Map<string, SuppressionGroup>();
  if (plan.size) {
    for (const r of rows) {
      const g = plan.groupOf(r.country || UNKNOWN, r.sector || UNKNOWN);
      if (g) groups.set(r.entityId, g);
    }
  }
  return { size: plan.size, has: (id) => groups.has(id), get: (id) => groups.get(id) };
}

/** Ids of entities this reader must not see at entity level: none of their reports is visible to it. */
export function hiddenFor(restricted: AssessmentParts['restricted'], reader: Reader): Set<string> {
  const audiences = (list: Array<Audience | string>): Audience[] => list.map((a) => (typeof a === 'string' ? { tlp: 'red', organizationId: a } : a));
  return new Set(Object.entries(restricted).filter(([, list]) => !anyVisible(audiences(list), reader)).map(([id]) => id));
}

export const partOf = (r: EntityRow): 'collateral' | 'intended' => (r.collateral ? 'collateral' : 'intended');

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
