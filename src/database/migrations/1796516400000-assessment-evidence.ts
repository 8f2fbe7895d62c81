import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { COLUMN } from '../column-types';

/** The columns that move, as the jobs table had them (text: JSON). */
const COLUMNS = [
  { name: 'reportsUsed', type: 'integer', default: 0 },
  { name: 'evidenceMark', type: 'varchar', length: '64', isNullable: true },
  { name: 'stale', type: 'boolean', default: COLUMN.bool(false) },
  { name: 'staleFor', type: 'text', isNullable: true },
  { name: 'latestReports', type: 'text', isNullable: true },
  { name: 'headline', type: 'text', isNullable: true },
];
const NAMES = COLUMNS.map((c) => `"${c.name}"`).join(', ');

/**
 * An assessment's evidence facts, staleness and headline leave the generic job row for a table
 * of the assessments' own, `assessment_evidence`, one row per assessment keyed by the job id
 * (deleted with its job). Assessments' values are copied over; simulations never had any but
 * the defaults (0 reports, not stale, nulls), which is what going down gives them back.
 * SQLite rebuilds `jobs` to drop or add the columns: the migration runner switches foreign
 * keys off meanwhile, so the rebuild cascades to no evidence row.
 */
export class AssessmentEvidence1796516400000 implements MigrationInterface {
  name = 'AssessmentEvidence1796516400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'assessment_evidence',
      columns: [{ name: 'jobId', type: 'varchar', length: '36', isPrimary: true }, ...COLUMNS],
      foreignKeys: [{ columnNames: ['jobId'], referencedTableName: 'jobs', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
    }));
    await q.query(`INSERT INTO "assessment_evidence" ("jobId", ${NAMES}) SELECT "id", ${NAMES} FROM "jobs" WHERE "kind" = 'assessment'`);
    await q.dropColumns('jobs', COLUMNS.map((c) => c.name));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumns('jobs', COLUMNS.map((c) => new TableColumn(c)));
    const from = (c: string) => `"${c}" = (SELECT "e"."${c}" FROM "assessment_evidence" "e" WHERE "e"."jobId" = "jobs"."id")`;
    await q.query(`UPDATE "jobs" SET ${COLUMNS.map((c) => from(c.name)).join(', ')} WHERE "id" IN (SELECT "jobId" FROM "assessment_evidence")`);
    await q.dropTable('assessment_evidence');
  }
}
