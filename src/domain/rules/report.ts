/**
 * Rules of one spread report: the scenario folder's reports.json and the API's single, bulk JSON,
 * CSV and STIX paths all call `checkReport`, so they accept and refuse the same values under the
 * same rule names. What differs between them is said as options: a file's reports carry their
 * own `id` and must name their TLP; filed reports may create an entity inline, cite external
 * references, supersede a report and name their organisation, and default to TLP amber.
 * References to stored rows (weapon, entity, superseded report) are the caller's job.
 */
import type { ExternalReference, ReportRecord } from '../records';
import { REPORT_STATUSES, TLP_LEVELS, type Tlp } from '../vocabulary';
import { absent, dateValue, isPlainObject, nameValue, numberValue, push, slugValue, type Errors } from './fields';
import { checkRange } from './range';
import { MAX_INT } from '../ids';

/** How far in the future an `observedAt` may lie: clocks of responders' tools drift. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** The TLP of a filed report that names none: restricted sharing until the source says otherwise. */
export const DEFAULT_TLP: Tlp = 'amber';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RECORD_FIELDS = ['weaponId', 'entityId', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossUsd', 'confidence', 'tlp', 'source'];
const FILE_FIELDS = new Set([...RECORD_FIELDS, 'id']);
const FILING_FIELDS = new Set([...RECORD_FIELDS, 'entity', 'externalReferences', 'supersedes', 'organizationId']);
const REFERENCE_FIELDS = new Set(['source_name', 'url', 'external_id', 'description']);

export interface ReportCheckOptions {
  /**
   * The TLP of a report that names none; without it `tlp` is required (scenario files, whose
   * reports must say who may read them).
   */
  defaultTlp?: Tlp;
  /**
   * The fields of a filed report (API, CSV, STIX): `entity` inline, `externalReferences`,
   * `supersedes`, `organizationId`. Without it, the file's optional report `id` instead.
   */
  filing?: boolean;
  /** The server's clock in ms, for the future-date rule (default: now). */
  now?: number;
  /** Checks entityId and weaponId against these when given (the scenario folder's own sets). */
  entities?: { has(id: string): boolean };
  weapons?: { has(id: string): boolean };
}

/** A checked report: the record, and for filed reports the filing fields that were given. */
export interface CheckedReport extends ReportRecord {
  /** The inline entity to create when it does not exist yet (checked by the entity rules). */
  entity?: Record<string, unknown>;
  externalReferences?: ExternalReference[];
  supersedesId?: string;
  organizationId?: string;
}

/** When the report was observed: a date-time with offset (one grammar: domain/date-time.ts), not in the future, after 1970. */
function observedAtValue(v: unknown, now: number, errors: Errors, row?: number): string | null {
  if (absent(v)) return push(errors, row, 'observedAt', 'required', 'observedAt is required'), null;
  const at = dateValue(v, 'observedAt', errors, row);
  if (at === null) return null;
  const t = Date.parse(at);
  if (t > now + CLOCK_SKEW_MS) return push(errors, row, 'observedAt', 'notFuture', 'observedAt may not lie in the future'), null;
  if (t < Date.UTC(1970, 0, 1)) return push(errors, row, 'observedAt', 'min', 'observedAt must be after 1970'), null;
  return at;
}

/** An optional number of JSON input within [0, max]: `isNumber`, `isInt`, `min`, `max`. */
function boundedValue(v: unknown, field: string, integer: boolean, max: number, errors: Errors, row?: number): number | null {
  const n = numberValue(v, false);
  if (n === undefined) return null;
  if (n === 'bad') return push(errors, row, field, 'isNumber', `${field} must be a finite number`), null;
  if (integer && !Number.isInteger(n)) return push(errors, row, field, 'isInt', `${field} must be a whole number`), null;
  if (n < 0) return push(errors, row, field, 'min', `${field} must be at least 0`), null;
  if (n > max) return push(errors, row, field, 'max', `${field} must be at most ${max}`), null;
  return n;
}

function tlpValue(v: unknown, defaultTlp: Tlp | undefined, errors: Errors, row?: number): Tlp | null {
  if (absent(v)) return defaultTlp ?? (push(errors, row, 'tlp', 'required', 'tlp is required'), null);
  const t = typeof v === 'string' ? v.trim().toLowerCase().replace(/^tlp:/, '') : v;
  if ((TLP_LEVELS as readonly unknown[]).includes(t)) return t as Tlp;
  return push(errors, row, 'tlp', 'isIn', `tlp must be one of ${TLP_LEVELS.join(', ')}`), null;
}

function externalReferencesValue(v: unknown, errors: Errors, row?: number): ExternalReference[] | null {
  if (absent(v)) return null;
  if (!Array.isArray(v)) return push(errors, row, 'externalReferences', 'isArray', 'externalReferences must be an array'), null;
  if (v.length > 50) return push(errors, row, 'externalReferences', 'maxSize', 'at most 50 external references'), null;
  const out: ExternalReference[] = [];
  v.forEach((ref, i) => {
    const field = `externalReferences[${i}]`;
    if (!isPlainObject(ref)) return push(errors, row, field, 'isObject', `${field} must be an object`);
    for (const key of Object.keys(ref)) if (!REFERENCE_FIELDS.has(key)) push(errors, row, `${field}.${key}`, 'unknownProperty', `property '${field}.${key}' is not allowed`);
    if (typeof ref.source_name !== 'string' || !ref.source_name.trim() || ref.source_name.length > 200) {
      push(errors, row, `${field}.source_name`, 'required', 'source_name is required (1-200 characters)');
    }
    for (const key of ['url', 'external_id', 'description'] as const) {
      if (ref[key] !== undefined && (typeof ref[key] !== 'string' || (ref[key] as string).length > 2000)) {
        push(errors, row, `${field}.${key}`, 'isString', `${key} must be a string of at most 2000 characters`);
      }
    }
    if (typeof ref.url === 'string' && !/^https?:\/\/\S+$/i.test(ref.url)) push(errors, row, `${field}.url`, 'isUrl', 'url must be an http(s) URL');
    const clean: ExternalReference = { source_name: String(ref.source_name ?? '').trim() };
    for (const key of ['url', 'external_id', 'description'] as const) if (typeof ref[key] === 'string') clean[key] = ref[key] as string;
    out.push(clean);
  });
  return out;
}

/** entityId, or with `filing` an inline `entity` whose id gives it. */
function entityIdValue(o: Record<string, unknown>, filing: boolean, errors: Errors, row?: number): { entityId: string | null; entity: Record<string, unknown> | null } {
  if (!filing || absent(o.entity)) {
    if (filing && absent(o.entityId)) return push(errors, row, 'entityId', 'required', 'entityId (or an inline entity) is required'), { entityId: null, entity: null };
    return { entityId: slugValue(o.entityId, 'entityId', true, errors, row), entity: null };
  }
  const entityId = slugValue(o.entityId, 'entityId', false, errors, row);
  if (!isPlainObject(o.entity)) return push(errors, row, 'entity', 'isObject', 'entity must be an object (an entity to create inline)'), { entityId, entity: null };
  const inlineId = slugValue(o.entity.id, 'entity.id', true, errors, row);
  if (entityId && inlineId && entityId !== inlineId) push(errors, row, 'entityId', 'matches', 'entityId and entity.id differ');
  return { entityId: entityId ?? inlineId, entity: o.entity };
}

/**
 * Checks one report (JSON-typed values); `row` (1-based) goes on each detail when given. Returns
 * the normalised report, or null after appending every broken rule to `errors`.
 */
export function checkReport(input: unknown, row: number | undefined, errors: Errors, options: ReportCheckOptions = {}): CheckedReport | null {
  const before = errors.length;
  const filing = !!options.filing;
  if (!isPlainObject(input)) return push(errors, row, row === undefined ? 'body' : 'row', 'isObject', 'each report must be a JSON object'), null;
  const fields = filing ? FILING_FIELDS : FILE_FIELDS;
  for (const key in input) if (!fields.has(key)) push(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);

  const id = filing ? null : slugValue(input.id, 'id', false, errors, row);
  const weaponId = slugValue(input.weaponId, 'weaponId', true, errors, row);
  if (weaponId && options.weapons && !options.weapons.has(weaponId)) push(errors, row, 'weaponId', 'reference', `weaponId '${weaponId}' names no weapon`);
  const { entityId, entity } = entityIdValue(input, filing, errors, row);
  if (entityId && !entity && options.entities && !options.entities.has(entityId)) push(errors, row, 'entityId', 'reference', `entityId '${entityId}' names no entity`);
  const observedAt = observedAtValue(input.observedAt, options.now ?? Date.now(), errors, row);
  let status: ReportRecord['status'] | null = null;
  if (absent(input.status)) push(errors, row, 'status', 'required', 'status is required');
  else if ((REPORT_STATUSES as readonly unknown[]).includes(input.status)) status = input.status as ReportRecord['status'];
  else push(errors, row, 'status', 'isIn', `status must be one of ${REPORT_STATUSES.join(', ')}`);
  const hostsAffected = boundedValue(input.hostsAffected, 'hostsAffected', true, MAX_INT, errors, row);
  const downtimeHours = boundedValue(input.downtimeHours, 'downtimeHours', false, 1e6, errors, row);
  const lossUsd = absent(input.lossUsd) ? null : checkRange(input.lossUsd, 'lossUsd', { min: 0, max: 1e15 }, errors, row);
  const confidence = boundedValue(input.confidence, 'confidence', true, 100, errors, row);
  const tlp = tlpValue(input.tlp, options.defaultTlp, errors, row);
  const source = nameValue(input.source, 'source', false, errors, row, 300);
  const externalReferences = filing ? externalReferencesValue(input.externalReferences, errors, row) : null;
  let supersedesId: string | null = null;
  // An empty string names no report: only an absent or null `supersedes` files a new chain.
  if (filing && input.supersedes !== undefined && input.supersedes !== null) {
    if (typeof input.supersedes !== 'string' || !UUID.test(input.supersedes)) push(errors, row, 'supersedes', 'isUuid', 'supersedes must be the id of a report');
    else supersedesId = input.supersedes;
  }
  const organizationId = filing ? slugValue(input.organizationId, 'organizationId', false, errors, row) : null;
  if (errors.length > before) return null;

  const r: CheckedReport = { weaponId: weaponId!, entityId: entityId!, observedAt: observedAt!, status: status!, tlp: tlp! };
  if (id) r.id = id;
  if (hostsAffected !== null) r.hostsAffected = hostsAffected;
  if (downtimeHours !== null) r.downtimeHours = downtimeHours;
  if (lossUsd) r.lossUsd = lossUsd;
  if (confidence !== null) r.confidence = confidence;
  if (source) r.source = source;
  if (entity) r.entity = entity;
  if (externalReferences) r.externalReferences = externalReferences;
  if (supersedesId) r.supersedesId = supersedesId;
  if (organizationId) r.organizationId = organizationId;
  return r;
}
