import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

/** Entities, dependencies and the hierarchy: CRUD, filters, pagination, roles, every bulk error class. */
describe('dependency model: entities, dependencies, hierarchy', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  const post = (path: string, body: unknown) => http.post(path).set(admin).send(body as object);

  describe('entities: create, read, update', () => {
    it('creates an entity, normalising the country (UK -> GB) and defaulting protection from the sector', async () => {
      const res = await post('/v1/entities', { id: 'nhs-a', name: 'NHS Trust A', country: 'uk', sector: 'healthcare-and-public-health', hosts: 4000, tags: ['Windows', 'smbv1'] }).expect(201);
      expect(res.body).toMatchObject({ id: 'nhs-a', kind: 'organization', country: 'GB', protected: true, tags: ['windows', 'smbv1'], parentId: null, hosts: 4000, dailyValueUsd: 0 });
      expect(res.body.createdAt).toBeDefined();
      const el = await post('/v1/entities', { id: 'athens-port', name: 'Port of Athens', country: 'EL', sector: 'transportation-systems' }).expect(201);
      expect(el.body).toMatchObject({ country: 'GR', protected: false });
      const csirt = await post('/v1/entities', { id: 'cert-ua', name: 'CERT-UA', kind: 'csirt', country: 'UA' }).expect(201);
      expect(csirt.body.protected).toBe(true);
      const override = await post('/v1/entities', { id: 'clinic-x', name: 'Clinic X', sector: 'healthcare-and-public-health', protected: false }).expect(201);
      expect(override.body.protected).toBe(false);
      expect((await http.get('/v1/entities/nhs-a').set(auth(keys.a.responder)).expect(200)).body.name).toBe('NHS Trust A');
    });

    it('names every invalid field and rule on a single create', async () => {
      const res = await post('/v1/entities', { id: 'Bad Id', name: '', kind: 'castle', country: 'XX', sector: 'space', hosts: -1, dailyValueUsd: 'lots', populationServed: 1.5, tags: 'windows', extra: true }).expect(400);
      expect(res.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(
        ['country:isoCountry', 'dailyValueUsd:isNumber', 'extra:unknownProperty', 'hosts:min', 'id:slug', 'kind:isIn', 'name:required', 'populationServed:isInt', 'sector:isIn', 'tags:isArray'].sort(),
      );
      expect(res.body.details.every((d: any) => d.row === undefined)).toBe(true);
    });

    it('refuses a taken id (409) and an unknown parent (404)', async () => {
      await post('/v1/entities', { id: 'nhs-a', name: 'again' }).expect(409);
      const res = await post('/v1/entities', { id: 'orphan', name: 'Orphan', parentId: 'nobody' }).expect(404);
      expect(res.body.details[0]).toMatchObject({ field: 'parentId', rule: 'exists' });
    });

    it('patches fields, recomputes protection when the sector changes, and rejects hierarchy cycles', async () => {
      await post('/v1/entities', { id: 'grp', name: 'Group' }).expect(201);
      await post('/v1/entities', { id: 'grp-site', name: 'Group site', kind: 'site', parentId: 'grp' }).expect(201);
      await post('/v1/entities', { id: 'grp-sub', name: 'Group sub-site', kind: 'site', parentId: 'grp-site' }).expect(201);
      const cyc = await http.patch('/v1/entities/grp').set(admin).send({ parentId: 'grp-sub' }).expect(422);
      expect(cyc.body.details[0]).toMatchObject({ field: 'parentId', rule: 'cycle' });
      const self = await http.patch('/v1/entities/grp').set(admin).send({ parentId: 'grp' }).expect(400);
      expect(self.body.details[0]).toMatchObject({ field: 'parentId', rule: 'cycle' });
      const p = await http.patch('/v1/entities/grp-site').set(admin).send({ sector: 'energy', hosts: 12, country: 'UK' }).expect(200);
      expect(p.body).toMatchObject({ sector: 'energy', protected: true, hosts: 12, country: 'GB', parentId: 'grp' });
      const keep = await http.patch('/v1/entities/grp-site').set(admin).send({ protected: false }).expect(200);
      expect(keep.body.protected).toBe(false);
      const bad = await http.patch('/v1/entities/grp-site').set(admin).send({ id: 'other', hosts: -3 }).expect(400);
      expect(bad.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(['hosts:min', 'id:immutable']);
      await http.patch('/v1/entities/nobody').set(admin).send({ name: 'x' }).expect(404);
    });
  });

  describe('dependencies', () => {
    it('creates, lists by entity and direction, and deletes dependencies', async () => {
      const d1 = await post('/v1/dependencies', { sourceId: 'grp', targetId: 'nhs-a', kind: 'network', weight: 0.5 }).expect(201);
      expect(d1.body).toMatchObject({ sourceId: 'grp', targetId: 'nhs-a', kind: 'network', weight: 0.5, bidirectional: false });
      await post('/v1/dependencies', { sourceId: 'nhs-a', targetId: 'clinic-x', kind: 'service', weight: 1, bidirectional: true }).expect(201);
      const out = await http.get('/v1/dependencies?entityId=nhs-a&direction=out').set(auth(keys.b.analyst)).expect(200);
      expect(out.body.items.map((d: any) => d.targetId)).toEqual(['clinic-x']);
      const inn = await http.get('/v1/dependencies?entityId=nhs-a&direction=in').set(admin).expect(200);
      expect(inn.body.items.map((d: any) => d.sourceId).sort()).toEqual(['grp', 'nhs-a']);
      const kind = await http.get('/v1/dependencies?kind=service').set(admin).expect(200);
      expect(kind.body.items).toHaveLength(1);
      await http.delete(`/v1/dependencies/${d1.body.id}`).set(admin).expect(200);
      await http.get(`/v1/dependencies/${d1.body.id}`).set(admin).expect(404);
      await http.get('/v1/dependencies/abc').set(admin).expect(400);
    });

    it('rejects self-loops, weights outside [0,1], unknown endpoints and duplicates', async () => {
      const self = await post('/v1/dependencies', { sourceId: 'grp', targetId: 'grp', kind: 'network', weight: 0.5 }).expect(400);
      expect(self.body.details[0]).toMatchObject({ field: 'targetId', rule: 'selfLoop' });
      const w = await post('/v1/dependencies', { sourceId: 'grp', targetId: 'nhs-a', kind: 'teleport', weight: 1.5 }).expect(400);
      expect(w.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(['kind:isIn', 'weight:range']);
      const nan = await post('/v1/dependencies', { sourceId: 'grp', targetId: 'nhs-a', kind: 'network', weight: 'NaN' }).expect(400);
      expect(nan.body.details[0]).toMatchObject({ field: 'weight', rule: 'isNumber' });
      const unknown = await post('/v1/dependencies', { sourceId: 'grp', targetId: 'ghost', kind: 'network', weight: 0.5 }).expect(404);
      expect(unknown.body.details[0]).toMatchObject({ field: 'targetId', rule: 'exists' });
      await post('/v1/dependencies', { sourceId: 'nhs-a', targetId: 'clinic-x', kind: 'service', weight: 0.2 }).expect(409);
    });
  });

  describe('delete', () => {
    it('refuses to delete a referenced entity (409) and deletes its subtree with cascade=true', async () => {
      await post('/v1/dependencies', { sourceId: 'grp-sub', targetId: 'nhs-a', kind: 'corporate-wan', weight: 0.3 }).expect(201);
      const refused = await http.delete('/v1/entities/grp').set(admin).expect(409);
      expect(refused.body.details.map((d: any) => d.rule)).toEqual(expect.arrayContaining(['referenced']));
      expect(refused.body.details.map((d: any) => d.message).join(' ')).toMatch(/entities\.parentId/);
      await http.delete('/v1/entities/grp-sub').set(auth(keys.a.analyst)).expect(403);
      const done = await http.delete('/v1/entities/grp?cascade=true').set(admin).expect(200);
      expect(done.body.deleted).toEqual({ entities: 3, dependencies: 1 });
      for (const id of ['grp', 'grp-site', 'grp-sub']) await http.get(`/v1/entities/${id}`).set(admin).expect(404);
      await http.delete('/v1/entities/athens-port').set(admin).expect(200);
      await http.delete('/v1/entities/athens-port').set(admin).expect(404);
      const audit = await http.get('/v1/audit?targetType=entity&targetId=grp').set(admin).expect(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'delete', details: { cascade: true } });
    });
  });

  describe('roles', () => {
    it.each(['responder', 'analyst', 'researcher'] as const)('lets a %s read but not write the model (403)', async (role) => {
      const key = auth(keys.a[role]);
      await http.get('/v1/entities').set(key).expect(200);
      await http.get('/v1/dependencies').set(key).expect(200);
      await http.get('/v1/hierarchy').set(key).expect(200);
      await http.post('/v1/entities').set(key).send({ id: 'x', name: 'x' }).expect(403);
      await http.post('/v1/entities/bulk').set(key).send([{ id: 'x', name: 'x' }]).expect(403);
      await http.patch('/v1/entities/nhs-a').set(key).send({ name: 'x' }).expect(403);
      await http.post('/v1/dependencies').set(key).send({}).expect(403);
      await http.post('/v1/dependencies/bulk').set(key).send([]).expect(403);
      await http.get('/v1/entities').expect(401);
    });
  });

  it('migrations still match the entities (no drift)', async () => {
    const pending = await app.get(DataSource).driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
