/**
 * The reports API's use of the one report rule set (src/domain/rules/report.ts): filed reports
 * (single, bulk JSON, CSV, STIX, scenario loads) are checked with the filing fields and TLP amber
 * by default, and come out as rows ready to resolve and insert. CSV rows become the JSON shape first.
 */
import type { ErrorDetail } from '../common/errors/domain-error';
import { isDateTime } from '../domain/date-time';
import type { ExternalReference } from '../domain/records';
import { checkNewEntity } from '../domain/rules/entity';
import { checkReport as checkReportRules, DEFAULT_TLP } from '../domain/rules/report';
import type { ReportStatus, Tlp } from '../domain/vocabulary';

export { CLOCK_SKEW_MS, DEFAULT_TLP } from '../domain/rules/report';
/** A report observed this long before its weapon's first sighting gets a warning. */
export const FIRST_SEEN_MARGIN_MS = 7 * 24 * 3_600_000;

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

/** Parses a date-time of the one grammar (domain/date-time.ts), or null. */
export function parseDateTime(v: unknown): Date | null {
  return isDateTime(v) ? new Date(v) : null;
}

/**
 * Checks one filed report; `row` (1-based) goes on each detail when given. References (weapon,
 * entity, superseded report exist and are visible) are the caller's job. `now` is the server's
 * clock in ms, for the future-date rule.
 */
export function checkReport(input: unknown, row: number | undefined, now: number): { value: NewReport | null; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const r = checkReportRules(input, row, errors, { filing: true, defaultTlp: DEFAULT_TLP, now });
  if (!r) return { value: null, errors };
  const value: NewReport = {
    weaponId: r.weaponId, entityId: r.entityId, entity: r.entity ?? null, observedAt: new Date(r.observedAt), status: r.status,
    hostsAffected: r.hostsAffected ?? null, downtimeHours: r.downtimeHours ?? null, lossLowUsd: r.lossUsd?.low ?? null,
    lossHighUsd: r.lossUsd?.high ?? null, confidence: r.confidence ?? null, tlp: r.tlp, source: r.source ?? null,
    externalReferences: r.externalReferences ?? null, supersedesId: r.supersedesId ?? null, organizationId: r.organizationId ?? null, stixId: null,
  };
  return { value, errors };
}

/**
 * Checks one filed report and, when it is sound and creates an entity inline, that entity by the
 * entity rules (details under `entity.`): what a report body may break before references are read.
 */
export function checkFiledReport(input: unknown, row: number | undefined, now: number): { value: NewReport | null; errors: ErrorDetail[] } {
  const checked = checkReport(input, row, now);
  if (checked.value?.entity) {
    for (const e of checkNewEntity(checked.value.entity, row).errors) checked.errors.push({ ...e, field: `entity.${e.field}` });
  }
  return checked;
}

/** What `checkFiledReport` found in a POST /v1/reports body, kept until the writer takes it. */
const checkedBodies = new WeakMap<object, { value: NewReport | null; errors: ErrorDetail[] }>();

/**
 * `checkFiledReport` of a single report's body, remembered for the body (its DTO instance): the
 * field rules of CreateReportDto each take their part of it, and the writer then takes the value
 * (checkFiledReportOnce) instead of checking the body again.
 */
export function checkFiledBody(body: object): { value: NewReport | null; errors: ErrorDetail[] } {
  let checked = checkedBodies.get(body);
  if (!checked) checkedBodies.set(body, (checked = checkFiledReport(body, undefined, Date.now())));
  return checked;
}

/**
 * `checkFiledReport`, unless the input is a body the field rules passed (checkFiledBody): then
 * its value, once (a retry, e.g. alone after a refused group commit, checks again). Bulk rows,
 * imports and scenario loads never went through the field rules and are checked here.
 */
export function checkFiledReportOnce(input: unknown, row: number | undefined, now: number): { value: NewReport | null; errors: ErrorDetail[] } {
  const checked = input !== null && typeof input === 'object' ? checkedBodies.get(input) : undefined;
  if (checked) checkedBodies.delete(input as object);
  return checked && !checked.errors.length ? checked : checkFiledReport(input, row, now);
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
