/**
 * Hostile input at the edge, on the database DATABASE_URL names: every answer a 4xx in the error
 * shape naming the field and the rule (docs/security.md lists them), security headers on every
 * route, keys listed without any part of their secret, and rate limiting before authentication.
 */
import { INestApplication } from '@nestjs/common';
import { ApiKeysService } from '../../src/auth/api-keys.service';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

const range = (low: number, high: number) => ({ low, high });
const notPetyaLike = () => ({
  id: 'notpetya',
  name: 'NotPetya',
  payload: 'wiper',
  vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
  targeting: { countries: ['UA'] },
  impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
});

type Operation = { method: 'get' | 'post' | 'patch' | 'delete'; path: string; query: string[]; body: boolean };

/** The routes the app declares, from its own OpenAPI document, with `{id}` filled in. */
async function declaredRoutes(http: ReturnType<typeof request>, id: string): Promise<Operation[]> {
  const doc = (await http.get('/docs-json').expect(200)).body;
  const routes: Operation[] = [];
  for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(operations)) {
      routes.push({
        method: method as Operation['method'],
        path: path.replace(/\{[^}]+\}/g, id),
        query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        body: !!op.requestBody,
      });
    }
  }
  return routes;
}

function expectErrorShape(body: any, status: number) {
  expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
  expect(body.details.length).toBeGreaterThan(0);
  for (const d of body.details) expect(d).toMatchObject({ field: expect.any(String), rule: expect.any(String), message: expect.any(String) });
}

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

