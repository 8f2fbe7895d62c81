/**
 * The assessment job machinery, with a scripted engine so timing and outputs are controlled:
 * 202 and the job row, progress at least every second, cancel, a job of a dead process run
 * again, results stored and served without recomputation, refusals leaving no job behind,
 * roles, and the TLP filter on entity-level views.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AssessmentEvidence } from '../../src/assessments/assessment-evidence.entity';
import { Job } from '../../src/jobs/job.entity';
import { createScriptedApp, R, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

describe('assessment jobs (scripted engine)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const engine = new ScriptedEngine();

  beforeAll(async () => {
    app = await createScriptedApp(engine);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
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
  const jobCount = () => app.get(DataSource).getRepository(Job).count();

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
    const ds = app.get(DataSource);
    await ds.getRepository(Job).save({
      id, kind: 'assessment', weaponId: 'wpn', status: 'running', progress: 0.4, etaSeconds: 10,
      input: { kind: 'assessment', weaponId: 'wpn', asOf: '2017-06-28T00:00:00.000Z', horizonHours: 24, model: 'sir', runs: 10, seed: 1, confidenceLevel: 0.9, calibrate: true },
      error: null, organizationId: 'org-a', createdBy: null, runner: 'in-process',
      attempts: 1, ownerId: 'dead-host:1:deadbeef', heartbeatAt: new Date(Date.now() - 60_000), startedAt: new Date(Date.now() - 70_000), finishedAt: null,
    });
    await ds.getRepository(AssessmentEvidence).insert({ jobId: id, reportsUsed: 2, evidenceMark: null, stale: false, staleFor: null, latestReports: null, headline: null });
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
    for (const asOf of ['2017-06-28', '2017-06-28T12:00:00', '2017-06-28T12:00:00.000+0200', 'yesterday']) {
      const bad = await post({ weaponId: 'wpn', asOf }).expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'asOf', rule: 'isDateTime' })]);
    }
    const model = await post({ weaponId: 'wpn', model: 'magic' }).expect(400);
    expect(model.body.details[0]).toMatchObject({ field: 'model', rule: 'isIn' });
    const params = await post({ weaponId: 'wpn', params: { transmissibilityScale: -1, bogus: 1 } }).expect(400);
    expect(params.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(expect.arrayContaining(['params.transmissibilityScale:exclusiveMinimum', 'params.bogus:unknownProperty']));
    // The stability check reads the stored service dependencies itself (not the engine binding)
    // and keeps its answer until they change: each step below changes them.
    const ds = app.get(DataSource);
    const [no, yes] = ds.options.type === 'postgres' ? ['false', 'true'] : ['0', '1'];
    const depend = (weight: number, bidirectional: string) =>
      ds.query(`INSERT INTO "dependencies" ("sourceId", "targetId", "kind", "weight", "bidirectional") VALUES ('open-site', 'neighbour', 'service', ${weight}, ${bidirectional})`);
    const unstable = async () => {
      const refused = await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z' }).expect(422);
      expect(refused.body.message).toMatch(/unstable/);
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'dependencies', rule: 'stableMatrix' })]);
    };
    try {
      await depend(0.9, no); // one arc, no cycle: radius 0, a job is queued
      await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10 }).expect(202);
      await ds.query(`DELETE FROM "dependencies"`);
      await depend(1, yes); // each depends wholly on the other: radius 1
      await unstable();
      await ds.query(`DELETE FROM "dependencies"`);
      await depend(0.5, yes); // radius 0.5
      await post({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10 }).expect(202);
      await ds.query(`UPDATE "dependencies" SET "kind" = 'network'`);
      await depend(1.2, yes); // a new row beside the old one: radius 1.2
      await unstable();
    } finally {
      await ds.query(`DELETE FROM "dependencies"`);
    }
    expect(await jobCount()).toBe(before + 2);
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
    // Three entities: fewer than MIN_GROUP, so the hidden one's suppression group is the world.
    expect(await ids(keys.b.analyst)).toEqual([]);

    const hits = async (key: string) => (await http.get(`/v1/assessments/${body.id}`).set(auth(key)).expect(200)).body.result.protectedHits.map((h: any) => h.entityId);
    expect(await hits(keys.a.analyst)).toEqual(['secret-site']);
    expect(await hits(keys.b.analyst)).toEqual([]);

    const warning = (await http.get(`/v1/assessments/${body.id}/early-warning?withinHours=48`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(JSON.stringify(warning)).not.toContain('secret-site');
    expect(warning.items).toEqual([]);

    // Three entities in UA/energy: too few to hide one in; org-b's rollup moves them all to a `withheld` node at the world level.
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
