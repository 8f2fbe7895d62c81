/**
 * The scenario folder's own checks: entities.csv and dependencies.csv headers and rows (each row
 * through the record rules of src/domain/rules), and the spread reports of reports.json.
 * Every function appends to an `errors` array and keeps going, so a caller gets ALL the problems
 * of a batch; rule names and normalisation: src/domain/rules/fields.ts.
 */
import type { DependencyRecord, EntityRecord, ReportRecord } from '../domain/records';
import { checkDependency, DEPENDENCY_COLUMNS, dependencySkeleton } from '../domain/rules/dependency';
import { checkEntity, ENTITY_COLUMNS, entitySkeleton } from '../domain/rules/entity';
import { clip, push, type Errors } from '../domain/rules/fields';
import { checkReport as checkReportRules } from '../domain/rules/report';

const ENTITY_REQUIRED_COLUMNS = ['id', 'name'];
const DEPENDENCY_REQUIRED_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight'];

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
 * Checks one report of reports.json through the one report rule set: `tlp` is required (no
 * default), `id` is optional (a slug when present); `refs` check entityId and weaponId when given.
 */
export function checkReport(input: unknown, row: number | undefined, errors: Errors, refs: ReportRefs = {}): ReportRecord | null {
  return checkReportRules(input, row, errors, refs);
}

type ReportRefs = { entities?: { has(id: string): boolean }; weapons?: { has(id: string): boolean } };

/** Checks a list of reports, including duplicate report ids. */
export function checkReports(
  input: unknown,
  errors: Errors,
  refs: ReportRefs = {},
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
