/**
 * The query parameters of TAXII 2.1 `objects`, `manifest` and `versions` requests (OASIS TAXII
 * 2.1 CS01, section 3.4), read from the raw query string so `match[id]` is not reshaped by the
 * query parser. Every problem is a 400 naming the parameter.
 */
import { ErrorDetail, invalid } from '../common/errors/domain-error';
import { STIX_ID, STIX_TIMESTAMP } from '../domain/stix-ids';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** Where a page ends: the (date added, report id) of its last object. */
export interface TaxiiCursor {
  added: Date;
  id: string;
}

export type VersionFilter = 'last' | 'first' | 'all' | Date;

export interface TaxiiFilters {
  addedAfter: Date | null;
  limit: number;
  next: TaxiiCursor | null;
  ids: string[] | null;
  types: string[] | null;
  versions: VersionFilter[];
  specVersions: string[] | null;
}

const ALLOWED = new Set(['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]']);

export const encodeNext = (c: TaxiiCursor) => Buffer.from(`${c.added.toISOString()}|${c.id}`, 'utf8').toString('base64url');

function decodeNext(value: string): TaxiiCursor | null {
  const key = Buffer.from(value, 'base64url').toString('utf8');
  if (Buffer.from(key, 'utf8').toString('base64url') !== value) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(key);
  return m && !Number.isNaN(Date.parse(m[1])) ? { added: new Date(m[1]), id: m[2] } : null;
}

const timestamp = (v: string) => (STIX_TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

/** Parses `url`'s query; `only` restricts the parameters a route accepts. */
export function parseFilters(url: string, only: ReadonlySet<string> = ALLOWED): TaxiiFilters {
  const params = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const errors: ErrorDetail[] = [];
  const bad = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!only.has(key)) bad(key, 'unknownParameter', `unknown parameter ${key}; this endpoint takes ${[...only].join(', ')}`);
    else if (seen.has(key)) bad(key, 'single', `${key} may be given once (separate several values with commas)`);
    seen.add(key);
  }
  const list = (key: string) => (params.has(key) ? params.get(key)!.split(',').map((v) => v.trim()).filter(Boolean) : null);

  let addedAfter: Date | null = null;
  if (params.has('added_after')) {
    addedAfter = timestamp(params.get('added_after')!);
    if (!addedAfter) bad('added_after', 'timestamp', 'added_after must be an RFC 3339 UTC timestamp ending in Z');
  }
  let limit = DEFAULT_PAGE;
  if (params.has('limit')) {
    const raw = params.get('limit')!;
    limit = /^[0-9]{1,7}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1)) bad('limit', 'range', `limit must be a positive integer (pages hold at most ${MAX_PAGE})`);
    limit = Math.min(limit, MAX_PAGE);
  }
  let next: TaxiiCursor | null = null;
  if (params.has('next')) {
    next = decodeNext(params.get('next')!);
    if (!next) bad('next', 'cursor', 'pass the next value of the previous page unchanged');
  }
  const ids = list('match[id]');
  for (const id of ids ?? []) if (!STIX_ID.test(id)) bad('match[id]', 'stixId', `${JSON.stringify(id)} is not a STIX id <type>--<uuid>`);
  const types = list('match[type]');
  for (const t of types ?? []) if (!/^[a-z0-9-]{3,250}$/.test(t)) bad('match[type]', 'stixType', `${JSON.stringify(t)} is not a STIX type`);
  const versions: VersionFilter[] = [];
  for (const v of list('match[version]') ?? ['last']) {
    if (v === 'last' || v === 'first' || v === 'all') versions.push(v);
    else {
      const t = timestamp(v);
      if (t) versions.push(t);
      else bad('match[version]', 'version', 'match[version] takes last, first, all or RFC 3339 timestamps');
    }
  }
  const specVersions = list('match[spec_version]');
  if (errors.length) throw invalid(`invalid TAXII query: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
  return { addedAfter, limit, next, ids, types, versions, specVersions };
}

/** The parameters of one object's endpoint (no match[id], no match[type]). */
export const OBJECT_PARAMETERS: ReadonlySet<string> = new Set(['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]']);
/** The parameters of an object's versions endpoint. */
export const VERSIONS_PARAMETERS: ReadonlySet<string> = new Set(['added_after', 'limit', 'next', 'match[spec_version]']);
