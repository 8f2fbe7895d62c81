/**
 * Who may read a report in detail, by its TLP (TLP 2.0, FIRST):
 * - `clear`, `green`: every authenticated member organisation;
 * - `amber`: every member organisation's responders and analysts, not researchers;
 * - `amber+strict`, `red`: only the reporting organisation (any of its roles) and admins.
 * The reporting organisation always sees its own reports. A report the reader may not see
 * answers 404, as if it did not exist. Restricted reports still count in aggregate estimates
 * (ReportsService.evidenceFor is unfiltered).
 */
import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../auth/principal';
import type { Tlp } from '../domain/vocabulary';

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

export function canSee(principal: Pick<Principal, 'role' | 'organizationId'>, report: { tlp: string; organizationId: string }): boolean {
  const levels = sharedLevels(principal);
  return levels === null || report.organizationId === principal.organizationId || (levels as string[]).includes(report.tlp);
}

/** Restricts a query on reports (alias `alias`) to what `principal` may see: the filter is part of the SQL. */
export function whereVisible<T extends object>(qb: SelectQueryBuilder<T>, principal: Pick<Principal, 'role' | 'organizationId'>, alias = 'r'): SelectQueryBuilder<T> {
  const levels = sharedLevels(principal);
  if (levels === null) return qb;
  return qb.andWhere(`(${alias}.tlp IN (:...visibleTlp) OR ${alias}.organizationId = :visibleOrg)`, {
    visibleTlp: levels,
    visibleOrg: principal.organizationId,
  });
}
