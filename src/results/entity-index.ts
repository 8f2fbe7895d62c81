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
 * The rollup's per-row columns, in row order, packed into one buffer stored as base64 text:
 * Float64 probability of infection, of disruption, expected loss (USD); Uint32 cell
 * (EntityCells.cells); Uint8 collateral (1) or intended (0). Decoded in milliseconds where the
 * rows' JSON takes seconds; the part's JSON is a string without escapes, read without a parse.
 */
export type EntityColumns = string;

/**
 * What the rollup down to organisations reads besides: Int32 parent row by row (NO_PARENT: none
 * or not a row; WITHHELD_PARENT: the id `withheld`), then where each id and each name ends in
 * `entityIds` and `entityNames` (all ids, all names, one after the other): an organisation's id
 * and name are cut out of them, not a million strings parsed.
 */
export type EntityLinks = string;

export const NO_PARENT = -1;
export const WITHHELD_PARENT = -2;

/**
 * Each row's rank as an organisation's key (its id, `unknown` for an empty one) in key order,
 * Int32 by row, then the rank of the key `withheld`: equal keys have equal ranks. The same for
 * every reader (any row may be a reader's organisation), so sorting a million ids is done once,
 * at finish; a rollup down to organisations orders its leaves by these numbers (rollup-tree.ts).
 * Jobs stored before it read organisations by their keys.
 */
export type EntityKeyRanks = string;

export interface EntityIndexParts {
  entityCells: EntityCells;
  namedEntities: EntityRow[];
  entitiesByProbability: TopEntities;
  entitiesByLoss: TopEntities;
  entityColumns: EntityColumns;
  entityLinks: EntityLinks;
  entityIds: string;
  entityNames: string;
  entityKeyRanks: EntityKeyRanks;
}

/**
 * The parts, or null when the rows are such that the reads through them could differ from the
 * reads of `entities` (then every read uses `entities`, as for jobs stored before): an id
 * repeated or named `withheld` (suppression and organisations are keyed by id), a figure not
 * finite (JSON stores it as null), a name not a string.
 */
export function entityIndexParts(parts: Pick<AssessmentParts, 'entities' | 'earlyWarning' | 'summary' | 'restricted'>): EntityIndexParts | null {
  const rows = parts.entities;
  const index = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (index.has(r.entityId) || r.entityId === 'withheld') return null;
    if (![r.probabilityInfected.p, r.probabilityDisrupted.p, r.expectedLossUsd].every(Number.isFinite) || typeof r.name !== 'string') return null;
    index.set(r.entityId, i);
  }

  const cellIndex = new Map<string, Map<string, number>>();
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
  const { bytes, infected, disrupted, loss, cell: cellOf, collateral } = columnsIn(new ArrayBuffer(COLUMN_BYTES * rows.length), rows.length);
  const links = linksIn(new ArrayBuffer(LINK_BYTES * rows.length), rows.length);
  const { parent } = links;
  let idEnd = 0;
  let nameEnd = 0;
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
    links.idEnd[i] = idEnd += r.entityId.length;
    links.nameEnd[i] = nameEnd += r.name.length;
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
    entityColumns: base64(bytes),
    entityLinks: base64(links.bytes),
    entityIds: rows.map((r) => r.entityId).join(''),
    entityNames: rows.map((r) => r.name).join(''),
    entityKeyRanks: base64(keyRanks(rows)),
  };
}

/** EntityKeyRanks' numbers (rows' ids unique, none `withheld`: entityIndexParts). */
export function keyRanks(rows: readonly EntityRow[]): Int32Array {
  const keyOf = (r: EntityRow) => r.entityId || UNKNOWN;
  // The default sort compares strings by UTF-16 code units, as the rollup's `<` does.
  const keys = [...new Set(rows.map(keyOf)).add(WITHHELD_KEY)].sort();
  const rank = new Map<string, number>();
  keys.forEach((k, i) => rank.set(k, i));
  const out = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) out[i] = rank.get(keyOf(rows[i]))!;
  out[rows.length] = rank.get(WITHHELD_KEY)!;
  return out;
}

const WITHHELD_KEY = 'withheld';

const base64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

const COLUMN_BYTES = 8 * 3 + 4 + 1;
const LINK_BYTES = 4 * 3;

function columnsIn(buffer: ArrayBuffer, n: number, offset = 0) {
  return {
    bytes: new Uint8Array(buffer, offset, COLUMN_BYTES * n),
    infected: new Float64Array(buffer, offset, n),
    disrupted: new Float64Array(buffer, offset + 8 * n, n),
    loss: new Float64Array(buffer, offset + 16 * n, n),
    cell: new Uint32Array(buffer, offset + 24 * n, n),
    collateral: new Uint8Array(buffer, offset + 28 * n, n),
  };
}

function linksIn(buffer: ArrayBuffer, n: number, offset = 0) {
  return {
    bytes: new Uint8Array(buffer, offset, LINK_BYTES * n),
    parent: new Int32Array(buffer, offset, n),
    idEnd: new Int32Array(buffer, offset + 4 * n, n),
    nameEnd: new Int32Array(buffer, offset + 8 * n, n),
  };
}

/** The bytes of a base64 text, at an offset a Float64Array may start at (copied when not). */
function bytesOf(b64: string): { buffer: ArrayBuffer; offset: number; length: number } {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.byteOffset % 8 === 0) return { buffer: bytes.buffer as ArrayBuffer, offset: bytes.byteOffset, length: bytes.byteLength };
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { buffer: copy.buffer, offset: 0, length: copy.byteLength };
}

export function decodeColumns(b64: EntityColumns) {
  const { buffer, offset, length } = bytesOf(b64);
  const n = length / COLUMN_BYTES;
  const { infected, disrupted, loss, cell, collateral } = columnsIn(buffer, n, offset);
  return { count: n, infected, disrupted, loss, cell, collateral };
}

/** The links with each row's id and name cut out of the stored texts on demand. */
export function decodeLinks(b64: EntityLinks, ids: string, names: string) {
  const { buffer, offset, length } = bytesOf(b64);
  const { parent, idEnd, nameEnd } = linksIn(buffer, length / LINK_BYTES, offset);
  return {
    parent,
    id: (i: number) => ids.slice(i === 0 ? 0 : idEnd[i - 1], idEnd[i]),
    name: (i: number) => names.slice(i === 0 ? 0 : nameEnd[i - 1], nameEnd[i]),
  };
}

/** EntityKeyRanks decoded: each row's rank, the rank of `withheld`, how many ranks there are. */
export function decodeKeyRanks(b64: EntityKeyRanks): { rank: Int32Array; withheld: number; size: number } {
  const { buffer, offset, length } = bytesOf(b64);
  const all = new Int32Array(buffer, offset, length / 4);
  const rank = all.subarray(0, all.length - 1);
  const withheld = all[all.length - 1];
  let size = withheld + 1;
  for (let i = 0; i < rank.length; i++) if (rank[i] >= size) size = rank[i] + 1;
  return { rank, withheld, size };
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
