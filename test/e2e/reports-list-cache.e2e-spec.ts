/**
 * GET /v1/reports serves cached pages (ReportsService.listPage): the cache must never show a
 * reader what it may not see, nor an old page once a report has committed, in this process or
 * in another one on the same database, and a revoked key is refused at once.
 */
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { APP_CONFIG, AppConfig } from '../../src/config/app-config';
import { createAppLogger } from '../../src/common/logging/logger';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(60_000);

const range = (low: number, high: number) => ({ low, high });
const report = (tlp: string, observedAt: string, over: Record<string, unknown> = {}) => ({
  weaponId: 'w', entityId: 'e1', observedAt, status: 'confirmed', hostsAffected: 10, tlp, ...over,
});

describe('GET /v1/reports page cache', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const ids: Record<string, string> = {};

  const list = async (key: string, query = '') => {
    const res = await http.get(`/v1/reports${query}`).set(auth(key)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return (res.body.items as Array<{ id: string }>).map((r) => r.id);
  };
  const file = async (key: string, body: unknown) => (await http.post('/v1/reports').set(auth(key)).send(body as object).expect(201)).body.id as string;

  beforeAll(async () => {
    app = await createTestApp();
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    await http.post('/v1/weapons').set(auth(ADMIN_KEY)).send({
      id: 'w', name: 'W', payload: 'wiper', firstSeenAt: '2017-06-27T00:00:00Z',
      vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
      impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
    }).expect(201);
    await http.post('/v1/entities').set(auth(ADMIN_KEY)).send({ id: 'e1', name: 'E1', country: 'DE', sector: 'energy', hosts: 100 }).expect(201);
    ids.green = await file(keys.a.responder, report('green', '2017-06-27T08:00:00Z'));
    ids.amber = await file(keys.a.responder, report('amber', '2017-06-27T09:00:00Z'));
    ids.red = await file(keys.a.responder, report('red', '2017-06-27T10:00:00Z'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('readers share a page only when they see the same reports', async () => {
    // Each reader asks after another one has filled the cache for the same query.
    expect(await list(keys.a.analyst)).toEqual([ids.red, ids.amber, ids.green]);
    expect(await list(keys.b.analyst)).toEqual([ids.amber, ids.green]);
    expect(await list(keys.b.researcher)).toEqual([ids.green]);
    expect(await list(keys.b.responder)).toEqual([ids.amber, ids.green]);
    expect(await list(keys.a.researcher)).toEqual([ids.red, ids.amber, ids.green]);
    expect(await list(ADMIN_KEY)).toEqual([ids.red, ids.amber, ids.green]);
    // And again, now that every one of those pages is cached.
    expect(await list(keys.b.researcher)).toEqual([ids.green]);
    expect(await list(keys.b.analyst)).toEqual([ids.amber, ids.green]);
    // Other queries are other pages.
    expect(await list(keys.b.analyst, '?limit=1')).toEqual([ids.amber]);
    expect(await list(keys.b.analyst, '?tlp=green')).toEqual([ids.green]);
  });

  it('a new report, or a correction, is in the very next answer', async () => {
    expect(await list(keys.b.analyst, '?weaponId=w')).toEqual([ids.amber, ids.green]);
    const later = await file(keys.a.responder, report('green', '2017-06-27T11:00:00Z'));
    expect(await list(keys.b.analyst, '?weaponId=w')).toEqual([later, ids.amber, ids.green]);
    expect(await list(keys.b.analyst)).toEqual([later, ids.amber, ids.green]);
    const corrected = await file(keys.a.responder, { ...report('green', '2017-06-27T11:00:00Z', { hostsAffected: 20 }), supersedes: later });
    expect(await list(keys.b.analyst)).toEqual([corrected, ids.amber, ids.green]);
    // A RED report changes nothing B sees, and A sees it at once.
    const red = await file(keys.a.responder, report('red', '2017-06-27T12:00:00Z'));
    expect(await list(keys.b.analyst)).toEqual([corrected, ids.amber, ids.green]);
    expect((await list(keys.a.analyst))[0]).toBe(red);
  });

  it('answers 304 to the ETag of a page that has not changed, and 200 once it has', async () => {
    const first = await http.get('/v1/reports').set(auth(keys.b.analyst)).expect(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    await http.get('/v1/reports').set(auth(keys.b.analyst)).set('If-None-Match', first.headers.etag).expect(304);
    // Another audience's page has another ETag.
    expect((await http.get('/v1/reports').set(auth(keys.b.researcher)).expect(200)).headers.etag).not.toBe(first.headers.etag);
    await file(keys.a.responder, report('green', '2017-06-27T12:30:00Z'));
    const changed = await http.get('/v1/reports').set(auth(keys.b.analyst)).set('If-None-Match', first.headers.etag).expect(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  it('a report committed by another process on the same database is in the next answer', async () => {
    const config = app.get<AppConfig>(APP_CONFIG);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(APP_CONFIG).useValue(config).compile();
    const other = moduleRef.createNestApplication({ logger: createAppLogger('error'), bodyParser: false });
    configureApp(other, config);
    await other.init();
    try {
      const before = await list(keys.b.researcher);
      const res = await request(other.getHttpServer()).post('/v1/reports').set(auth(keys.a.responder))
        .send(report('clear', '2017-06-27T13:00:00Z')).expect(201);
      expect(await list(keys.b.researcher)).toEqual([res.body.id, ...before]);
    } finally {
      await other.close();
    }
  });

  it('a revoked key is refused at once, though its page is cached', async () => {
    const created = (await http.post('/v1/api-keys').set(auth(ADMIN_KEY)).send({ name: 'short-lived', organizationId: 'org-b', role: 'analyst' }).expect(201)).body;
    await list(created.secret);
    await http.delete(`/v1/api-keys/${created.id}`).set(auth(ADMIN_KEY)).expect(200);
    await http.get('/v1/reports').set(auth(created.secret)).expect(401);
  });
});
