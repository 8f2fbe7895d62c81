/**
 * Row validation for scenario files and bulk input: entities, dependencies, the weapon and spread
 * reports. Every function appends to an `errors` array and keeps going, so a caller gets ALL the
 * problems of a batch, each as `{row, field, rule, message}` (row 1-based: the n-th data row of a
 * CSV file, the n-th element of a JSON array; absent for single objects such as weapon.json).
 *
 * Rules (names are stable: clients match on them):
 * | rule | meaning |
 * |---|---|
 * | `required` | a required field or column is empty or missing |
 * | `slug` | ids must match {@link SLUG}: lowercase letters, digits, then also `.` `_` `:` `-`, 1-128 chars |
 * | `tag` | tags must match {@link TAG} (1-64 chars, lowercase, digits, `. _ + : -`) |
 * | `isString`, `isNumber`, `isInt`, `isBoolean`, `isArray`, `isObject`, `isDate` | wrong type (NaN and Infinity fail `isNumber`) |
 * | `isIn` | not one of the closed vocabulary (kind, sector, dependency kind, payload, status, TLP) |
 * | `isoCountry` | not an ISO 3166-1 alpha-2 code (after mapping `UK`->`GB`, `EL`->`GR`; `XK` accepted) |
 * | `min`, `max` | number out of bounds (negative counts, confidence > 100, ...) |
 * | `range` | a number or 90% range outside its bounds (weight outside [0,1], transmissibility > 1) |
 * | `order` | a 90% range with `low > high` |
 * | `length` | a string too long or empty after trimming |
 * | `duplicate` | an id (or a dependency `sourceId,targetId,kind`) given twice |
 * | `reference` | parentId, sourceId/targetId, entityId, weaponId or targeting.entityIds names nothing |
 * | `cycle` | parentId chains form a cycle (each member row is listed) |
 * | `selfLoop` | a dependency from an entity to itself |
 * | `unknownProperty`, `unknownColumn`, `missingColumn`, `columns` | shape of the object or CSV row |
 *
 * Normalisation (shared with the API so both apply exactly the same rules): countries through
 * {@link normaliseCountry}, sectors through {@link normaliseSector}, tags trimmed, lower-cased and
 * de-duplicated, `protected` defaulting through {@link resolveProtected}, `kind` defaulting to
 * `organization`, absent counts to 0, `bidirectional` to false.
 */
import type { DependencyRecord, EntityRecord, Range90, ReportRecord, WeaponRecord } from '../domain/records';
import {
  DEPENDENCY_KINDS,
  defaultProtection,
  ENTITY_KINDS,
  PAYLOADS,
  REPORT_STATUSES,
  TLP_LEVELS,
  type DependencyKind,
} from '../domain/vocabulary';
import { normaliseCountry } from './countries';
import { normaliseSector } from './sectors';

export { normaliseCountry } from './countries';
export { normaliseSector } from './sectors';

export interface RowError {
  row?: number;
  field: string;
  rule: string;
  message: string;
}

import { MAX_INT, SLUG, TAG } from '../domain/ids';
export { MAX_INT, SLUG, TAG };
/** RFC 3339 / ISO 8601 date-time with an explicit offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const ENTITY_COLUMNS = [
  'id', 'name', 'kind', 'parentId', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected',
] as const;
export const DEPENDENCY_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional'] as const;
const ENTITY_REQUIRED_COLUMNS = ['id', 'name'];
const DEPENDENCY_REQUIRED_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight'];

const ENTITY_FIELDS = new Set<string>([...ENTITY_COLUMNS, 'stixId']);
const DEPENDENCY_FIELDS = new Set<string>(DEPENDENCY_COLUMNS);
const REPORT_FIELDS = new Set([
  'id', 'weaponId', 'entityId', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossUsd', 'confidence', 'tlp', 'source',
]);
const WEAPON_FIELDS = new Set([
  'id', 'name', 'aliases', 'payload', 'vectors', 'requiredTags', 'targeting', 'impact', 'killSwitchAt', 'firstSeenAt',
  'containmentHours', 'characterised',
]);
const KIND_SET = new Set<string>(ENTITY_KINDS);
const DEP_KIND_SET = new Set<string>(DEPENDENCY_KINDS);

/** `protected` as stored: the explicit value when given, else the default from sector and kind (norms 13(f), 13(k)). */
export function resolveProtected(sector: string | null | undefined, kind: string | null | undefined, explicit?: boolean | null): boolean {
  if (explicit === true || explicit === false) return explicit;
  return defaultProtection(sector, kind).length > 0;
}

