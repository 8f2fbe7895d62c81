/**
 * The assessment job machinery, with a scripted engine so timing and outputs are controlled:
 * 202 and the job row, progress at least every second, cancel, a job of a dead process run
 * again, results stored and served without recomputation, refusals leaving no job behind,
 * roles, and the TLP filter on entity-level views.
 */
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DiscoveryModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { Assessment } from '../../src/assessments/assessment.entity';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import type { AssessmentInput } from '../../src/assessments/assessment.entity';
import type { EngineOutput, Range } from '../../src/assessments/result-types';
import type { EvidenceReport, ScenarioSnapshot } from '../../src/assessments/scenario-snapshot';
import { APP_CONFIG } from '../../src/config/app-config';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { unprocessable } from '../../src/common/errors/domain-error';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { ENGINE_BINDING, EngineBinding, RunOptions } from '../../src/jobs/monte-carlo-runner';
import { Weapon } from '../../src/weapons/weapon.entity';
import { auth, Keys, request, resetPostgres, seedKeys, testConfig } from './support/app';

const R = (x: number): Range => ({ mean: x, median: x, low: x * 0.5, high: x * 1.5, level: 0.9 });
const figures = (x: number) => ({
  entitiesInfected: R(x), entitiesDisrupted: R(x), unreportedInfections: R(x), forecastInfections: R(x),
  lossUsd: { direct: R(x), indirect: R(x), total: R(2 * x) }, populationAffected: R(x), countriesAffected: R(1),
});

/** A scripted engine: `durationMs` of fake work in 20 steps, honouring the abort signal. */
class ScriptedEngine implements EngineBinding<unknown, EngineOutput> {
  calls = 0;
  durationMs = 300;
  async check(s: ScenarioSnapshot) {
    if (s.dependencies.some((d) => d.weight > 0.99)) throw unprocessable('the dependency matrix is unstable: spectral radius 1.2 >= 1', [{ field: 'dependencies', rule: 'stable', message: 'spectral radius >= 1' }]);
  }
  async runAll(s: ScenarioSnapshot, _input: AssessmentInput, opts: RunOptions): Promise<EngineOutput> {
    this.calls++;
    for (let i = 1; i <= 20; i++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      await new Promise((r) => setTimeout(r, this.durationMs / 20));
      opts.onProgress?.(i / 20);
    }
    const reported = new Set(s.reports.map((r) => r.entityId));
    return {
      summary: {
        total: figures(3), intended: figures(1), collateral: figures(2),
        protectedHits: s.entities.filter((e) => e.protected).map((e) => ({ entityId: e.id, name: e.name, sector: e.sector ?? null, probability: 1, norms: ['13(f)'] })),
        calibration: { parameters: {}, effectiveSampleSize: 10 }, monteCarloError: {},
      },
      entities: s.entities.map((e, i) => ({
        id: e.id,
        pInfected: reported.has(e.id) ? { estimate: 1, low: 1, high: 1 } : { estimate: 0.1 * (i + 1), low: 0, high: 0.2 * (i + 1) },
        pDisrupted: { estimate: 0, low: 0, high: 0 },
        expectedLossUsd: { direct: 100 * (i + 1), indirect: 0, total: 100 * (i + 1) },
        expectedPopulationAffected: 0,
        pInfectedBy: reported.has(e.id) ? undefined : [0.05, 0.1 * (i + 1)],
        likelyInfector: reported.has(e.id) ? null : 'secret-site',
      })),
      groups: {},
      timeline: [{ at: s.asOf, hours: 0, infected: R(1) }],
      hours: [24, 72],
      runs: { columns: ['run', 'weight', 'infected'], rows: [[0, 0.5, 2], [1, 0.5, 4]] },
    };
  }
  runShard(): Promise<unknown> { throw new Error('unused'); }
  merge(): unknown { throw new Error('unused'); }
  finalize(): Promise<EngineOutput> { throw new Error('unused'); }
}

const evidence: EvidenceReport[] = [
  // The only report of `secret-site` is RED, filed by org-a.
  { id: 'r1', weaponId: 'wpn', entityId: 'secret-site', observedAt: '2017-06-27T09:00:00.000Z', status: 'confirmed', tlp: 'red', organizationId: 'org-a' },
  { id: 'r2', weaponId: 'wpn', entityId: 'open-site', observedAt: '2017-06-27T10:00:00.000Z', status: 'confirmed', tlp: 'green', organizationId: 'org-b' },
];

