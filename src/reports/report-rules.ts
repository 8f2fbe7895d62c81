/**
 * Validation and normalisation of report input, one record at a time, returning every broken
 * rule with its field (and 1-based row in bulk). One validator serves the single, bulk JSON,
 * CSV and STIX paths and the scenario loader, so they accept and refuse exactly the same things.
 * Hand-written rather than class-validator: the bulk path checks 10,000 rows per request.
 */
import type { ErrorDetail } from '../common/errors/domain-error';
import { REPORT_STATUSES, TLP_LEVELS, type ReportStatus, type Tlp } from '../domain/vocabulary';
import type { ExternalReference } from './report.entity';

import { MAX_INT, SLUG } from '../domain/ids';
/** How far in the future an `observedAt` may lie: clocks of responders' tools drift. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** A report observed this long before its weapon's first sighting gets a warning. */
export const FIRST_SEEN_MARGIN_MS = 7 * 24 * 3_600_000;
/** The TLP of a report that names none: restricted sharing until the source says otherwise. */
export const DEFAULT_TLP: Tlp = 'amber';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** ISO 8601 / RFC 3339 date-time with an explicit zone (a time without one is ambiguous evidence). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

const REPORT_FIELDS = new Set([
  'weaponId', 'entityId', 'entity', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossUsd',
  'confidence', 'tlp', 'source', 'externalReferences', 'supersedes', 'organizationId',
]);
const REFERENCE_FIELDS = new Set(['source_name', 'url', 'external_id', 'description']);

/** What a client may send for one report (see README, "Spread reports"). */
export interface ReportInput {
  weaponId: string;
  /** An existing entity; or `entity` to create one inline (or reuse it when its id exists). */
  entityId?: string;
  entity?: Record<string, unknown>;
  observedAt: string;
  status: ReportStatus;
  hostsAffected?: number | null;
  downtimeHours?: number | null;
  lossUsd?: { low: number; high: number } | null;
  confidence?: number | null;
  tlp?: Tlp;
  source?: string | null;
  externalReferences?: ExternalReference[];
  supersedes?: string | null;
  /** The reporting organisation; defaults to the caller's, and only admins may name another. */
  organizationId?: string;
}

/** A report ready to resolve and insert. */
export interface NewReport {
  weaponId: string;
  entityId: string;
  /** The inline entity to create when it does not exist yet (validated by the entities rules). */
  entity: Record<string, unknown> | null;
  observedAt: Date;
  status: ReportStatus;
  hostsAffected: number | null;
  downtimeHours: number | null;
  lossLowUsd: number | null;
  lossHighUsd: number | null;
  confidence: number | null;
  tlp: Tlp;
  source: string | null;
  externalReferences: ExternalReference[] | null;
  supersedesId: string | null;
  organizationId: string | null;
  stixId: string | null;
}

type Errors = ErrorDetail[];
const add = (errors: Errors, row: number | undefined, field: string, rule: string, message: string) => {
  errors.push(row === undefined ? { field, rule, message } : { row, field, rule, message });
};
const isAbsent = (v: unknown) => v === undefined || v === null || v === '';

