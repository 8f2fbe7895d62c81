/**
 * A database made by earlier versions migrates forward with its data: jobs stored as
 * `assessments` rows with `assessment_results` parts (before headlines were kept) come out as
 * `jobs` and `job_results`, headlines filled in, each input saying its kind, an assessment's
 * evidence facts, staleness and headline in `assessment_evidence`; and back down.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { AssessmentEvidence } from '../../src/assessments/assessment-evidence.entity';
import { Assessments1764216000000 } from '../../src/database/migrations/1764216000000-assessments';
import { Jobs1796503433000 } from '../../src/database/migrations/1796503433000-jobs';
import { AssessmentEvidence1796516400000 } from '../../src/database/migrations/1796516400000-assessment-evidence';
import { ResultCompression1796565600000 } from '../../src/database/migrations/1796565600000-result-compression';
import { Job, JobResultPart } from '../../src/jobs/job.entity';
import { resetPostgres, testConfig } from './support/app';

const range = (mean: number) => ({ mean, median: mean, low: mean / 2, high: mean * 2, level: 0.9 });
const SUMMARY = {
  total: { entitiesInfected: range(10), lossUsd: { total: range(1e6) } },
  collateral: { entitiesInfected: range(4), lossUsd: { total: range(2e5) } },
  calibration: { effectiveSampleSize: 321 },
};
const ASSESSMENT = '0b6c2d1e-1111-4000-8000-000000000001';
const SIMULATION = '0b6c2d1e-1111-4000-8000-000000000002';
const ASSESSMENT_INPUT = { weaponId: 'wpn', asOf: '2017-06-28T00:00:00.000Z', horizonHours: 24, model: 'sir', runs: 10, seed: 1, confidenceLevel: 0.9, calibrate: true };
/** What an assessment's row held of its evidence before it had a table of its own. */
const EVIDENCE = {
  reportsUsed: 3,
  evidenceMark: '2017-06-27T18:00:00.000Z|r-3',
  stale: true,
  staleFor: [{ tlp: 'amber', organizationId: 'org-b' }],
  latestReports: [
    { tlp: 'amber', organizationId: 'org-b', observedAt: '2017-06-27T18:00:00.000Z', filedAt: '2017-06-27T19:00:00.000Z', count: 1 },
    { tlp: 'green', organizationId: null, observedAt: '2017-06-27T12:00:00.000Z', filedAt: null, count: 2 },
  ],
};
const HEADLINE = {
  level: 0.9,
  entitiesInfected: range(10),
  lossUsd: { total: range(1e6) },
  collateral: { entitiesInfected: range(4), lossUsd: { total: range(2e5) } },
  effectiveSampleSize: 321,
};
const SIMULATION_INPUT = {
  asOf: '2026-01-05T09:00:00.000Z', horizonHours: 0, model: 'ic', runs: 100, seed: 7, confidenceLevel: 0.9, calibrate: false,
  params: { transmissibility: 0.5 }, graph: 'posted', seeds: ['a'], includeRuns: false, fullData: false,
};

