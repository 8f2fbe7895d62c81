import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Reader, visibleCondition } from '../tlp/policy';
import { Report } from './report.entity';

/**
 * SQL condition: the report row `alias` is current, i.e. no version supersedes it. Reports own
 * this rule; every query on current reports, here and in other features, is built from it.
 */
export const currentReport = (alias: string): string => `NOT EXISTS (SELECT 1 FROM "reports" "s" WHERE "s"."supersedesId" = "${alias}"."id")`;

/**
 * Restricts a query on reports (alias `alias`) to the versions current as `principal` sees
 * them: no later version of the chain that it may see. A report corrected by a version hidden
 * from the reader stays current for it, so neither `current` nor its place in lists reveals
 * the hidden correction. A reader who sees everything gets `currentReport`.
 */
export function whereCurrentFor<T extends object>(qb: SelectQueryBuilder<T>, principal: Reader, alias = 'r'): SelectQueryBuilder<T> {
  const later = visibleCondition(principal, 'later');
  if (!later) return qb.andWhere(currentReport(alias));
  return qb.andWhere(
    `NOT EXISTS (SELECT 1 FROM "reports" "later" WHERE "later"."chainId" = "${alias}"."chainId" AND "later"."version" > "${alias}"."version" AND ${later.sql})`,
    later.params,
  );
}

/**
 * The evidence of a weapon at `asOf`: every current report observed at or before it, oldest
 * first, at every TLP level (restricted reports count in aggregates). The one query behind
 * `ReportsService.evidenceWithin` and the assessments' evidence source.
 */
export function currentEvidence(m: EntityManager, weaponId: string, asOf: Date): Promise<Report[]> {
  return m
    .getRepository(Report)
    .createQueryBuilder('r')
    .where('r.weaponId = :weaponId', { weaponId })
    .andWhere('r.observedAt <= :asOf', { asOf })
    .andWhere(currentReport('r'))
    .orderBy('r.observedAt', 'ASC')
    .addOrderBy('r.id', 'ASC')
    .getMany();
}