/** Tags from a CSV cell (`a;b;c`) or an array: trimmed, lower-cased, de-duplicated, empty ones dropped. */
export function normaliseTags(raw: string | readonly string[]): string[] {
  const parts = typeof raw === 'string' ? raw.split(';') : raw;
  const out = new Set<string>();
  for (const p of parts) {
    const t = p.trim().toLowerCase();
    if (t) out.add(t);
  }
  return [...out];
}

/** Whether a string is an RFC 3339 date-time with offset that names a real instant. */
export function isDateTime(s: unknown): s is string {
  return typeof s === 'string' && DATE_TIME.test(s) && !Number.isNaN(Date.parse(s));
}

type Errors = RowError[];
const push = (errors: Errors, row: number | undefined, field: string, rule: string, message: string) => {
  errors.push(row === undefined ? { field, rule, message } : { row, field, rule, message });
};
const absent = (v: unknown) => v === undefined || v === null || v === '';

function slugValue(v: unknown, field: string, required: boolean, errors: Errors, row?: number): string | null {
  if (absent(v)) {
    if (required) push(errors, row, field, 'required', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  if (!SLUG.test(v)) {
    push(errors, row, field, 'slug', `${field} '${clip(v)}' must be a slug: lowercase letters and digits, then also . _ : - (1-128 characters)`);
    return null;
  }
  return v;
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** A number from JSON, or from CSV text when `text` (empty = absent). */
function numberValue(v: unknown, text: boolean): number | undefined | 'bad' {
  if (absent(v)) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'bad';
  if (text && typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : 'bad';
  }
  return 'bad';
}

function countValue(v: unknown, field: string, integer: boolean, text: boolean, errors: Errors, row?: number): number {
  const n = numberValue(v, text);
  if (n === undefined) return 0;
  if (n === 'bad') return push(errors, row, field, 'isNumber', `${field} must be a finite number, got '${clip(String(v))}'`), 0;
  if (n < 0) return push(errors, row, field, 'min', `${field} must not be negative, got ${n}`), 0;
  if (integer && !Number.isInteger(n)) return push(errors, row, field, 'isInt', `${field} must be an integer, got ${n}`), 0;
  if (integer && n > MAX_INT) return push(errors, row, field, 'max', `${field} must be at most ${MAX_INT}`), 0;
  return n;
}

function booleanValue(v: unknown, field: string, text: boolean, errors: Errors, row?: number): boolean | undefined {
  if (absent(v)) return undefined;
  if (typeof v === 'boolean') return v;
  if (text && typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === '') return undefined;
    if (t === 'true' || t === '1' || t === 'yes') return true;
    if (t === 'false' || t === '0' || t === 'no') return false;
  }
  push(errors, row, field, 'isBoolean', `${field} must be true or false, got '${clip(String(v))}'`);
  return undefined;
}

function nameValue(v: unknown, field: string, required: boolean, errors: Errors, row?: number, max = 300): string | null {
  if (absent(v)) {
    if (required) push(errors, row, field, 'required', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const t = v.trim();
  if (t.length === 0 || t.length > max) return push(errors, row, field, 'length', `${field} must be 1-${max} characters`), null;
  return t;
}

function countryValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const c = normaliseCountry(v);
  if (c === null) push(errors, row, field, 'isoCountry', `${field} '${clip(v)}' is not an ISO 3166-1 alpha-2 code`);
  return c;
}

function sectorValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const s = normaliseSector(v);
  if (s === null) push(errors, row, field, 'isIn', `${field} '${clip(v)}' is not one of the 16 CISA sectors, a STIX industry-sector-ov value or a NIS2 sector (docs/interop.md)`);
  return s;
}

function tagsValue(v: unknown, field: string, errors: Errors, row?: number): string[] {
  if (absent(v)) return [];
  let list: readonly string[];
  if (typeof v === 'string') list = v.split(';');
  else if (Array.isArray(v) && v.every((t) => typeof t === 'string')) list = v as string[];
  else return push(errors, row, field, 'isArray', `${field} must be a list of strings (';'-separated in CSV)`), [];
  const tags = normaliseTags(list);
  if (tags.length > 100) return push(errors, row, field, 'max', `at most 100 ${field}`), [];
  let ok = true;
  for (const t of tags) {
    if (!TAG.test(t)) {
      push(errors, row, field, 'tag', `tag '${clip(t)}' must be 1-64 characters: lowercase letters, digits and . _ + : -`);
      ok = false;
    }
  }
  return ok ? tags : [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Entities and dependencies, one row at a time

/**
 * Checks and normalises one entity. `input` is a JSON object, or (with `text`) an object of CSV
 * cells as strings: then numbers, booleans and `;`-separated tags are parsed from text.
 * Returns null (with errors appended) when the row is bad. References are checked by
 * {@link checkEntitySet}.
 */
export function checkEntity(input: unknown, row: number | undefined, errors: Errors, text = false): EntityRecord | null {
  const before = errors.length;
  if (!isPlainObject(input)) {
    push(errors, row, 'row', 'isObject', 'each entity must be an object');
    return null;
  }
  for (const key in input) if (!ENTITY_FIELDS.has(key)) push(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);
  const id = slugValue(input.id, 'id', true, errors, row);
  const name = nameValue(input.name, 'name', true, errors, row);
  let kind = 'organization';
  if (!absent(input.kind)) {
    if (typeof input.kind === 'string' && KIND_SET.has(input.kind.trim().toLowerCase())) kind = input.kind.trim().toLowerCase();
    else push(errors, row, 'kind', 'isIn', `kind '${clip(String(input.kind))}' must be one of ${ENTITY_KINDS.join(', ')}`);
  }
  const parentId = slugValue(input.parentId, 'parentId', false, errors, row);
  if (parentId !== null && parentId === id) push(errors, row, 'parentId', 'cycle', 'an entity cannot be its own parent');
  const country = countryValue(input.country, 'country', errors, row);
  const sector = sectorValue(input.sector, 'sector', errors, row);
  const hosts = countValue(input.hosts, 'hosts', true, text, errors, row);
  const dailyValueUsd = countValue(input.dailyValueUsd, 'dailyValueUsd', false, text, errors, row);
  const populationServed = countValue(input.populationServed, 'populationServed', true, text, errors, row);
  const tags = tagsValue(input.tags, 'tags', errors, row);
  const explicit = booleanValue(input.protected, 'protected', text, errors, row);
  let stixId: string | null = null;
  if (!absent(input.stixId)) {
    if (typeof input.stixId === 'string' && /^identity--[0-9a-f-]{36}$/.test(input.stixId)) stixId = input.stixId;
    else push(errors, row, 'stixId', 'stixId', 'stixId must be identity--<uuid>');
  }
  if (errors.length > before) return null;
  const e: EntityRecord = {
    id: id!,
    name: name!,
    kind,
    parentId,
    country,
    sector,
    hosts,
    dailyValueUsd,
    populationServed,
    tags,
    protected: resolveProtected(sector, kind, explicit),
  };
  if (stixId) e.stixId = stixId;
  return e;
}

/** Checks and normalises one dependency (JSON, or CSV cells with `text`). Endpoints: {@link checkDependencySet}. */
export function checkDependency(input: unknown, row: number | undefined, errors: Errors, text = false): DependencyRecord | null {
  const before = errors.length;
  if (!isPlainObject(input)) {
    push(errors, row, 'row', 'isObject', 'each dependency must be an object');
    return null;
  }
  for (const key in input) if (!DEPENDENCY_FIELDS.has(key)) push(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);
  const sourceId = slugValue(input.sourceId, 'sourceId', true, errors, row);
  const targetId = slugValue(input.targetId, 'targetId', true, errors, row);
  if (sourceId !== null && sourceId === targetId) push(errors, row, 'targetId', 'selfLoop', `a dependency must join two different entities ('${sourceId}' twice)`);
  let kind: DependencyKind | null = null;
  if (absent(input.kind)) push(errors, row, 'kind', 'required', 'kind is required');
  else if (typeof input.kind === 'string' && DEP_KIND_SET.has(input.kind.trim().toLowerCase())) kind = input.kind.trim().toLowerCase() as DependencyKind;
  else push(errors, row, 'kind', 'isIn', `kind '${clip(String(input.kind))}' must be one of ${DEPENDENCY_KINDS.join(', ')}`);
  const w = numberValue(input.weight, text);
  let weight = 0;
  if (w === undefined) push(errors, row, 'weight', 'required', 'weight is required');
  else if (w === 'bad') push(errors, row, 'weight', 'isNumber', `weight must be a finite number, got '${clip(String(input.weight))}'`);
  else if (w < 0 || w > 1) push(errors, row, 'weight', 'range', `weight must be in [0,1], got ${w}`);
  else weight = w;
  const bidirectional = booleanValue(input.bidirectional, 'bidirectional', text, errors, row) ?? false;
  if (errors.length > before) return null;
  return { sourceId: sourceId!, targetId: targetId!, kind: kind!, weight, bidirectional };
}

// ---------------------------------------------------------------------------------------------
// CSV headers

export interface CsvColumns {
  /** Column name -> index in the row. */
  index: Map<string, number>;
  names: string[];
}

function checkHeader(header: string[], known: readonly string[], required: string[], errors: Errors): CsvColumns | null {
  const before = errors.length;
  const index = new Map<string, number>();
  const names = header.map((h) => h.trim());
  names.forEach((h, i) => {
    if (!known.includes(h)) push(errors, 0, h || `column ${i + 1}`, 'unknownColumn', `unknown column '${clip(h)}'; expected ${known.join(',')}`);
    else if (index.has(h)) push(errors, 0, h, 'duplicate', `column '${h}' appears twice`);
    else index.set(h, i);
  });
  for (const r of required) if (!index.has(r)) push(errors, 0, r, 'missingColumn', `column '${r}' is required`);
  return errors.length > before ? null : { index, names };
}

/** Checks an entities.csv header (row 0 in errors). Unknown and missing required columns are errors. */
export function checkEntityHeader(header: string[], errors: Errors): CsvColumns | null {
  return checkHeader(header, ENTITY_COLUMNS, ENTITY_REQUIRED_COLUMNS, errors);
}
/** Checks a dependencies.csv header. */
export function checkDependencyHeader(header: string[], errors: Errors): CsvColumns | null {
  return checkHeader(header, DEPENDENCY_COLUMNS, DEPENDENCY_REQUIRED_COLUMNS, errors);
}

function rowObject(cols: CsvColumns, values: string[], row: number, errors: Errors): Record<string, string> | null {
  if (values.length !== cols.names.length) {
    push(errors, row, 'row', 'columns', `row has ${values.length} fields, the header ${cols.names.length}`);
    return null;
  }
  const o: Record<string, string> = {};
  for (const [name, i] of cols.index) o[name] = values[i];
  return o;
}

/**
 * One entities.csv data row (1-based `row`). A bad row gives null, or with `keys` a skeleton
 * holding only its id and parentId (when those are valid slugs) so that set-level checks
 * (duplicates, references, cycles) still run over it and every problem gets listed.
 */
export function entityFromCsv(cols: CsvColumns, values: string[], row: number, errors: Errors, keys = false): EntityRecord | null {
  const o = rowObject(cols, values, row, errors);
  const e = o && checkEntity(o, row, errors, true);
  return e ?? (keys && o ? entitySkeleton(o) : null);
}

/** One dependencies.csv data row; with `keys`, a bad row still yields its endpoints for reference checks. */
export function dependencyFromCsv(cols: CsvColumns, values: string[], row: number, errors: Errors, keys = false): DependencyRecord | null {
  const o = rowObject(cols, values, row, errors);
  const d = o && checkDependency(o, row, errors, true);
  return d ?? (keys && o ? dependencySkeleton(o) : null);
}

const slugOrNull = (v: unknown) => (typeof v === 'string' && SLUG.test(v) ? v : null);

/** The id and parentId of a bad entity row, for set-level checks; null when its id is unusable. */
export function entitySkeleton(o: Record<string, unknown>): EntityRecord | null {
  const id = slugOrNull(o.id);
  if (!id) return null;
  return { id, name: '', kind: 'organization', parentId: slugOrNull(o.parentId), hosts: 0, dailyValueUsd: 0, populationServed: 0, tags: [] };
}

/** The endpoints of a bad dependency row, for reference checks; null when unusable or a self-loop. */
export function dependencySkeleton(o: Record<string, unknown>): DependencyRecord | null {
  const sourceId = slugOrNull(o.sourceId);
  const targetId = slugOrNull(o.targetId);
  if (!sourceId || !targetId || sourceId === targetId) return null;
  const k = typeof o.kind === 'string' ? o.kind.trim().toLowerCase() : '';
  return { sourceId, targetId, kind: (DEP_KIND_SET.has(k) ? k : 'x-unknown') as DependencyKind, weight: 0 };
}

// ---------------------------------------------------------------------------------------------
// Set-level checks: duplicates, references, cycles

/** The ids of a checked entity set, with their rows; built by {@link checkEntitySet}. */
export interface EntityIndex {
  /** id -> position in the entity list. */
  position: Map<string, number>;
  has(id: string): boolean;
}

/**
 * Duplicate ids, dangling parentIds and parentId cycles over a list of checked entities (null for
 * rows that failed their own checks). `rows[i]` is the row number of `entities[i]` (default i+1).
 * `known(id)` may accept parents that exist outside the batch (the database).
 */
export function checkEntitySet(
  entities: readonly (EntityRecord | null)[],
  errors: Errors,
  opts: { rows?: readonly number[]; known?: (id: string) => boolean } = {},
): EntityIndex {
  const rowOf = (i: number) => (opts.rows ? opts.rows[i] : i + 1);
  const position = new Map<string, number>();
  entities.forEach((e, i) => {
    if (!e) return;
    const first = position.get(e.id);
    if (first !== undefined) push(errors, rowOf(i), 'id', 'duplicate', `id '${e.id}' is already used on row ${rowOf(first)}`);
    else position.set(e.id, i);
  });
  const n = entities.length;
  const parent = new Int32Array(n).fill(-1);
  entities.forEach((e, i) => {
    if (!e || !e.parentId) return;
    const p = position.get(e.parentId);
    if (p !== undefined) parent[i] = p;
    else if (!opts.known?.(e.parentId)) push(errors, rowOf(i), 'parentId', 'reference', `parentId '${e.parentId}' names no entity`);
  });
  // Cycles: walk up from each node; 1 = on the current path, 2 = known to end at a root or cycle.
  const state = new Uint8Array(n);
  const path: number[] = [];
  for (let s = 0; s < n; s++) {
    if (state[s]) continue;
    path.length = 0;
    let v = s;
    while (v !== -1 && state[v] === 0) {
      state[v] = 1;
      path.push(v);
      v = parent[v];
    }
    if (v !== -1 && state[v] === 1) {
      const cycle = path.slice(path.indexOf(v));
      const ids = cycle.map((i) => entities[i]!.id);
      const shown = ids.length > 6 ? [...ids.slice(0, 6), '...'] : ids;
      for (const i of cycle) {
        if (parent[i] === i) continue; // self-parent already reported by checkEntity
        push(errors, rowOf(i), 'parentId', 'cycle', `parentId chain forms a cycle: ${[...shown, ids[0]].join(' -> ')}`);
      }
    }
    for (const u of path) state[u] = 2;
  }
  return { position, has: (id) => position.has(id) || (opts.known?.(id) ?? false) };
}

/**
 * Dangling endpoints and duplicate edges (same sourceId, targetId and kind) over checked
 * dependencies. Linear time and memory (edges grouped by source), so it copes with 10^7 rows.
 */
export function checkDependencySet(
  deps: readonly (DependencyRecord | null)[],
  entities: EntityIndex,
  errors: Errors,
  opts: { rows?: readonly number[] } = {},
): void {
  const rowOf = (i: number) => (opts.rows ? opts.rows[i] : i + 1);
  const m = deps.length;
  const src = new Int32Array(m).fill(-1);
  const key = new Float64Array(m);
  const kinds = new Map<string, number>(DEPENDENCY_KINDS.map((k, i) => [k, i]));
  let nextExternal = entities.position.size;
  const external = new Map<string, number>();
  const idx = (id: string): number => {
    const p = entities.position.get(id);
    if (p !== undefined) return p;
    let x = external.get(id);
    if (x === undefined) external.set(id, (x = nextExternal++));
    return x;
  };
  for (let i = 0; i < m; i++) {
    const d = deps[i];
    if (!d) continue;
    let ok = true;
    if (!entities.has(d.sourceId)) {
      push(errors, rowOf(i), 'sourceId', 'reference', `sourceId '${d.sourceId}' names no entity`);
      ok = false;
    }
    if (!entities.has(d.targetId)) {
      push(errors, rowOf(i), 'targetId', 'reference', `targetId '${d.targetId}' names no entity`);
      ok = false;
    }
    if (!ok) continue;
    src[i] = idx(d.sourceId);
    key[i] = idx(d.targetId) * 8 + (kinds.get(d.kind) ?? 7);
  }
  // Group by source (counting sort), then look for repeated (target, kind) within each group.
  const nodes = nextExternal;
  const start = new Int32Array(nodes + 1);
  for (let i = 0; i < m; i++) if (src[i] >= 0) start[src[i] + 1]++;
  for (let v = 0; v < nodes; v++) start[v + 1] += start[v];
  const fill = start.slice(0, nodes);
  const order = new Int32Array(start[nodes]);
  for (let i = 0; i < m; i++) if (src[i] >= 0) order[fill[src[i]]++] = i;
  const seen = new Map<number, number>();
  for (let v = 0; v < nodes; v++) {
    const a = start[v];
    const b = start[v + 1];
    if (b - a < 2) continue;
    seen.clear();
    for (let j = a; j < b; j++) {
      const i = order[j];
      const first = seen.get(key[i]);
      if (first === undefined) seen.set(key[i], i);
      else {
        const d = deps[i]!;
        push(errors, rowOf(i), 'targetId', 'duplicate', `dependency ${d.sourceId} -> ${d.targetId} (${d.kind}) is already given on row ${rowOf(first)}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Ranges, weapon, reports

export interface RangeBounds {
  min?: number;
  max?: number;
  /** The low end must be strictly above `min` (for ranges fitted as lognormals). */
  positive?: boolean;
}

/** Checks a 90% range `{low, high}` at `path`: finite numbers, low <= high, within bounds. */
export function checkRange(v: unknown, path: string, bounds: RangeBounds, errors: Errors, row?: number): Range90 | null {
  if (!isPlainObject(v)) return push(errors, row, path, 'isObject', `${path} must be a range {low, high}`), null;
  const before = errors.length;
  for (const key in v) if (key !== 'low' && key !== 'high') push(errors, row, `${path}.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
  for (const end of ['low', 'high'] as const) {
    const x = v[end];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      push(errors, row, `${path}.${end}`, absent(x) ? 'required' : 'isNumber', `${path}.${end} must be a finite number`);
      continue;
    }
    if (bounds.min !== undefined && (x < bounds.min || (bounds.positive && x <= bounds.min))) {
      push(errors, row, `${path}.${end}`, 'range', `${path}.${end} must be ${bounds.positive ? '>' : '>='} ${bounds.min}, got ${x}`);
    }
    if (bounds.max !== undefined && x > bounds.max) push(errors, row, `${path}.${end}`, 'range', `${path}.${end} must be <= ${bounds.max}, got ${x}`);
  }
  if (errors.length > before) return null;
  const low = v.low as number;
  const high = v.high as number;
  if (low > high) return push(errors, row, path, 'order', `${path}: low (${low}) is above high (${high})`), null;
  return { low, high };
}

function stringList(v: unknown, path: string, errors: Errors, each?: (s: string, p: string) => string | null): string[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) return push(errors, undefined, path, 'isArray', `${path} must be an array`), [];
  const out: string[] = [];
  v.forEach((s, i) => {
    if (typeof s !== 'string') return push(errors, undefined, `${path}[${i}]`, 'isString', `${path}[${i}] must be a string`);
    const r = each ? each(s, `${path}[${i}]`) : s;
    if (r !== null) out.push(r);
  });
  return out;
}

function dateValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (!isDateTime(v)) return push(errors, row, field, 'isDate', `${field} must be an RFC 3339 date-time with offset, got '${clip(String(v))}'`), null;
  return new Date(v).toISOString();
}

/**
 * Checks weapon.json. `entities`, when given, is used to check targeting.entityIds.
 * Field paths are dotted (`vectors.network.transmissibility.low`).
 */
export function checkWeapon(input: unknown, errors: Errors, entities?: { has(id: string): boolean }): WeaponRecord | null {
  const before = errors.length;
  if (!isPlainObject(input)) return push(errors, undefined, 'weapon', 'isObject', 'the weapon must be a JSON object'), null;
  for (const key in input) if (!WEAPON_FIELDS.has(key)) push(errors, undefined, key, 'unknownProperty', `property '${key}' is not allowed`);
  const id = slugValue(input.id, 'id', true, errors);
  const name = nameValue(input.name, 'name', true, errors);
  const aliases = stringList(input.aliases, 'aliases', errors);
  let payload: WeaponRecord['payload'] | null = null;
  if (absent(input.payload)) push(errors, undefined, 'payload', 'required', 'payload is required');
  else if ((PAYLOADS as readonly unknown[]).includes(input.payload)) payload = input.payload as WeaponRecord['payload'];
  else push(errors, undefined, 'payload', 'isIn', `payload must be one of ${PAYLOADS.join(', ')}`);

  const vectors: WeaponRecord['vectors'] = {};
  if (!isPlainObject(input.vectors)) push(errors, undefined, 'vectors', absent(input.vectors) ? 'required' : 'isObject', 'vectors must be an object keyed by dependency kind');
  else {
    if (Object.keys(input.vectors).length === 0) push(errors, undefined, 'vectors', 'minSize', 'a weapon needs at least one vector');
    for (const [k, vec] of Object.entries(input.vectors)) {
      const p = `vectors.${k}`;
      if (!DEP_KIND_SET.has(k)) {
        push(errors, undefined, p, 'isIn', `vector kind '${k}' must be one of ${DEPENDENCY_KINDS.join(', ')}`);
        continue;
      }
      if (!isPlainObject(vec)) {
        push(errors, undefined, p, 'isObject', `${p} must be {transmissibility, delayHours}`);
        continue;
      }
      for (const key in vec) if (key !== 'transmissibility' && key !== 'delayHours') push(errors, undefined, `${p}.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
      const t = checkRange(vec.transmissibility, `${p}.transmissibility`, { min: 0, max: 1 }, errors);
      const d = checkRange(vec.delayHours, `${p}.delayHours`, { min: 0 }, errors);
      if (t && d) vectors[k as DependencyKind] = { transmissibility: t, delayHours: d };
    }
  }
  const requiredTags = stringList(input.requiredTags, 'requiredTags', errors, (s, p) => {
    const t = s.trim().toLowerCase();
    if (!TAG.test(t)) return push(errors, undefined, p, 'tag', `tag '${clip(s)}' is not a valid tag`), null;
    return t;
  });

  let targeting: WeaponRecord['targeting'] = {};
  if (!absent(input.targeting)) {
    if (!isPlainObject(input.targeting)) push(errors, undefined, 'targeting', 'isObject', 'targeting must be an object');
    else {
      const tg = input.targeting;
      for (const key in tg) if (!['entityIds', 'countries', 'sectors', 'tags'].includes(key)) push(errors, undefined, `targeting.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
      const entityIds = stringList(tg.entityIds, 'targeting.entityIds', errors, (s, p) => {
        if (!SLUG.test(s)) return push(errors, undefined, p, 'slug', `'${clip(s)}' is not a valid id`), null;
        if (entities && !entities.has(s)) return push(errors, undefined, p, 'reference', `targeting.entityIds names no entity '${s}'`), null;
        return s;
      });
      const countries = stringList(tg.countries, 'targeting.countries', errors, (s, p) => countryValue(s, p, errors));
      const sectors = stringList(tg.sectors, 'targeting.sectors', errors, (s, p) => sectorValue(s, p, errors));
      const tags = stringList(tg.tags, 'targeting.tags', errors, (s, p) => {
        const t = s.trim().toLowerCase();
        return TAG.test(t) ? t : (push(errors, undefined, p, 'tag', `tag '${clip(s)}' is not a valid tag`), null);
      });
      targeting = {};
      if (entityIds.length) targeting.entityIds = entityIds;
      if (countries.length) targeting.countries = countries;
      if (sectors.length) targeting.sectors = sectors;
      if (tags.length) targeting.tags = tags;
    }
  }

  let impact: WeaponRecord['impact'] | null = null;
  if (!isPlainObject(input.impact)) push(errors, undefined, 'impact', absent(input.impact) ? 'required' : 'isObject', 'impact must be an object');
  else {
    const im = input.impact;
    for (const key in im) if (!['hostShare', 'costPerHostUsd', 'downtimeDays', 'inoperability'].includes(key)) push(errors, undefined, `impact.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
    const hostShare = checkRange(im.hostShare, 'impact.hostShare', { min: 0, max: 1, positive: true }, errors);
    const costPerHostUsd = checkRange(im.costPerHostUsd, 'impact.costPerHostUsd', { min: 0 }, errors);
    const downtimeDays = checkRange(im.downtimeDays, 'impact.downtimeDays', { min: 0 }, errors);
    const inoperability = absent(im.inoperability) ? undefined : checkRange(im.inoperability, 'impact.inoperability', { min: 0, max: 1 }, errors);
    if (hostShare && costPerHostUsd && downtimeDays && inoperability !== null) {
      impact = { hostShare, costPerHostUsd, downtimeDays };
      if (inoperability) impact.inoperability = inoperability;
    }
  }
  const killSwitchAt = dateValue(input.killSwitchAt, 'killSwitchAt', errors);
  const firstSeenAt = dateValue(input.firstSeenAt, 'firstSeenAt', errors);
  const containmentHours = absent(input.containmentHours) ? null : checkRange(input.containmentHours, 'containmentHours', { min: 0 }, errors);
  let characterised = true;
  if (!absent(input.characterised)) {
    if (typeof input.characterised !== 'boolean') push(errors, undefined, 'characterised', 'isBoolean', 'characterised must be true or false');
    else characterised = input.characterised;
  }
  if (errors.length > before) return null;
  const w: WeaponRecord = { id: id!, name: name!, aliases, payload: payload!, vectors, requiredTags, targeting, impact: impact!, characterised };
  if (killSwitchAt) w.killSwitchAt = killSwitchAt;
  if (firstSeenAt) w.firstSeenAt = firstSeenAt;
  if (containmentHours) w.containmentHours = containmentHours;
  return w;
}

/**
 * Checks one spread report. `refs.entities` / `refs.weapons` check entityId and weaponId when given.
 * `id` is optional (a slug when present); `tlp` is required.
 */
export function checkReport(
  input: unknown,
  row: number | undefined,
  errors: Errors,
  refs: { entities?: { has(id: string): boolean }; weapons?: { has(id: string): boolean } } = {},
): ReportRecord | null {
  const before = errors.length;
  if (!isPlainObject(input)) return push(errors, row, 'row', 'isObject', 'each report must be an object'), null;
  for (const key in input) if (!REPORT_FIELDS.has(key)) push(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);
  const id = slugValue(input.id, 'id', false, errors, row);
  const weaponId = slugValue(input.weaponId, 'weaponId', true, errors, row);
  if (weaponId && refs.weapons && !refs.weapons.has(weaponId)) push(errors, row, 'weaponId', 'reference', `weaponId '${weaponId}' names no weapon`);
  const entityId = slugValue(input.entityId, 'entityId', true, errors, row);
  if (entityId && refs.entities && !refs.entities.has(entityId)) push(errors, row, 'entityId', 'reference', `entityId '${entityId}' names no entity`);
  let observedAt: string | null = null;
  if (absent(input.observedAt)) push(errors, row, 'observedAt', 'required', 'observedAt is required');
  else observedAt = dateValue(input.observedAt, 'observedAt', errors, row);
  let status: ReportRecord['status'] | null = null;
  if (absent(input.status)) push(errors, row, 'status', 'required', 'status is required');
  else if ((REPORT_STATUSES as readonly unknown[]).includes(input.status)) status = input.status as ReportRecord['status'];
  else push(errors, row, 'status', 'isIn', `status must be one of ${REPORT_STATUSES.join(', ')}`);
  const optCount = (field: string, integer: boolean): number | null => (absent(input[field]) ? null : countValue(input[field], field, integer, false, errors, row));
  const hostsAffected = optCount('hostsAffected', true);
  const downtimeHours = optCount('downtimeHours', false);
  const lossUsd = absent(input.lossUsd) ? null : checkRange(input.lossUsd, 'lossUsd', { min: 0 }, errors, row);
  let confidence: number | null = null;
  if (!absent(input.confidence)) {
    const c = input.confidence;
    if (typeof c !== 'number' || !Number.isInteger(c)) push(errors, row, 'confidence', 'isInt', 'confidence must be an integer 0-100');
    else if (c < 0 || c > 100) push(errors, row, 'confidence', 'range', `confidence must be in 0-100, got ${c}`);
    else confidence = c;
  }
  let tlp: ReportRecord['tlp'] | null = null;
  if (absent(input.tlp)) push(errors, row, 'tlp', 'required', 'tlp is required');
  else if (typeof input.tlp === 'string' && (TLP_LEVELS as readonly string[]).includes(input.tlp.toLowerCase())) tlp = input.tlp.toLowerCase() as ReportRecord['tlp'];
  else push(errors, row, 'tlp', 'isIn', `tlp must be one of ${TLP_LEVELS.join(', ')}`);
  const source = nameValue(input.source, 'source', false, errors, row, 2000);
  if (errors.length > before) return null;
  const r: ReportRecord = { weaponId: weaponId!, entityId: entityId!, observedAt: observedAt!, status: status!, tlp: tlp! };
  if (id) r.id = id;
  if (hostsAffected !== null) r.hostsAffected = hostsAffected;
  if (downtimeHours !== null) r.downtimeHours = downtimeHours;
  if (lossUsd) r.lossUsd = lossUsd;
  if (confidence !== null) r.confidence = confidence;
  if (source) r.source = source;
  return r;
}

/** Checks a list of reports, including duplicate report ids. */
export function checkReports(
  input: unknown,
  errors: Errors,
  refs: { entities?: { has(id: string): boolean }; weapons?: { has(id: string): boolean } } = {},
): ReportRecord[] {
  if (!Array.isArray(input)) return push(errors, undefined, 'reports', 'isArray', 'reports must be a JSON array'), [];
  const out: ReportRecord[] = [];
  const ids = new Map<string, number>();
  input.forEach((r, i) => {
    const rec = checkReport(r, i + 1, errors, refs);
    if (!rec) return;
    if (rec.id) {
      const first = ids.get(rec.id);
      if (first !== undefined) return push(errors, i + 1, 'id', 'duplicate', `report id '${rec.id}' is already used on row ${first}`);
      ids.set(rec.id, i + 1);
    }
    out.push(rec);
  });
  return out;
}