describe('migrations of a database made by earlier versions', () => {
  const config = testConfig();
  const upTo = MIGRATIONS.indexOf(Assessments1764216000000) + 1;
  const beforeEvidence = MIGRATIONS.indexOf(AssessmentEvidence1796516400000);
  const p = (i: number) => (config.database.type === 'postgres' ? `$${i}` : '?');
  const bool = (v: unknown) => v === true || v === 1;
  let ds: DataSource;

  beforeAll(async () => {
    if (config.database.type === 'postgres') await resetPostgres(config.database.url);
    const old = new DataSource({ ...dataSourceOptions(config), migrations: MIGRATIONS.slice(0, upTo) });
    await old.initialize();
    try {
      await old.runMigrations();
      const job = `INSERT INTO "assessments" ("id", "kind", "weaponId", "status", "input", "runner") VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'done', ${p(4)}, 'in-process')`;
      await old.query(job, [ASSESSMENT, 'assessment', 'wpn', JSON.stringify(ASSESSMENT_INPUT)]);
      await old.query(job, [SIMULATION, 'simulation', null, JSON.stringify(SIMULATION_INPUT)]);
      const part = `INSERT INTO "assessment_results" ("assessmentId", "part", "body") VALUES (${p(1)}, ${p(2)}, ${p(3)})`;
      await old.query(part, [ASSESSMENT, 'summary', JSON.stringify(SUMMARY)]);
      await old.query(part, [SIMULATION, 'summary', JSON.stringify({ runs: 100 })]);
    } finally {
      await old.destroy();
    }
    // The versions before the evidence's own table: the assessment has evidence facts and is stale.
    const jobsOnly = new DataSource({ ...dataSourceOptions(config), migrations: MIGRATIONS.slice(0, beforeEvidence) });
    await jobsOnly.initialize();
    try {
      await jobsOnly.runMigrations();
      await jobsOnly.query(
        `UPDATE "jobs" SET "reportsUsed" = ${p(1)}, "evidenceMark" = ${p(2)}, "stale" = ${p(3)}, "staleFor" = ${p(4)}, "latestReports" = ${p(5)} WHERE "id" = ${p(6)}`,
        [EVIDENCE.reportsUsed, EVIDENCE.evidenceMark, config.database.type === 'postgres' ? true : 1, JSON.stringify(EVIDENCE.staleFor), JSON.stringify(EVIDENCE.latestReports), ASSESSMENT],
      );
    } finally {
      await jobsOnly.destroy();
    }
    ds = new DataSource({ ...dataSourceOptions(config, [Job, JobResultPart, AssessmentEvidence]) });
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(() => ds?.destroy());

  it('keeps every job and part under the jobs tables, each input with its kind', async () => {
    const jobs = await ds.getRepository(Job).find({ order: { id: 'ASC' } });
    expect(jobs.map((j) => [j.id, j.kind, j.input])).toEqual([
      [ASSESSMENT, 'assessment', { kind: 'assessment', ...ASSESSMENT_INPUT }],
      [SIMULATION, 'simulation', { kind: 'simulation', ...SIMULATION_INPUT }],
    ]);
    const parts = await ds.getRepository(JobResultPart).find({ order: { jobId: 'ASC' } });
    expect(parts.map((r) => [r.jobId, r.part, JSON.parse(r.body)])).toEqual([
      [ASSESSMENT, 'summary', SUMMARY],
      [SIMULATION, 'summary', { runs: 100 }],
    ]);
    const tables = await ds.createQueryRunner().getTables(['assessments', 'assessment_results']);
    expect(tables).toEqual([]);
  });

  it("moves an assessment's evidence facts, staleness and headline (filled in from its summary) to assessment_evidence", async () => {
    expect(await ds.getRepository(AssessmentEvidence).find()).toEqual([{ jobId: ASSESSMENT, ...EVIDENCE, headline: HEADLINE }]);
    const jobs = await ds.createQueryRunner().getTable('jobs');
    expect(jobs!.columns.map((c) => c.name).filter((c) => ['reportsUsed', 'evidenceMark', 'stale', 'staleFor', 'latestReports', 'headline'].includes(c))).toEqual([]);
  });

  it('deletes the evidence row with its job', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`DELETE FROM "jobs" WHERE "id" = '${ASSESSMENT}'`);
      expect(await runner.query(`SELECT "jobId" FROM "assessment_evidence"`)).toEqual([]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await ds.getRepository(AssessmentEvidence).countBy({ jobId: ASSESSMENT })).toBe(1);
  });

  it('indexes and keys the tables as the entities declare (jobs: status and creation time, weapon; evidence: its job)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query).filter((q) => /"jobs"|"job_results"|"assessment_evidence"/.test(q))).toEqual([]);
  });

  it('compresses result parts with lz4 on PostgreSQL (cheaper to store and read than pglz), and back', async () => {
    const applied = (await ds.query(`SELECT "name" FROM "migrations"`)).map((r: { name: string }) => r.name);
    expect(applied).toContain('ResultCompression1796565600000');
    if (config.database.type !== 'postgres') return; // SQLite: nothing to compress
    const method = async () => (await ds.query(`SELECT "attcompression" AS "m" FROM "pg_attribute" WHERE "attrelid" = 'job_results'::regclass AND "attname" = 'body'`))[0].m;
    expect(await method()).toBe('l');
    const runner = ds.createQueryRunner();
    try {
      await new ResultCompression1796565600000().down(runner);
      expect(await method()).toBe('');
      await new ResultCompression1796565600000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await method()).toBe('l');
  });

  it('goes back down, the evidence columns to the job rows with their values, then to the earlier tables and inputs; and up again', async () => {
    const runner = ds.createQueryRunner();
    // As the migration runner does: on SQLite, foreign keys off while tables are rebuilt.
    await runner.beforeMigration();
    try {
      await new AssessmentEvidence1796516400000().down(runner);
      expect(await runner.hasTable('assessment_evidence')).toBe(false);
      const rows = await runner.query(`SELECT "id", "reportsUsed", "evidenceMark", "stale", "staleFor", "latestReports", "headline" FROM "jobs" ORDER BY "id"`);
      const parse = (v: string | null) => (v === null ? null : JSON.parse(v));
      expect(rows.map((r: any) => ({ ...r, stale: bool(r.stale), staleFor: parse(r.staleFor), latestReports: parse(r.latestReports), headline: parse(r.headline) }))).toEqual([
        { id: ASSESSMENT, ...EVIDENCE, headline: HEADLINE },
        { id: SIMULATION, reportsUsed: 0, evidenceMark: null, stale: false, staleFor: null, latestReports: null, headline: null },
      ]);
      await new Jobs1796503433000().down(runner);
      const [row] = await runner.query(`SELECT "input" FROM "assessments" WHERE "id" = '${ASSESSMENT}'`);
      expect(JSON.parse(row.input)).toEqual(ASSESSMENT_INPUT);
      expect((await runner.query(`SELECT "assessmentId" FROM "assessment_results"`)).length).toBe(2);
      await new Jobs1796503433000().up(runner);
      await new AssessmentEvidence1796516400000().up(runner);
    } finally {
      await runner.afterMigration();
      await runner.release();
    }
    expect((await ds.getRepository(Job).findOneByOrFail({ id: ASSESSMENT })).input).toEqual({ kind: 'assessment', ...ASSESSMENT_INPUT });
    expect(await ds.getRepository(AssessmentEvidence).find()).toEqual([{ jobId: ASSESSMENT, ...EVIDENCE, headline: HEADLINE }]);
  });
});