describe('hostile input', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let routes: Operation[];
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    await http.post('/v1/weapons').set(admin).send(notPetyaLike()).expect(201);
    routes = await declaredRoutes(http, 'notpetya');
  });
  afterAll(() => app.close());

  it('refuses deep nesting with 400 at parse time on every route with a body, with or without an Idempotency-Key', async () => {
    const bodies = routes.filter((r) => r.body);
    expect(bodies.length).toBeGreaterThan(10);
    for (const route of bodies) {
      for (const [text, idempotencyKey] of [[nested(3000, '{"a":', '}'), undefined], [nested(2500, '[', ']'), 'deep-1']] as const) {
        const req = http[route.method](route.path).set(admin).set('Content-Type', 'application/json');
        if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
        const res = await req.send(text.replace(/\}+$/, (m) => '1' + m));
        expect([route.method, route.path, res.status]).toEqual([route.method, route.path, 400]);
        expectErrorShape(res.body, 400);
        expect(res.body.details[0]).toMatchObject({ field: 'body', rule: 'maxDepth' });
      }
    }
    // 64 levels is still a body: the limit does not refuse real documents.
    const ok = await http.post('/v1/organizations').set(admin).send({ id: 'deep-ok', name: 'Deep', x: JSON.parse(nested(60, '[', ']')) });
    expect(ok.status).toBe(400);
    expect(ok.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['x:unknownProperty']);
  });

  it('refuses a garbage, tampered or foreign cursor with 400 naming cursor on every paginated route', async () => {
    const paginated = routes.filter((r) => r.method === 'get' && r.query.includes('cursor'));
    expect(paginated.map((r) => r.path).sort()).toEqual(
      ['/v1/assessments', '/v1/assessments/notpetya/rollup', '/v1/audit', '/v1/dependencies', '/v1/entities', '/v1/reports', '/v1/weapons', '/v1/weapons/notpetya/targets'].sort(),
    );
    await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'wannacry', name: 'WannaCry' }).expect(201);
    const weaponsCursor: string = (await http.get('/v1/weapons?limit=1').set(admin).expect(200)).body.nextCursor;
    expect(weaponsCursor).toEqual(expect.any(String));
    const tampered = weaponsCursor.slice(0, -1) + (weaponsCursor.endsWith('A') ? 'B' : 'A');
    const foreign = Buffer.from(JSON.stringify(['entities', 'notpetya'])).toString('base64url');
    for (const route of paginated) {
      const garbage = ['eA', 'Z2FyYmFnZXx4', '%25%25%25', 'W10', Buffer.from('["audit",-1]').toString('base64url'), tampered];
      if (route.path !== '/v1/weapons') garbage.push(weaponsCursor);
      else garbage.push(foreign);
      for (const cursor of garbage) {
        const res = await http.get(`${route.path}?cursor=${cursor}`).set(admin);
        expect([route.path, cursor, res.status]).toEqual([route.path, cursor, 400]);
        expectErrorShape(res.body, 400);
        expect(res.body.details).toContainEqual(expect.objectContaining({ field: 'cursor', rule: 'cursor' }));
      }
    }
    const page2 = await http.get(`/v1/weapons?limit=1&cursor=${weaponsCursor}`).set(admin).expect(200);
    expect(page2.body.items.map((w: any) => w.id)).toEqual(['wannacry']);
  });

  it.each([
    ['a path id', (h: ReturnType<typeof request>) => h.get('/v1/entities/%00')],
    ['a path id inside', (h: ReturnType<typeof request>) => h.get('/v1/weapons/a%00b/targets')],
    ['a search', (h: ReturnType<typeof request>) => h.get('/v1/entities?q=%00')],
    ['a filter', (h: ReturnType<typeof request>) => h.get('/v1/reports?weaponId=a%00b')],
    ['a report source', (h: ReturnType<typeof request>) => h.post('/v1/reports').send({ weaponId: 'notpetya', entityId: 'x', observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', source: 'a\u0000b' })],
    ['a key', (h: ReturnType<typeof request>) => h.post('/v1/organizations').send({ name: 'N', 'i\u0000d': 'x' })],
    ['a CSV body', (h: ReturnType<typeof request>) => h.post('/v1/entities/bulk').set('Content-Type', 'text/csv').send('id,name\na\u0000,b\n')],
  ])('refuses a NUL character in %s with 400', async (_what, send) => {
    const res = await send(http).set(admin);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.details[0].rule).toBe('noNul');
  });

  it('answers 415 for a body it does not read, and reads JSON with a UTF-8 charset', async () => {
    const xml = await http.patch('/v1/weapons/notpetya').set(admin).set('Content-Type', 'application/xml').send('<weapon><name>x</name></weapon>');
    expect(xml.status).toBe(415);
    expectErrorShape(xml.body, 415);
    expect(xml.body.details[0]).toMatchObject({ field: 'content-type', rule: 'mediaType' });
    for (const type of ['application/x-www-form-urlencoded', 'application/merge-patch+json', 'application/json; charset=utf-16']) {
      expect((await http.patch('/v1/weapons/notpetya').set(admin).set('Content-Type', type).send('{"name":"x"}')).status).toBe(415);
    }
    const ok = await http.patch('/v1/weapons/notpetya').set(admin).set('Content-Type', 'application/json; charset=UTF-8').send('{"name":"NotPetya"}');
    expect(ok.status).toBe(200);
    // An empty body needs no media type (a browser's bodiless DELETE sends Content-Length: 0).
    expect((await http.delete('/v1/assessments/00000000-0000-4000-8000-000000000000').set(admin).set('Content-Length', '0')).status).toBe(404);
    expect((await http.post('/v1/organizations').set(admin).set('Content-Type', 'application/xml').send('')).status).toBe(400);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a top-level %s key like any unknown key', async (key) => {
    const text = `{"id":"proto-org","name":"P","${key}":{"polluted":true}}`;
    const res = await http.post('/v1/organizations').set(admin).set('Content-Type', 'application/json').send(text);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: key, rule: 'unknownProperty', message: `property '${key}' is not allowed` }]);
    await http.get('/v1/organizations').set(admin).expect(200).expect((r) => expect(r.body.map((o: any) => o.id)).not.toContain('proto-org'));
  });

  it('refuses "supersedes": "" instead of filing a new report', async () => {
    const res = await http.post('/v1/reports').set(auth(keys.a.responder))
      .send({ weaponId: 'notpetya', entityId: 'ua-bank', entity: { id: 'ua-bank', name: 'Bank', kind: 'organization', country: 'UA' }, observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', supersedes: '' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'supersedes', rule: 'isUuid' })]);
  });

  it.each(['0x10', '1e1', '%2016', '16.0.1', '', '-0x1'])('refuses limit=%s: query integers are plain decimal', async (limit) => {
    for (const path of ['/v1/weapons', '/v1/reports', '/v1/audit', '/v1/assessments']) {
      const res = await http.get(`${path}?limit=${limit}`).set(admin);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.details).toContainEqual(expect.objectContaining({ field: 'limit' }));
    }
    expect((await http.get('/v1/weapons?limit=16').set(admin).expect(200)).body.items.length).toBe(2);
  });

  it('refuses unknown query parameters on GET /v1/api-keys (and on routes that read none) and lists keys by id, never by a part of the secret', async () => {
    const unknown = await http.get('/v1/api-keys?prefix=spo_').set(admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'prefix', rule: 'unknownProperty' })]);
    for (const path of ['/v1/organizations?x=1', '/v1/weapons/notpetya?fields=all', '/v1/models?limit=1']) {
      const res = await http.get(path).set(admin);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.details[0].rule).toBe('unknownProperty');
    }
    const list = (await http.get('/v1/api-keys?organizationId=org-a').set(admin).expect(200)).body;
    expect(list.length).toBe(Object.keys(keys.a).length);
    const text = JSON.stringify((await http.get('/v1/api-keys').set(admin).expect(200)).body);
    for (const secret of [ADMIN_KEY, ...Object.values(keys.a), ...Object.values(keys.b)]) expect(text).not.toContain(secret.slice(0, 8));
    for (const key of list) expect(Object.keys(key).sort()).toEqual(['createdAt', 'id', 'name', 'organizationId', 'revokedAt', 'role']);
  });

  it('answers 409, never 500 nor an overwrite, for an id that is already taken', async () => {
    await http.post('/v1/organizations').set(admin).send({ id: 'taken', name: 'First' }).expect(201);
    const again = await http.post('/v1/organizations').set(admin).send({ id: 'taken', name: 'Second' });
    expect(again.status).toBe(409);
    expect((await http.get('/v1/organizations').set(admin)).body.find((o: any) => o.id === 'taken').name).toBe('First');
  });

  it('sends security headers on the API, the docs and the dashboard', async () => {
    for (const path of ['/v1/weapons', '/v1/nowhere', '/health']) {
      const res = await http.get(path).set(admin);
      expect([path, res.headers['x-content-type-options']]).toEqual([path, 'nosniff']);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const docs = await http.get('/docs').redirects(1).expect(200);
    expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(docs.headers['x-frame-options']).toBe('DENY');
    const page = await http.get('/').expect(200);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('rate limiting before authentication', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await createTestApp({ rateLimitPerMinute: 20 });
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('answers 429 to a flood of bad keys from one address, with no key lookup once limited', async () => {
    await http.get('/v1/weapons').set(auth(ADMIN_KEY)).expect(200);
    const lookups = jest.spyOn(app.get(ApiKeysService), 'authenticate');
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await (i % 3 === 0 ? http.get('/v1/weapons') : http.get('/v1/weapons').set(auth(`spo_made_up_${i}`)));
      if (res.status === 429) {
        expectErrorShape(res.body, 429);
        // Whole seconds until the address's one-minute window of failures ends.
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 401).length).toBe(20);
    expect(statuses.filter((s) => s === 429).length).toBe(40);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(20);
    // A key this process authenticated moments ago still passes (it costs no lookup).
    await http.get('/v1/weapons').set(auth(ADMIN_KEY)).expect(200);
  });
});
