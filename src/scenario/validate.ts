/**
 * The scenario folder's own checks: entities.csv and dependencies.csv headers and rows (each row
 * through the record rules of src/domain/rules), and the spread reports of reports.json.
 * Every function appends to an `errors` array and keeps going, so a caller gets ALL the problems
 * of a batch; rule names and normalisation: src/domain/rules/fields.ts.
 */
import type { DependencyRecord, EntityRecord, ReportRecord } from '../domain/records';
import { REPORT_STATUSES, TLP_LEVELS } from '../domain/vocabulary';
import { checkDependency, DEPENDENCY_COLUMNS, dependencySkeleton } from '../domain/rules/dependency';
import { checkEntity, ENTITY_COLUMNS, entitySkeleton } from '../domain/rules/entity';
import { absent, clip, countValue, dateValue, isPlainObject, nameValue, push, slugValue, type Errors } from '../domain/rules/fields';
import { checkRange } from '../domain/rules/range';

const ENTITY_REQUIRED_COLUMNS = ['id', 'name'];
const DEPENDENCY_REQUIRED_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight'];
const REPORT_FIELDS = new Set([
  'id', 'weaponId', 'entityId', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossUsd', 'confidence', 'tlp', 'source',
]);

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