/** Parses an ISO 8601 date-time with a zone, or null. */
export function parseDateTime(v: unknown): Date | null {
  if (typeof v !== 'string' || !DATE_TIME.test(v)) return null;
  const d = new Date(v.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? null : d;
}

function slug(v: unknown, field: string, required: boolean, errors: Errors, row?: number): string | null {
  if (isAbsent(v)) {
    if (required) add(errors, row, field, 'required', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string' || !SLUG.test(v)) {
    add(errors, row, field, 'slug', `${field} must be a slug: lowercase letters, digits and . _ : - (1-128 chars)`);
    return null;
  }
  return v;
}

function num(v: unknown, field: string, opts: { integer?: boolean; min?: number; max?: number }, errors: Errors, row?: number): number | null {
  if (isAbsent(v)) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    add(errors, row, field, opts.integer ? 'isInt' : 'isNumber', `${field} must be a ${opts.integer ? 'whole ' : ''}number`);
    return null;
  }
  if (opts.integer && !Number.isInteger(v)) return add(errors, row, field, 'isInt', `${field} must be a whole number`), null;
  if (opts.min !== undefined && v < opts.min) return add(errors, row, field, 'min', `${field} must be at least ${opts.min}`), null;
  if (opts.max !== undefined && v > opts.max) return add(errors, row, field, 'max', `${field} must be at most ${opts.max}`), null;
  return v;
}

function externalReferences(v: unknown, errors: Errors, row?: number): ExternalReference[] | null {
  if (isAbsent(v)) return null;
  if (!Array.isArray(v)) return add(errors, row, 'externalReferences', 'isArray', 'externalReferences must be an array'), null;
  if (v.length > 50) return add(errors, row, 'externalReferences', 'maxSize', 'at most 50 external references'), null;
  const out: ExternalReference[] = [];
  v.forEach((ref, i) => {
    const field = `externalReferences[${i}]`;
    if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) return add(errors, row, field, 'isObject', `${field} must be an object`);
    const r = ref as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!REFERENCE_FIELDS.has(key)) add(errors, row, `${field}.${key}`, 'unknownProperty', `property '${field}.${key}' is not allowed`);
    if (typeof r.source_name !== 'string' || !r.source_name.trim() || r.source_name.length > 200) {
      add(errors, row, `${field}.source_name`, 'required', 'source_name is required (1-200 characters)');
    }
    for (const key of ['url', 'external_id', 'description'] as const) {
      if (r[key] !== undefined && (typeof r[key] !== 'string' || (r[key] as string).length > 2000)) {
        add(errors, row, `${field}.${key}`, 'isString', `${key} must be a string of at most 2000 characters`);
      }
    }
    if (typeof r.url === 'string' && !/^https?:\/\/\S+$/i.test(r.url)) add(errors, row, `${field}.url`, 'isUrl', 'url must be an http(s) URL');
    const clean: ExternalReference = { source_name: String(r.source_name ?? '').trim() };
    for (const key of ['url', 'external_id', 'description'] as const) if (typeof r[key] === 'string') clean[key] = r[key] as string;
    out.push(clean);
  });
  return out;
}

/**
 * Checks one report record (JSON-typed values); `row` (1-based) goes on each detail when given.
 * References (weapon, entity, superseded report exist and are visible) are the caller's job.
 * `now` is the server's clock in ms, for the future-date rule.
 */
