/**
 * Field rules shared by the record rules (entity.ts, dependency.ts, weapon.ts, report.ts, range.ts) that the
 * scenario folder reader, the bulk import (JSON and CSV) and the single API routes all call.
 * Every function appends to an `errors` array and keeps going, so a caller gets ALL the problems of a batch, each as `{row, field, rule, message}` (row 1-based: the n-th data row of a
 * CSV file, the n-th element of a JSON array; absent for single objects such as weapon.json).
 *
 * Rules (names are stable: clients match on them):
 * | rule | meaning |
 * |---|---|
 * | `required` | a required field or column is empty or missing |
 * | `slug` | ids must match {@link SLUG}: lowercase letters, digits, then also `.` `_` `:` `-`, 1-128 chars |
 * | `tag` | tags must match {@link TAG} (1-64 chars, lowercase, digits, `. _ + : -`) |
 * | `isString`, `isNumber`, `isInt`, `isBoolean`, `isArray`, `isObject`, `isDateTime` | wrong type (NaN and Infinity fail `isNumber`) |
 * | `isIn` | not one of the closed vocabulary (kind, sector, dependency kind, payload, status, TLP) |
 * | `isoCountry` | not an ISO 3166-1 alpha-2 code (after mapping `UK`->`GB`, `EL`->`GR`; `XK` accepted) |
 * | `min`, `max` | number out of bounds (negative counts, confidence > 100, an observation before 1970, ...) |
 * | `notFuture` | a report observed later than the server's clock allows |
 * | `isUuid`, `isUrl`, `matches`, `maxSize` | a report's `supersedes`, reference url, entityId against entity.id, too many references |
 * | `range` | a number or 90% range outside its bounds (weight outside [0,1], transmissibility > 1) |
 * | `order` | a 90% range with `low > high` |
 * | `length` | a string too long or empty after trimming |
 * | `duplicate` | an id (or a dependency `sourceId,targetId,kind`) given twice |
 * | `reference` | parentId, sourceId/targetId, entityId, weaponId or targeting.entityIds names nothing |
 * | `cycle` | parentId chains form a cycle (each member row is listed) |
 * | `selfLoop` | a dependency from an entity to itself |
 * | `unknownProperty`, `unknownColumn`, `missingColumn`, `columns` | shape of the object or CSV row |
 *
 * Normalisation (one copy for scenario files and the API): countries through
 * {@link normaliseCountry}, sectors through {@link normaliseSector}, tags trimmed, lower-cased and
 * de-duplicated, `protected` defaulting through {@link resolveProtected}, `kind` defaulting to
 * `organization`, absent counts to 0, `bidirectional` to false.
 */
import { normaliseCountry } from '../countries';
import { isDateTime } from '../date-time';
import { MAX_INT, SLUG, TAG } from '../ids';
import { normaliseSector } from '../sectors';

/** One broken rule; `row` is 1-based (0 for a CSV header), absent for single objects. */
export interface RowError {
  row?: number;
  field: string;
  rule: string;
  message: string;
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

export type Errors = RowError[];
export const push = (errors: Errors, row: number | undefined, field: string, rule: string, message: string) => {
  errors.push(row === undefined ? { field, rule, message } : { row, field, rule, message });
};
export const absent = (v: unknown) => v === undefined || v === null || v === '';

export function slugValue(v: unknown, field: string, required: boolean, errors: Errors, row?: number): string | null {
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

export const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** A number from JSON, or from CSV text when `text` (empty = absent). */
export function numberValue(v: unknown, text: boolean): number | undefined | 'bad' {
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

export function countValue(v: unknown, field: string, integer: boolean, text: boolean, errors: Errors, row?: number): number {
  const n = numberValue(v, text);
  if (n === undefined) return 0;
  if (n === 'bad') return push(errors, row, field, 'isNumber', `${field} must be a finite number, got '${clip(String(v))}'`), 0;
  if (n < 0) return push(errors, row, field, 'min', `${field} must not be negative, got ${n}`), 0;
  if (integer && !Number.isInteger(n)) return push(errors, row, field, 'isInt', `${field} must be an integer, got ${n}`), 0;
  if (integer && n > MAX_INT) return push(errors, row, field, 'max', `${field} must be at most ${MAX_INT}`), 0;
  return n;
}

export function booleanValue(v: unknown, field: string, text: boolean, errors: Errors, row?: number): boolean | undefined {
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

export function nameValue(v: unknown, field: string, required: boolean, errors: Errors, row?: number, max = 300): string | null {
  if (absent(v)) {
    if (required) push(errors, row, field, 'required', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const t = v.trim();
  if (t.length === 0 || t.length > max) return push(errors, row, field, 'length', `${field} must be 1-${max} characters`), null;
  return t;
}

export function countryValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const c = normaliseCountry(v);
  if (c === null) push(errors, row, field, 'isoCountry', `${field} '${clip(v)}' is not an ISO 3166-1 alpha-2 code`);
  return c;
}

export function sectorValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') return push(errors, row, field, 'isString', `${field} must be a string`), null;
  const s = normaliseSector(v);
  if (s === null) push(errors, row, field, 'isIn', `${field} '${clip(v)}' is not one of the 16 CISA sectors, a STIX industry-sector-ov value or a NIS2 sector (docs/interop.md)`);
  return s;
}

export function tagsValue(v: unknown, field: string, errors: Errors, row?: number): string[] {
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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stringList(v: unknown, path: string, errors: Errors, each?: (s: string, p: string) => string | null): string[] {
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

export function dateValue(v: unknown, field: string, errors: Errors, row?: number): string | null {
  if (absent(v)) return null;
  if (!isDateTime(v)) return push(errors, row, field, 'isDateTime', `${field} must be an RFC 3339 date-time with offset, got '${clip(String(v))}'`), null;
  return new Date(v).toISOString();
}

export const slugOrNull = (v: unknown) => (typeof v === 'string' && SLUG.test(v) ? v : null);

/** The input as an object of known fields: a non-object is one error (null), each unknown property one more. */
export function objectOf(input: unknown, what: string, fields: ReadonlySet<string>, errors: Errors, row?: number): Record<string, unknown> | null {
  if (!isPlainObject(input)) return push(errors, row, 'row', 'isObject', `each ${what} must be an object`), null;
  for (const key in input) if (!fields.has(key)) push(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);
  return input;
}
