/**
 * A database made by earlier versions migrates forward with its data: jobs stored as
 * `assessments` rows with `assessment_results` parts (before headlines were kept) come out as
 * `jobs` and `job_results`, headlines filled in, each input saying its kind.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { Assessments1764216000000 } from '../../src/database/migrations/1764216000000-assessments';
import { Jobs1796503433000 } from '../../src/database/migrations/1796503433000-jobs';
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
const SIMULATION_INPUT = {
  asOf: '2026-01-05T09:00:00.000Z', horizonHours: 0, model: 'ic', runs: 100, seed: 7, confidenceLevel: 0.9, calibrate: false,
  params: { transmissibility: 0.5 }, graph: 'posted', seeds: ['a'], includeRuns: false, fullData: false,
};

describe('migrations of a database made by earlier versions', () => {
  const config = testConfig();
  const upTo = MIGRATIONS.indexOf(Assessments1764216000000) + 1;
  let ds: DataSource;

  beforeAll(async () => {
    if (config.database.type === 'postgres') await resetPostgres(config.database.url);
    const old = new DataSource({ ...dataSourceOptions(config), migrations: MIGRATIONS.slice(0, upTo) });
    await old.initialize();
    try {
      await old.runMigrations();
      const p = (i: number) => (config.database.type === 'postgres' ? `$${i}` : '?');
      const job = `INSERT INTO "assessments" ("id", "kind", "weaponId", "status", "input", "runner") VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'done', ${p(4)}, 'in-process')`;
      await old.query(job, [ASSESSMENT, 'assessment', 'wpn', JSON.stringify(ASSESSMENT_INPUT)]);
      await old.query(job, [SIMULATION, 'simulation', null, JSON.stringify(SIMULATION_INPUT)]);
      const part = `INSERT INTO "assessment_results" ("assessmentId", "part", "body") VALUES (${p(1)}, ${p(2)}, ${p(3)})`;
      await old.query(part, [ASSESSMENT, 'summary', JSON.stringify(SUMMARY)]);
      await old.query(part, [SIMULATION, 'summary', JSON.stringify({ runs: 100 })]);
    } finally {
      await old.destroy();
    }
    ds = new DataSource({ ...dataSourceOptions(config, [Job, JobResultPart]) });
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

  it('fills in the headline of an assessment finished before headlines were kept, from its summary', async () => {
    const job = await ds.getRepository(Job).findOneByOrFail({ id: ASSESSMENT });
    expect(job.headline).toEqual({
      level: 0.9,
      entitiesInfected: range(10),
      lossUsd: { total: range(1e6) },
      collateral: { entitiesInfected: range(4), lossUsd: { total: range(2e5) } },
      effectiveSampleSize: 321,
    });
    expect((await ds.getRepository(Job).findOneByOrFail({ id: SIMULATION })).headline).toBeNull();
  });

  it('indexes the jobs as the entity declares (status and creation time, weapon)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query).filter((q) => /"jobs"|"job_results"/.test(q))).toEqual([]);
  });

  it('goes back down to the earlier tables and inputs', async () => {
    const runner = ds.createQueryRunner();
    try {
      await new Jobs1796503433000().down(runner);
      const [row] = await runner.query(`SELECT "input" FROM "assessments" WHERE "id" = '${ASSESSMENT}'`);
      expect(JSON.parse(row.input)).toEqual(ASSESSMENT_INPUT);
      expect((await runner.query(`SELECT "assessmentId" FROM "assessment_results"`)).length).toBe(2);
      await new Jobs1796503433000().up(runner);
    } finally {
      await runner.release();
    }
    expect((await ds.getRepository(Job).findOneByOrFail({ id: ASSESSMENT })).input).toEqual({ kind: 'assessment', ...ASSESSMENT_INPUT });
  });
});
