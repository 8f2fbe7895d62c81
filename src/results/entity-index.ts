/**
 * Parts stored beside `entities` when an assessment finishes, so that a read does not parse the
 * whole entities part (435 MB of JSON at a million entities, 4-16 s before any view): the counts
 * by cell and the restricted entities' cells (suppression follows from them), the rows the early
 * warning and the summary name, the first rows of each part by probability and by loss (entity
 * pages), and the rollup's per-row columns as base64 typed arrays. Jobs stored before them (or
 * whose rows these parts cannot stand for, see entityIndexParts) are read from `entities`.
 */
import { UNKNOWN } from '../graph/hierarchy';
import { entitiesView } from './entities-view';
import type { AssessmentParts, EntityRow } from './result-parts';
import type { CellCounts } from './suppression';

/** The first rows of each part kept per order: the largest page a route serves. */
export const TOP_ENTITIES = 10_000;

/** The entities' (country, sector) cells (`unknown` for a missing one) and who is restricted in which. */
export interface EntityCells {
  /** Each cell with its entities of each part, in cellCounts' order. */
  cells: Array<{ country: string; sector: string; collateral: number; intended: number }>;
  /** The cell (index in `cells`) of each entity the `restricted` part names that is a row. */
  restricted: Record<string, number>;
}

/** The first TOP_ENTITIES rows of each part in an entity page's order (all of a part that has fewer). */
export interface TopEntities {
  collateral: EntityRow[];
  intended: EntityRow[];
}

/**
 * What the rollup reads of every row, in row order, each a little-endian typed array in base64:
 * decoded in milliseconds where the rows' JSON takes seconds.
 */
export interface EntityColumns {
  count: number;
  /** Uint32: the row's cell (EntityCells.cells). */
  cell: string;
  /** Uint8: 1 for a collateral entity. */
  collateral: string;
  /** Float64: probability of infection, of disruption, expected loss (USD). */
  infected: string;
  disrupted: string;
  loss: string;
}

/** What the rollup down to organisations reads besides: parents by row, ids and names. */
export interface EntityLinks {
  /** Int32 in base64: the parent's row, NO_PARENT (none, or not a row), WITHHELD_PARENT (the id `withheld`). */
  parent: string;
  ids: string[];
  names: string[];
}

export const NO_PARENT = -1;
export const WITHHELD_PARENT = -2;

export interface EntityIndexParts {
  entityCells: EntityCells;
  namedEntities: EntityRow[];
  entitiesByProbability: TopEntities;
  entitiesByLoss: TopEntities;
  entityColumns: EntityColumns;
  entityLinks: EntityLinks;
}

/**
 * The parts, or null when the rows are such that the reads through them could differ from the
 * reads of `entities` (then every read uses `entities`, as for jobs stored before): an id
 * repeated or named `withheld` (suppression and organisations are keyed by id), a figure not
 * finite (JSON stores it as null).
 */
export function entityIndexParts(parts: Pick<AssessmentParts, 'entities' | 'earlyWarning' | 'summary' | 'restricted'>): EntityIndexParts | null {
  const rows = parts.entities;
  const index = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (index.has(r.entityId) || r.entityId === 'withheld') return null;
    if (![r.probabilityInfected.p, r.probabilityDisrupted.p, r.expectedLossUsd].every(Number.isFinite)) return null;
    index.set(r.entityId, i);
  }

  const cellIndex = new Map<string, Map<string, number>>();
  const cellOf = new Uint32Array(rows.length);
  const list: EntityCells['cells'] = [];
  // Cells numbered in cellCounts' order (countries by first row, then their sectors by first row).
  for (const r of rows) {
    const c = r.country || UNKNOWN;
    const s = r.sector || UNKNOWN;
    let bySector = cellIndex.get(c);
    if (!bySector) cellIndex.set(c, (bySector = new Map()));
    if (!bySector.has(s)) bySector.set(s, -1);
  }
  for (const [country, bySector] of cellIndex) {
    for (const sector of bySector.keys()) {
      bySector.set(sector, list.length);
      list.push({ country, sector, collateral: 0, intended: 0 });
    }
  }
  const collateral = new Uint8Array(rows.length);
  const infected = new Float64Array(rows.length);
  const disrupted = new Float64Array(rows.length);
  const loss = new Float64Array(rows.length);
  const parent = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const k = cellIndex.get(r.country || UNKNOWN)!.get(r.sector || UNKNOWN)!;
    cellOf[i] = k;
    list[k][r.collateral ? 'collateral' : 'intended']++;
    collateral[i] = r.collateral ? 1 : 0;
    // + 0: JSON stores -0 as 0.
    infected[i] = r.probabilityInfected.p + 0;
    disrupted[i] = r.probabilityDisrupted.p + 0;
    loss[i] = r.expectedLossUsd + 0;
    parent[i] = r.parentId === null || r.parentId === undefined ? NO_PARENT : r.parentId === 'withheld' ? WITHHELD_PARENT : (index.get(r.parentId) ?? NO_PARENT);
  }
  const restricted: Record<string, number> = {};
  for (const id of Object.keys(parts.restricted)) {
    const i = index.get(id);
    if (i !== undefined) restricted[id] = cellOf[i];
  }

  const named = new Set<string>();
  for (const w of parts.earlyWarning.windows) {
    for (const e of w.entities) {
      named.add(e.entityId);
      for (const id of e.path) named.add(id);
    }
  }
  for (const h of parts.summary.protectedHits) named.add(h.entityId);

  const none = new Map<string, never>();
  const top = (sort: 'probability' | 'loss'): TopEntities => ({
    collateral: entitiesView(rows, none, { sort, collateral: true, limit: TOP_ENTITIES }).items,
    intended: entitiesView(rows, none, { sort, collateral: false, limit: TOP_ENTITIES }).items,
  });
  return {
    entityCells: { cells: list, restricted },
    namedEntities: rows.filter((r) => named.has(r.entityId)),
    entitiesByProbability: top('probability'),
    entitiesByLoss: top('loss'),
    entityColumns: {
      count: rows.length, cell: base64(cellOf), collateral: base64(collateral), infected: base64(infected), disrupted: base64(disrupted), loss: base64(loss),
    },
    entityLinks: { parent: base64(parent), ids: rows.map((r) => r.entityId), names: rows.map((r) => r.name) },
  };
}

const base64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** A typed array from its base64 (copied when the decoded bytes are not aligned for it). */
export function decode<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(b64: string, make: { new (b: ArrayBuffer, offset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number }): T {
  const bytes = Buffer.from(b64, 'base64');
  const n = bytes.byteLength / make.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % make.BYTES_PER_ELEMENT === 0) return new make(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  const out = new make(n);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The counts by cell as cellCounts gives them from the rows. */
export function cellCountsOf(cells: EntityCells): CellCounts {
  const out: CellCounts = new Map();
  for (const { country, sector, collateral, intended } of cells.cells) {
    let bySector = out.get(country);
    if (!bySector) out.set(country, (bySector = new Map()));
    bySector.set(sector, { collateral, intended });
  }
  return out;
}