describe('assessment jobs (scripted engine)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const engine = new ScriptedEngine();

  beforeAll(async () => {
    const config = testConfig();
    if (config.database.type === 'postgres') await resetPostgres(config.database.url);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, DiscoveryModule] })
      .overrideProvider(APP_CONFIG).useValue({ ...config, jobs: { ...config.jobs, staleSeconds: 3 } })
      .overrideProvider(ENGINE_BINDING).useValue(engine)
      .compile();
    app = moduleRef.createNestApplication({ logger: new JsonLogger('error'), bodyParser: false });
    configureApp(app, config);
    await app.init();
    app.get(EvidenceSource).evidenceFor = async (weaponId: string, asOf: string) =>
      evidence.filter((r) => r.weaponId === weaponId && r.observedAt <= asOf);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    const ds = app.get(DataSource);
    const entity = (id: string, extra: Partial<EntityNode> = {}) => ({ id, name: id, kind: 'organization', parentId: null, country: 'UA', sector: 'energy', hosts: 10, dailyValueUsd: 1000, populationServed: 0, tags: [], protected: false, stixId: null, ...extra });
    await ds.getRepository(EntityNode).save([entity('secret-site', { protected: true }), entity('open-site'), entity('neighbour')]);
    const weapon = { name: 'W', aliases: [], payload: 'wiper' as const, vectors: {}, requiredTags: [], targeting: {}, impact: { hostShare: { low: 0.1, high: 0.5 }, costPerHostUsd: { low: 1, high: 2 }, downtimeDays: { low: 1, high: 2 } }, containmentHours: null, killSwitchAt: null, firstSeenAt: null, characterised: true, stixId: null };
    await ds.getRepository(Weapon).save([{ id: 'wpn', ...weapon }, { id: 'quiet', ...weapon }]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: object, key = keys.a.analyst) => http.post('/v1/assessments').set(auth(key)).send(body);
  const waitFor = async (id: string, status: string, key = keys.a.analyst) => {
    for (let i = 0; i < 200; i++) {
      const res = await http.get(`/v1/assessments/${id}`).set(auth(key)).expect(200);
      if (res.body.status === status) return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`assessment ${id} never reached ${status}`);
  };
  const jobCount = () => app.get(DataSource).getRepository(Assessment).count();

  it('queues with 202, reports progress at least every second with an ETA, then serves the stored summary', async () => {
    engine.durationMs = 2500;
    const res = await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 500, horizonHours: 72 }).expect(202);
    expect(res.body).toMatchObject({ id: expect.any(String), status: 'queued', progress: 0, stale: false });
    expect(res.body.inputs).toMatchObject({ weaponId: 'wpn', runs: 500, seed: expect.any(Number), confidenceLevel: 0.9, calibrate: true, model: 'sir', reportsUsed: 2, horizonHours: 72 });
    const samples: Array<{ t: number; progress: number; eta: number | null }> = [];
    const start = Date.now();
    for (;;) {
      const s = (await http.get(`/v1/assessments/${res.body.id}`).set(auth(keys.b.researcher)).expect(200)).body;
      samples.push({ t: Date.now() - start, progress: s.progress, eta: s.etaSeconds });
      if (s.status === 'done') break;
      expect(['queued', 'running']).toContain(s.status);
      await new Promise((r) => setTimeout(r, 200));
    }
    const running = samples.filter((s) => s.progress > 0 && s.progress < 1);
    expect(running.length).toBeGreaterThan(3);
    for (let i = 1; i < samples.length; i++) expect(samples[i].progress).toBeGreaterThanOrEqual(samples[i - 1].progress);
    // No gap of more than a second without the progress moving while it runs.
    const changes = samples.filter((s, i) => i === 0 || s.progress !== samples[i - 1].progress).map((s) => s.t);
    for (let i = 1; i < changes.length; i++) expect(changes[i] - changes[i - 1]).toBeLessThan(1200);
    expect(running.some((s) => typeof s.eta === 'number' && s.eta > 0)).toBe(true);

    const done = await waitFor(res.body.id, 'done');
    expect(done.progress).toBe(1);
    expect(done.result.total.entitiesInfected).toEqual(R(3));
    const calls = engine.calls;
    await http.get(`/v1/assessments/${res.body.id}`).set(auth(keys.a.analyst)).expect(200);
    await http.get(`/v1/assessments/${res.body.id}/entities`).set(auth(keys.a.analyst)).expect(200);
    expect(engine.calls).toBe(calls);
    const csv = await http.get(`/v1/assessments/${res.body.id}/runs.csv`).set(auth(keys.a.researcher)).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toBe('run,weight,infected\n0,0.5,2\n1,0.5,4\n');
  });

  it('cancels a running job with DELETE; it stays cancelled and DELETE again is 409', async () => {
    engine.durationMs = 5000;
    const { body } = await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 100 }).expect(202);
    await waitFor(body.id, 'running');
    const cancelled = await http.delete(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 800));
    expect((await http.get(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200)).body.status).toBe('cancelled');
    await http.delete(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(409);
    await http.get(`/v1/assessments/${body.id}/entities`).set(auth(keys.a.analyst)).expect(409);
  });

  it('runs again a job left running by a process that died', async () => {
    engine.durationMs = 200;
    const id = '7c1e0a52-9d5e-4c1e-9a39-8c1b4c0f6a11';
    await app.get(DataSource).getRepository(Assessment).save({
      id, kind: 'assessment', weaponId: 'wpn', status: 'running', progress: 0.4, etaSeconds: 10,
      input: { weaponId: 'wpn', asOf: '2017-06-28T00:00:00.000Z', horizonHours: 24, model: 'sir', runs: 10, seed: 1, confidenceLevel: 0.9, calibrate: true },
      reportsUsed: 2, evidenceMark: null, stale: false, error: null, organizationId: 'org-a', createdBy: null, runner: 'in-process',
      attempts: 1, ownerId: 'dead-host:1:deadbeef', heartbeatAt: new Date(Date.now() - 60_000), startedAt: new Date(Date.now() - 70_000), finishedAt: null,
    });
    const done = await waitFor(id, 'done');
    expect(done.attempts).toBe(2);
  });

  it('refuses bad requests with the reason and leaves no job behind', async () => {
    const before = await jobCount();
    const unknown = await post({ weaponId: 'no-such-weapon' }).expect(404);
    expect(unknown.body.details[0]).toMatchObject({ field: 'weaponId', rule: 'exists' });
    const quiet = await post({ weaponId: 'quiet' }).expect(422);
    expect(quiet.body.message).toMatch(/nothing has been reported/);
    expect(quiet.body.details[0]).toMatchObject({ field: 'weaponId', rule: 'hasReports' });
    for (const runs of [0, 100_001, 2.5]) {
      const bad = await post({ weaponId: 'wpn', runs }).expect(400);
      expect(bad.body.details[0].field).toBe('runs');
    }
    const model = await post({ weaponId: 'wpn', model: 'magic' }).expect(400);
    expect(model.body.details[0]).toMatchObject({ field: 'model', rule: 'isIn' });
    const params = await post({ weaponId: 'wpn', params: { transmissibilityScale: -1, bogus: 1 } }).expect(400);
    expect(params.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(expect.arrayContaining(['params.transmissibilityScale:exclusiveMinimum', 'params.bogus:unknownProperty']));
    const ds = app.get(DataSource);
    await ds.query(`INSERT INTO "dependencies" ("sourceId", "targetId", "kind", "weight", "bidirectional") VALUES ('open-site', 'neighbour', 'service', 1, ${ds.options.type === 'postgres' ? 'false' : '0'})`);
    try {
      const unstable = await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z' }).expect(422);
      expect(unstable.body.message).toMatch(/unstable/);
    } finally {
      await ds.query(`DELETE FROM "dependencies"`);
    }
    expect(await jobCount()).toBe(before);
  });

  it('lets analysts, researchers and admins start and read; responders get 403', async () => {
    await post({ weaponId: 'wpn' }, keys.a.responder).expect(403);
    await http.get('/v1/assessments').set(auth(keys.b.responder)).expect(403);
    await http.get('/v1/models').set(auth(keys.a.responder)).expect(403);
    await http.get('/v1/assessments').expect(401);
    const list = await http.get('/v1/assessments?limit=2').set(auth(keys.admin)).expect(200);
    expect(list.body.items.length).toBe(2);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    await http.get('/v1/assessments/not-a-uuid').set(auth(keys.admin)).expect(400);
    await http.get('/v1/assessments/7c1e0a52-9d5e-4c1e-9a39-000000000000').set(auth(keys.admin)).expect(404);
  });

  it('keeps an entity whose only report is RED out of entity-level views of other organisations', async () => {
    engine.durationMs = 100;
    const { body } = await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10 }).expect(202);
    await waitFor(body.id, 'done');
    const ids = async (key: string) => (await http.get(`/v1/assessments/${body.id}/entities?limit=100`).set(auth(key)).expect(200)).body.items.map((e: any) => e.entityId).sort();
    expect(await ids(keys.a.analyst)).toEqual(['neighbour', 'open-site', 'secret-site']);
    expect(await ids(keys.admin)).toEqual(['neighbour', 'open-site', 'secret-site']);
    expect(await ids(keys.b.analyst)).toEqual(['neighbour', 'open-site']);

    const hits = async (key: string) => (await http.get(`/v1/assessments/${body.id}`).set(auth(key)).expect(200)).body.result.protectedHits.map((h: any) => h.entityId);
    expect(await hits(keys.a.analyst)).toEqual(['secret-site']);
    expect(await hits(keys.b.analyst)).toEqual([]);

    const warning = (await http.get(`/v1/assessments/${body.id}/early-warning?withinHours=48`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(JSON.stringify(warning)).not.toContain('secret-site');
    expect(warning.items[0].path[0]).toMatchObject({ entityId: null, reported: true });

    // Three entities in UA/energy: too few to hide one in; org-b's rollup moves it to a `withheld` node at the world level.
    const rollB = (await http.get(`/v1/assessments/${body.id}/rollup`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(JSON.stringify(rollB)).not.toContain('secret-site');
    const rollA = (await http.get(`/v1/assessments/${body.id}/rollup`).set(auth(keys.a.analyst)).expect(200)).body;
    expect(rollB.root.expected.entitiesInfected).toBeCloseTo(rollA.root.expected.entitiesInfected, 9);
    const sumsToParent = (node: any) => {
      if (!node.children) return;
      for (const k of Object.keys(node.expected)) {
        expect(node.children.reduce((s: number, c: any) => s + c.expected[k], 0)).toBeCloseTo(node.expected[k], 6);
      }
      node.children.forEach(sumsToParent);
    };
    sumsToParent(rollA.root);
    sumsToParent(rollB.root);
  });
});
