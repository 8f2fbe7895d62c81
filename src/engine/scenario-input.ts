/**
 * What prepareScenario is given, and how it refuses what cannot make a model: one error type and
 * the two readers of input values (times, 90% ranges) that the reports and the weapon share, so
 * that every refusal names its field the same way.
 */
import type { DependencyRecord, EntityRecord, Range90, ReportRecord, WeaponRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';
import type { ScaleNormal } from './distributions';

/** Raised for input that cannot make a model (no reports, unknown entity, bad range). */
export class ScenarioInputError extends Error {
  constructor(
    message: string,
    readonly code: 'no-reports' | 'invalid-input' = 'invalid-input',
  ) {
    super(message);
  }
}

export interface PrepareScenarioInput {
  entities: readonly EntityRecord[];
  dependencies: readonly DependencyRecord[];
  weapon: WeaponRecord;
  reports: readonly ReportRecord[];
  /** Assessment time (ISO 8601 or Date); default: the latest report's observedAt. Reports after it are ignored. */
  asOf?: string | Date;
  /** Forecast horizon after asOf, hours (default 168). */
  horizonHours?: number;
  /** Dependency kinds that carry functional dependence in the IIM (default ['service']). */
  functionalKinds?: readonly DependencyKind[];
}

/** Milliseconds since the epoch of an input time; `what` names the field in the error. */
export function parseTime(value: string | Date, what: string): number {
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(t)) throw new ScenarioInputError(`${what}: not a valid time: ${String(value)}`);
  return t;
}

/** Whether a range is given with finite ends (absent optional ranges are null or undefined). */
export function isRange(r: Range90 | null | undefined): r is Range90 {
  return !!r && Number.isFinite(r.low) && Number.isFinite(r.high);
}

/**
 * A required 90% range fitted by `fit` (lognormal or logit-normal), an absent range and the fit's
 * errors as ScenarioInputError naming the field.
 */
export function fitRange(r: Range90 | undefined | null, what: string, fit: (r: Range90, what: string) => ScaleNormal): ScaleNormal {
  if (!isRange(r)) throw new ScenarioInputError(`${what} is required`);
  try {
    return fit(r, what);
  } catch (err) {
    throw new ScenarioInputError((err as Error).message);
  }
}
