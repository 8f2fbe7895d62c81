/**
 * The TLP policy: who may read a report in detail, and what may be derived from reports a
 * reader may not see. Every read path and every derived output goes through these functions
 * (docs/tlp.md).
 *
 * Who may read a report in detail, by its TLP (TLP 2.0, FIRST):
 * - `clear`, `green`: every authenticated member organisation;
 * - `amber`: every member organisation's responders and analysts, not researchers;
 * - `amber+strict`, `red`: only the reporting organisation (any of its roles) and admins.
 * The reporting organisation always sees its own reports. A report the reader may not see
 * answers 404, as if it did not exist. Restricted reports still count in aggregate estimates
 * (ReportsService.evidenceFor is unfiltered), but no field shows a reader the existence, id,
 * time or count of a report it may not see.
 *
 * Who may see a report depends only on its audience: its TLP and its filing organisation. So
 * derived facts are kept per audience (counts, newest times, stale causes) and each reader is
 * answered from the audiences it may see.
 */
import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../common/http/principal';
import type { Tlp } from '../domain/vocabulary';

export type Reader = Pick<Principal, 'role' | 'organizationId'>;

/** What decides who may see a report: its TLP and the organisation that filed it. */
export interface Audience {
  tlp: Tlp | string;
  organizationId?: string | null;
}

/** The TLP levels a principal sees in other organisations' reports; null = everything (admin). */
export function sharedLevels(principal: Pick<Principal, 'role'>): Tlp[] | null {
  switch (principal.role) {
    case 'admin':
      return null;
    case 'responder':
    case 'analyst':
      return ['clear', 'green', 'amber'];
    default:
      return ['clear', 'green'];
  }
}

/** May `principal` see reports of this audience? A report filed without an organisation is shown only when its level is shared. */
export function canSee(principal: Reader, report: Audience): boolean {
  const levels = sharedLevels(principal);
  return levels === null || (!!report.organizationId && report.organizationId === principal.organizationId) || (levels as string[]).includes(report.tlp);
}

/** Restricts a query on reports (alias `alias`) to what `principal` may see: the filter is part of the SQL. */
export function whereVisible<T extends object>(qb: SelectQueryBuilder<T>, principal: Reader, alias = 'r'): SelectQueryBuilder<T> {
  const condition = visibleCondition(principal, alias);
  return condition ? qb.andWhere(condition.sql, condition.params) : qb;
}

/**
 * The SQL condition "reports of alias `alias` visible to `principal`" (null: all are), for
 * sub-queries; parameter names are suffixed with the alias so two conditions can share a query.
 */
export function visibleCondition(principal: Reader, alias = 'r'): { sql: string; params: Record<string, unknown> } | null {
  const levels = sharedLevels(principal);
  if (levels === null) return null;
  return {
    sql: `("${alias}"."tlp" IN (:...visibleTlp_${alias}) OR "${alias}"."organizationId" = :visibleOrg_${alias})`,
    params: { [`visibleTlp_${alias}`]: levels, [`visibleOrg_${alias}`]: principal.organizationId },
  };
}

/** Audience key, for maps and stored lists. */
export const audienceKey = (a: Audience): string => `${a.tlp}\u0000${a.organizationId ?? ''}`;

/** Counts per audience, answered per reader: the number of reports the reader may see. */
export interface AudienceCount extends Audience {
  count: number;
}

export function countAudiences(items: readonly Audience[]): AudienceCount[] {
  const counts = new Map<string, AudienceCount>();
  for (const a of items) {
    const key = audienceKey(a);
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { tlp: a.tlp, organizationId: a.organizationId ?? null, count: 1 });
  }
  return [...counts.values()];
}

export function visibleCount(counts: readonly AudienceCount[], reader: Reader): number {
  let n = 0;
  for (const c of counts) if (canSee(reader, c)) n += c.count;
  return n;
}

/** Does anything in `audiences` concern `reader` (e.g. a stale cause, a report behind an entity)? */
export function anyVisible(audiences: readonly Audience[] | null | undefined, reader: Reader): boolean {
  return (audiences ?? []).some((a) => canSee(reader, a));
}

/**
 * Restricts a query on entities (alias `alias`) to those `principal` may list: an entity
 * created inline by a report is listed only to readers who may see that report (its id and
 * creation time would reveal the report).
 */
export function whereEntityVisible<T extends object>(qb: SelectQueryBuilder<T>, principal: Reader, alias = 'e'): SelectQueryBuilder<T> {
  const levels = sharedLevels(principal);
  if (levels === null) return qb;
  return qb.andWhere(`("${alias}"."originTlp" IS NULL OR "${alias}"."originTlp" IN (:...originTlp) OR "${alias}"."originOrganizationId" = :originOrg)`, {
    originTlp: levels,
    originOrg: principal.organizationId,
  });
}

/** TLP levels whose entities created inline are part of the shared graph views (hierarchy): those every reader may see. */
export const EVERYONE: readonly Tlp[] = ['clear', 'green'];