export function checkReport(input: unknown, row: number | undefined, now: number): { value: NewReport | null; errors: ErrorDetail[] } {
  const errors: Errors = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    add(errors, row, row === undefined ? 'body' : 'row', 'isObject', 'each report must be a JSON object');
    return { value: null, errors };
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!REPORT_FIELDS.has(key)) add(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);

  const weaponId = slug(o.weaponId, 'weaponId', true, errors, row);
  let entityId = slug(o.entityId, 'entityId', false, errors, row);
  let entity: Record<string, unknown> | null = null;
  if (!isAbsent(o.entity)) {
    if (typeof o.entity !== 'object' || Array.isArray(o.entity)) add(errors, row, 'entity', 'isObject', 'entity must be an object (an entity to create inline)');
    else {
      entity = o.entity as Record<string, unknown>;
      const inlineId = slug(entity.id, 'entity.id', true, errors, row);
      if (entityId && inlineId && entityId !== inlineId) add(errors, row, 'entityId', 'matches', 'entityId and entity.id differ');
      entityId = entityId ?? inlineId;
    }
  } else if (isAbsent(o.entityId)) {
    add(errors, row, 'entityId', 'required', 'entityId (or an inline entity) is required');
  }

  let observedAt: Date | null = null;
  if (isAbsent(o.observedAt)) add(errors, row, 'observedAt', 'required', 'observedAt is required');
  else if ((observedAt = parseDateTime(o.observedAt)) === null) {
    add(errors, row, 'observedAt', 'isDateTime', 'observedAt must be an ISO 8601 date-time with a time zone, e.g. 2017-06-27T09:30:00Z');
  } else if (observedAt.getTime() > now + CLOCK_SKEW_MS) {
    add(errors, row, 'observedAt', 'notFuture', 'observedAt may not lie in the future');
    observedAt = null;
  } else if (observedAt.getTime() < Date.UTC(1970, 0, 1)) {
    add(errors, row, 'observedAt', 'min', 'observedAt must be after 1970');
    observedAt = null;
  }

  let status: ReportStatus | null = null;
  if (isAbsent(o.status)) add(errors, row, 'status', 'required', 'status is required');
  else if (!(REPORT_STATUSES as readonly unknown[]).includes(o.status)) add(errors, row, 'status', 'isIn', `status must be one of ${REPORT_STATUSES.join(', ')}`);
  else status = o.status as ReportStatus;

  const hostsAffected = num(o.hostsAffected, 'hostsAffected', { integer: true, min: 0, max: MAX_INT }, errors, row);
  const downtimeHours = num(o.downtimeHours, 'downtimeHours', { min: 0, max: 1e6 }, errors, row);
  let lossLowUsd: number | null = null;
  let lossHighUsd: number | null = null;
  if (!isAbsent(o.lossUsd)) {
    if (typeof o.lossUsd !== 'object' || Array.isArray(o.lossUsd)) add(errors, row, 'lossUsd', 'isObject', 'lossUsd must be {low, high}');
    else {
      const l = o.lossUsd as Record<string, unknown>;
      for (const key of Object.keys(l)) if (key !== 'low' && key !== 'high') add(errors, row, `lossUsd.${key}`, 'unknownProperty', `property 'lossUsd.${key}' is not allowed`);
      if (isAbsent(l.low)) add(errors, row, 'lossUsd.low', 'required', 'lossUsd.low is required');
      if (isAbsent(l.high)) add(errors, row, 'lossUsd.high', 'required', 'lossUsd.high is required');
      lossLowUsd = num(l.low, 'lossUsd.low', { min: 0, max: 1e15 }, errors, row);
      lossHighUsd = num(l.high, 'lossUsd.high', { min: 0, max: 1e15 }, errors, row);
      if (lossLowUsd !== null && lossHighUsd !== null && lossLowUsd > lossHighUsd) add(errors, row, 'lossUsd', 'range', 'lossUsd.low must not exceed lossUsd.high');
    }
  }
  const confidence = num(o.confidence, 'confidence', { integer: true, min: 0, max: 100 }, errors, row);

  let tlp: Tlp = DEFAULT_TLP;
  if (!isAbsent(o.tlp)) {
    const t = typeof o.tlp === 'string' ? o.tlp.trim().toLowerCase().replace(/^tlp:/, '') : o.tlp;
    if (!(TLP_LEVELS as readonly unknown[]).includes(t)) add(errors, row, 'tlp', 'isIn', `tlp must be one of ${TLP_LEVELS.join(', ')}`);
    else tlp = t as Tlp;
  }
  let source: string | null = null;
  if (!isAbsent(o.source)) {
    if (typeof o.source !== 'string' || o.source.length > 300) add(errors, row, 'source', 'isString', 'source must be a string of at most 300 characters');
    else source = o.source.trim();
  }
  const refs = externalReferences(o.externalReferences, errors, row);
  let supersedesId: string | null = null;
  // An empty string names no report: only an absent or null `supersedes` files a new chain.
  if (o.supersedes !== undefined && o.supersedes !== null) {
    if (typeof o.supersedes !== 'string' || !UUID.test(o.supersedes)) add(errors, row, 'supersedes', 'isUuid', 'supersedes must be the id of a report');
    else supersedesId = o.supersedes;
  }
  const organizationId = slug(o.organizationId, 'organizationId', false, errors, row);

  if (errors.length) return { value: null, errors };
  return {
    value: {
      weaponId: weaponId!, entityId: entityId!, entity, observedAt: observedAt!, status: status!, hostsAffected, downtimeHours,
      lossLowUsd, lossHighUsd, confidence, tlp, source, externalReferences: refs, supersedesId, organizationId, stixId: null,
    },
    errors,
  };
}

/** CSV columns: dotted headers build nested values (`lossUsd.low`, `entity.name`, `entity.country`). */
const CSV_NUMBERS = new Set(['hostsAffected', 'downtimeHours', 'confidence', 'lossUsd.low', 'lossUsd.high', 'entity.hosts', 'entity.dailyValueUsd', 'entity.populationServed']);
const CSV_BOOLEANS = new Set(['entity.protected']);
const CSV_LISTS = new Set(['entity.tags']);

/**
 * Turns a CSV data row into the JSON shape `checkReport` takes. Empty cells are absent; numbers
 * that do not parse stay strings so the validator names them; `entity.tags` splits on `;`.
 */
export function csvRowToInput(header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const name = header[i];
    const raw = cells[i];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (CSV_NUMBERS.has(name)) value = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    else if (CSV_BOOLEANS.has(name)) value = raw === 'true' ? true : raw === 'false' ? false : raw;
    else if (CSV_LISTS.has(name)) value = raw.split(';').map((s) => s.trim()).filter(Boolean);
    const dot = name.indexOf('.');
    if (dot > 0) {
      const head = name.slice(0, dot);
      const nested = (out[head] ??= {}) as Record<string, unknown>;
      nested[name.slice(dot + 1)] = value;
    } else out[name] = value;
  }
  return out;
}
