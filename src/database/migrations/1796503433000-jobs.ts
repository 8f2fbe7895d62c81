import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sets (or, going down, removes) `kind` in every job's stored input, from the row's own kind. */
async function kindInInputs(q: QueryRunner, table: string, withKind: boolean): Promise<void> {
  const rows: Array<{ id: string; kind: string; input: string }> = await q.query(`SELECT "id", "kind", "input" FROM "${table}"`);
  const param = (i: number) => (q.connection.driver.options.type === 'postgres' ? `$${i}` : '?');
  for (const row of rows) {
    const { kind: _kind, ...input } = JSON.parse(row.input) as Record<string, unknown>;
    const body = JSON.stringify(withKind ? { kind: row.kind, ...input } : input);
    await q.query(`UPDATE "${table}" SET "input" = ${param(1)} WHERE "id" = ${param(2)}`, [body, row.id]);
  }
}

/**
 * Assessments and simulations are two kinds of one job: the job rows and their result parts
 * get the jobs' names (TypeORM renames the indexes and key constraints with the tables), and
 * each stored input says its kind, so code narrows an input by it.
 */
export class Jobs1796503433000 implements MigrationInterface {
  name = 'Jobs1796503433000';

  async up(q: QueryRunner): Promise<void> {
    await q.renameTable('assessments', 'jobs');
    await q.renameTable('assessment_results', 'job_results');
    await q.renameColumn('job_results', 'assessmentId', 'jobId');
    await kindInInputs(q, 'jobs', true);
  }

  async down(q: QueryRunner): Promise<void> {
    await kindInInputs(q, 'jobs', false);
    await q.renameColumn('job_results', 'jobId', 'assessmentId');
    await q.renameTable('job_results', 'assessment_results');
    await q.renameTable('jobs', 'assessments');
  }
}
