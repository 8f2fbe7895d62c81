import { INestApplication, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';

import { DataSource } from 'typeorm';
import { IS_PUBLIC, ROLES } from '../../src/common/http/principal';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

describe('service foundation', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  describe('storage', () => {
    it('migrates an empty database to exactly the schema the entities declare (no drift)', async () => {
      const dataSource = app.get(DataSource);
      expect(await dataSource.showMigrations()).toBe(false);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    });

    it('uses WAL and foreign keys on SQLite', async () => {
      const dataSource = app.get(DataSource);
      if (dataSource.options.type !== 'sqlite') return expect(dataSource.options.type).toBe('postgres');
      expect((await dataSource.query('PRAGMA journal_mode'))[0].journal_mode).toBe('wal');
      expect((await dataSource.query('PRAGMA foreign_keys'))[0].foreign_keys).toBe(1);
    });
  });

  describe('health', () => {
    it('answers without a key', async () => {
      const res = await http.get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok', database: 'up' });
      expect(res.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
    });
  });

  describe('authentication and roles', () => {
    it('refuses /v1 without a key, with a malformed header, or with an unknown key (401)', async () => {
      for (const headers of [{}, { Authorization: 'Basic abc' }, auth('spo_nope')]) {
        const res = await http.get('/v1/audit').set(headers).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', details: [{ field: 'authorization' }] });
      }
    });

    it.each(['responder', 'analyst', 'researcher'] as const)('refuses admin routes to a %s (403)', async (role) => {
      for (const call of [
        () => http.get('/v1/audit'),
        () => http.post('/v1/organizations').send({ name: 'X' }),
        () => http.post('/v1/api-keys').send({ name: 'k', organizationId: 'org-a', role: 'admin' }),
      ]) {
        const res = await call().set(auth(keys.a[role])).expect(403);
        expect(res.body.details[0]).toMatchObject({ field: 'authorization', rule: 'role' });
      }
    });

    it('lets an admin create an organisation and a key; the key works, is stored hashed, and stops working once revoked', async () => {
      await http.post('/v1/organizations').set(auth(ADMIN_KEY)).send({ id: 'cert-x', name: 'CERT X' }).expect(201);
      const created = await http
        .post('/v1/api-keys')
        .set(auth(ADMIN_KEY))
        .send({ name: 'ops', organizationId: 'cert-x', role: 'admin' })
        .expect(201);
      const secret: string = created.body.secret;
      expect(secret).toMatch(/^spo_/);
      const stored = await app.get(DataSource).query('SELECT * FROM api_keys WHERE id = $1'.replace('$1', `'${created.body.id}'`));
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(stored[0].secretHash).toMatch(/^[0-9a-f]{64}$/);

      await http.get('/v1/audit').set(auth(secret)).expect(200);
      const listed = await http.get('/v1/api-keys').set(auth(ADMIN_KEY)).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(secret);

      await http.delete(`/v1/api-keys/${created.body.id}`).set(auth(ADMIN_KEY)).expect(200);
      await http.get('/v1/audit').set(auth(secret)).expect(401);

      const audit = await http.get('/v1/audit?targetType=api-key').set(auth(ADMIN_KEY)).expect(200);
      expect(audit.body.items.map((e: any) => e.action)).toContain('revoke');
    });

    it('refuses a duplicate organisation with 409 and an unknown organisation for a key with 404', async () => {
      await http.post('/v1/organizations').set(auth(ADMIN_KEY)).send({ id: 'org-a', name: 'again' }).expect(409);
      const res = await http.post('/v1/api-keys').set(auth(ADMIN_KEY)).send({ name: 'k', organizationId: 'nobody', role: 'analyst' }).expect(404);
      expect(res.body.details[0]).toMatchObject({ field: 'organizationId', rule: 'exists' });
    });

    it('declares @Public or @Roles on every route (deny by default)', () => {
      const discovery = app.get(DiscoveryService);
      const scanner = app.get(MetadataScanner);
      const reflector = app.get(Reflector);
      const undeclared: string[] = [];
      let routes = 0;
      for (const wrapper of discovery.getControllers()) {
        const proto = Object.getPrototypeOf(wrapper.instance);
        for (const name of scanner.getAllMethodNames(proto)) {
          const handler = proto[name];
          if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          routes++;
          const targets = [handler, wrapper.metatype as any];
          if (!reflector.getAllAndOverride(IS_PUBLIC, targets) && !reflector.getAllAndOverride(ROLES, targets)) {
            undeclared.push(`${wrapper.name}.${name}`);
          }
        }
      }
      expect(routes).toBeGreaterThan(5);
      expect(undeclared).toEqual([]);
    });
  });

  describe('errors', () => {
    it('names every invalid field and rule, and refuses unknown properties', async () => {
      const res = await http
        .post('/v1/api-keys')
        .set(auth(ADMIN_KEY))
        .send({ name: '', organizationId: 'Not A Slug', role: 'king', extra: 1 })
        .expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      const pairs = res.body.details.map((d: any) => `${d.field}:${d.rule}`);
      expect(pairs).toEqual(expect.arrayContaining(['name:minLength', 'organizationId:matches', 'role:isIn', 'extra:unknownProperty']));
    });

    it('answers malformed JSON with 400, unknown routes with 404, bad path parameters with 400, all in the error shape', async () => {
      const bad = await http.post('/v1/organizations').set(auth(ADMIN_KEY)).set('Content-Type', 'application/json').send('{"name":').expect(400);
      expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON', details: [{ field: 'body', rule: 'json', message: 'body is not valid JSON' }] });
      const missing = await http.get('/v1/nothing-here').set(auth(ADMIN_KEY)).expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', details: [{ field: 'path' }] });
      const badId = await http.delete('/v1/api-keys/not-a-uuid').set(auth(ADMIN_KEY)).expect(400);
      expect(badId.body.details[0]).toMatchObject({ field: 'id', rule: 'isUuid' });
      for (const body of [bad.body, missing.body, badId.body]) expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|SELECT|INSERT/);
    });

    it('answers a body over the limit with 413', async () => {
      const big = await createTestApp({ bodyLimit: '1kb' });
      try {
        const res = await request(big.getHttpServer())
          .post('/v1/organizations')
          .set(auth(ADMIN_KEY))
          .send({ name: 'x'.repeat(5000) })
          .expect(413);
        expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', details: [{ field: 'body', rule: 'maxSize' }] });
      } finally {
        await big.close();
      }
    });

    it('rate-limits a key beyond its budget with 429 in the error shape', async () => {
      const limited = await createTestApp({ rateLimitPerMinute: 3 });
      try {
        const server = request(limited.getHttpServer());
        for (let i = 0; i < 3; i++) await server.get('/v1/audit').set(auth(ADMIN_KEY)).expect(200);
        const res = await server.get('/v1/audit').set(auth(ADMIN_KEY)).expect(429);
        expect(res.body).toMatchObject({ statusCode: 429, details: [{ rule: 'rateLimit' }] });
        // Retry-After: whole seconds until the key's one-minute window ends.
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      } finally {
        await limited.close();
      }
    });
  });

  describe('OpenAPI', () => {
    it('documents every route with its auth and error responses', async () => {
      const doc = (await http.get('/docs-json').expect(200)).body;
      const documented = new Set<string>();
      for (const [path, ops] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(ops)) {
          documented.add(`${method.toUpperCase()} ${path}`);
          if (path.startsWith('/v1')) {
            expect(op.security).toEqual([{ bearer: [] }]);
            expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
          }
        }
      }
      const discovery = app.get(DiscoveryService);
      const scanner = app.get(MetadataScanner);
      const expected: string[] = [];
      for (const wrapper of discovery.getControllers()) {
        const base = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) ?? '');
        // Only the static dashboard may stay out of the API document, and never under /v1.
        if (Reflect.getMetadata('swagger/apiExcludeController', wrapper.metatype as object)?.[0]) {
          expect(base).not.toMatch(/^\/?v1/);
          continue;
        }
        const proto = Object.getPrototypeOf(wrapper.instance);
        for (const name of scanner.getAllMethodNames(proto)) {
          const method = Reflect.getMetadata(METHOD_METADATA, proto[name]);
          if (method === undefined) continue;
          const sub = String(Reflect.getMetadata(PATH_METADATA, proto[name]) ?? '');
          const path = ('/' + [base, sub].filter((s) => s && s !== '/').join('/')).replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}');
          expected.push(`${RequestMethod[method]} ${path}`);
        }
      }
      expect(expected.length).toBeGreaterThan(5);
      expect(expected.filter((e) => !documented.has(e))).toEqual([]);
    });
  });
});
