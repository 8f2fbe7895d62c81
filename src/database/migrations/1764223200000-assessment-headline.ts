import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Fills in `headline` of finished assessments that have none, from their stored summary. */
export async function backfillHeadlines(q: QueryRunner): Promise<number> {
  const rows: Array<{ id: string; body: string }> = await q.query(
    `SELECT "a"."id" AS "id", "r"."body" AS "body" FROM "assessments" "a" JOIN "assessment_results" "r" ON "r"."assessmentId" = "a"."id" AND "r"."part" = 'summary' WHERE "a"."kind" = 'assessment' AND "a"."status" = 'done' AND "a"."headline" IS NULL`,
  );
  const param = (i: number) => (q.connection.driver.options.type === 'postgres' ? `$${i}` : '?');
  let done = 0;
  for (const row of rows) {
    let headline: string;
    try {
      // As src/assessments/evidence-summary.ts headlineOf, frozen here as migrations are.
      const s = JSON.parse(row.body);
      headline = JSON.stringify({
        level: s.total.entitiesInfected.level,
        entitiesInfected: s.total.entitiesInfected,
        lossUsd: { total: s.total.lossUsd.total },
        collateral: { entitiesInfected: s.collateral.entitiesInfected, lossUsd: { total: s.collateral.lossUsd.total } },
        effectiveSampleSize: s.calibration?.effectiveSampleSize ?? null,
      });
    } catch {
      continue;
    }
    await q.query(`UPDATE "assessments" SET "headline" = ${param(1)} WHERE "id" = ${param(2)}`, [headline, row.id]);
    done++;
  }
  return done;
}

/**
 * Assessments: the newest report per (TLP, organisation) of the evidence read (for
 * `latestReportAt`/`latestReportFiledAt`), and the headline figures stored at finish (for the
 * list). Finished assessments get their headline from their stored summary here, once.
 */
export class AssessmentHeadline1764223200000 implements MigrationInterface {
  name = 'AssessmentHeadline1764223200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('assessments', [
      new TableColumn({ name: 'latestReports', type: 'text', isNullable: true }),
      new TableColumn({ name: 'headline', type: 'text', isNullable: true }),
    ]);
    await backfillHeadlines(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('assessments', 'headline');
    await q.dropColumn('assessments', 'latestReports');
  }
}
