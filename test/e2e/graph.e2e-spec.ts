import { INestApplication } from '@nestjs/common';
import { buildHierarchy, hierarchyToJson, parseLevels, topLevelAncestors } from '../../src/graph/hierarchy';
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
      const res = await post('/v1/entities', { id: 'Bad Id', name: '', kind: 'castle', country: 'XX', sector: 'outer-space', hosts: -1, dailyValueUsd: 'lots', populationServed: 1.5, tags: 5, extra: true }).expect(400);
      expect(res.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(
        ['country:isoCountry', 'dailyValueUsd:isNumber', 'extra:unknownProperty', 'hosts:min', 'id:slug', 'kind:isIn', 'name:required', 'populationServed:isInt', 'sector:isIn', 'tags:isArray'].sort(),
      );
      expect(res.body.details.every((d: any) => d.row === undefined)).toBe(true);
      // The request DTO runs the same field rules as the bulk import: same rule, same message.
      const bulk = await post('/v1/entities/bulk', [{ id: 'Bad Id', name: 'x' }]).expect(400);
      expect(res.body.details.find((d: any) => d.field === 'id').message).toBe(bulk.body.details[0].message);
      const array = await post('/v1/entities', [{ id: 'a', name: 'A' }]).expect(400);
      expect(array.body.details).toEqual([expect.objectContaining({ field: 'body', rule: 'isObject' })]);
      const dep = await post('/v1/dependencies', { sourceId: 'x', kind: 'network', weight: 2, extra: 1 }).expect(400);
      expect(dep.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(['extra:unknownProperty', 'targetId:required', 'weight:range']);
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
      // The body's fields are checked first (the DTO), then the entity the patch makes (id unchanged).
      const bad = await http.patch('/v1/entities/grp-site').set(admin).send({ id: 'other', hosts: -3 }).expect(400);
      expect(bad.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(['hosts:min']);
      const moved = await http.patch('/v1/entities/grp-site').set(admin).send({ id: 'other', hosts: 3 }).expect(400);
      expect(moved.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['id:immutable']);
      await http.patch('/v1/entities/grp-site').set(admin).send({ id: 'grp-site', colour: 'red' }).expect(400);
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

  describe('bulk import', () => {
    const rules = (res: any) => res.body.details.map((d: any) => `${d.row}:${d.field}:${d.rule}`);

    it('imports a JSON array all at once, parents after children in the input', async () => {
      const rows = [
        { id: 'bk-site-1', name: 'Site 1', kind: 'site', parentId: 'bk-org', country: 'DE', sector: 'energy', hosts: 10 },
        { id: 'bk-org', name: 'Bulk Org', country: 'FR', sector: 'chemical', hosts: 100, tags: ['windows'] },
        { id: 'bk-site-2', name: 'Site 2', kind: 'site', parentId: 'bk-site-1', country: 'UK', hosts: 5 },
      ];
      expect((await post('/v1/entities/bulk', rows).expect(201)).body).toEqual({ created: 3 });
      expect((await http.get('/v1/entities/bk-site-2').set(admin).expect(200)).body).toMatchObject({ parentId: 'bk-site-1', country: 'GB' });
      const deps = [
        { sourceId: 'bk-org', targetId: 'bk-site-1', kind: 'corporate-wan', weight: 0.9 },
        { sourceId: 'bk-site-1', targetId: 'bk-site-2', kind: 'network', weight: 0, bidirectional: true },
      ];
      expect((await post('/v1/dependencies/bulk', deps).expect(201)).body).toEqual({ created: 2 });
      const audit = await http.get('/v1/audit?targetType=entity').set(admin).expect(200);
      expect(audit.body.items.find((e: any) => e.action === 'bulk-create')).toMatchObject({ details: { count: 3 } });
    });

    it('imports CSV (quoted fields, ; separated tags, CRLF), with the same rules as JSON', async () => {
      const csv = 'id,name,kind,parentId,country,sector,hosts,dailyValueUsd,populationServed,tags,protected\r\n' +
        'csv-org,"Org, with comma",organization,,EL,water-and-wastewater,20,1500.5,30000,windows;smbv1,\r\n' +
        'csv-site,"A ""quoted"" site",site,csv-org,GR,,3,0,0,,false\r\n';
      const res = await http.post('/v1/entities/bulk').set(admin).set('Content-Type', 'text/csv').send(csv).expect(201);
      expect(res.body).toEqual({ created: 2 });
      const org = (await http.get('/v1/entities/csv-org').set(admin).expect(200)).body;
      expect(org).toMatchObject({ name: 'Org, with comma', country: 'GR', tags: ['windows', 'smbv1'], protected: true, dailyValueUsd: 1500.5, populationServed: 30000 });
      expect((await http.get('/v1/entities/csv-site').set(admin).expect(200)).body).toMatchObject({ name: 'A "quoted" site', protected: false, tags: [] });
      const deps = 'sourceId,targetId,kind,weight,bidirectional\ncsv-org,csv-site,service,0.75,true\n';
      expect((await http.post('/v1/dependencies/bulk').set(admin).set('Content-Type', 'text/csv').send(deps).expect(201)).body).toEqual({ created: 1 });
    });

    it('lists every malformed row and field (400), and writes nothing', async () => {
      const rows = [
        { id: 'ok-1', name: 'fine' },
        { id: 'BAD ID', name: 'x', hosts: -5 },
        { id: 'ok-2', name: 'fine', country: 'ZZ', sector: 'outer-space', kind: 'castle' },
        { id: 'ok-3', name: 'fine', dailyValueUsd: null, populationServed: 3e9, hosts: 1.5, tags: ['Fine', '', 'bad tag!'], color: 'red' },
        'not an object',
        { id: 'ok-4' },
      ];
      const res = await post('/v1/entities/bulk', rows).expect(400);
      expect(rules(res)).toEqual([
        '2:id:slug', '2:hosts:min',
        '3:kind:isIn', '3:country:isoCountry', '3:sector:isIn',
        '4:color:unknownProperty', '4:hosts:isInt', '4:populationServed:max', '4:tags:tag',
        '5:row:isObject',
        '6:name:required',
      ]);
      expect(res.body.message).toMatch(/5 entity row\(s\) rejected; nothing was written/);
      await http.get('/v1/entities/ok-1').set(admin).expect(404);
    });

    it('lists every duplicate, taken id, unknown parent and cycle (422), and writes nothing', async () => {
      const rows = [
        { id: 'dup', name: 'first' },
        { id: 'dup', name: 'second' },
        { id: 'bk-org', name: 'taken' },
        { id: 'kid', name: 'kid', parentId: 'nowhere' },
        { id: 'cyc-a', name: 'a', parentId: 'cyc-c' },
        { id: 'cyc-b', name: 'b', parentId: 'cyc-a' },
        { id: 'cyc-c', name: 'c', parentId: 'cyc-b' },
        { id: 'fine', name: 'fine', parentId: 'bk-org' },
      ];
      const res = await post('/v1/entities/bulk', rows).expect(422);
      expect(rules(res)).toEqual(['2:id:duplicate', '3:id:unique', '4:parentId:reference', '5:parentId:cycle', '6:parentId:cycle', '7:parentId:cycle']);
      await http.get('/v1/entities/fine').set(admin).expect(404);
      await http.get('/v1/entities/dup').set(admin).expect(404);
    });

    it('names the rows the database refuses when nothing else is wrong (stored ids, unknown parents, stored arcs), and writes nothing', async () => {
      const taken = await post('/v1/entities/bulk', [{ id: 'new-1', name: 'new' }, { id: 'bk-org', name: 'taken' }, { id: 'new-2', name: 'new', parentId: 'new-1' }]).expect(422);
      expect(rules(taken)).toEqual(['2:id:unique']);
      const parent = await post('/v1/entities/bulk', [{ id: 'new-3', name: 'new' }, { id: 'new-4', name: 'new', parentId: 'nowhere' }]).expect(422);
      expect(rules(parent)).toEqual(['2:parentId:reference']);
      const stix = await post('/v1/entities/bulk', [{ id: 'new-5', name: 'x', stixId: 'identity--0a1b2c3d-0000-4000-8000-000000000009' }]).expect(201);
      expect(stix.body).toEqual({ created: 1 });
      const stixAgain = await post('/v1/entities/bulk', [{ id: 'new-6', name: 'x', stixId: 'identity--0a1b2c3d-0000-4000-8000-000000000009' }, { id: 'new-7', name: 'y' }]).expect(422);
      expect(rules(stixAgain)).toEqual(['1:stixId:unique']);
      for (const id of ['new-1', 'new-2', 'new-3', 'new-4', 'new-6', 'new-7']) await http.get(`/v1/entities/${id}`).set(admin).expect(404);
      const storedArc = await post('/v1/dependencies/bulk', [
        { sourceId: 'bk-site-2', targetId: 'bk-org', kind: 'email', weight: 0.1 },
        { sourceId: 'bk-org', targetId: 'bk-site-1', kind: 'corporate-wan', weight: 0.9 },
      ]).expect(422);
      expect(rules(storedArc)).toEqual(['2:targetId:unique']);
      const ghost = await post('/v1/dependencies/bulk', [{ sourceId: 'bk-site-2', targetId: 'ghost', kind: 'email', weight: 0.1 }]).expect(422);
      expect(rules(ghost)).toEqual(['1:targetId:reference']);
      expect((await http.get('/v1/dependencies?entityId=bk-site-2&kind=email').set(admin).expect(200)).body.items).toEqual([]);
      // The same transaction machinery still works afterwards.
      await post('/v1/dependencies/bulk', [{ sourceId: 'bk-site-2', targetId: 'bk-org', kind: 'service', weight: 0.1 }]).expect(201);
    });

    it('answers 400 with shape and reference errors together when both occur', async () => {
      const res = await post('/v1/entities/bulk', [{ id: 'bk-org', name: 'taken' }, { id: 'x', name: 'x', hosts: 'many' }]).expect(400);
      expect(rules(res)).toEqual(['1:id:unique', '2:hosts:isNumber']);
    });

    it('lists every bad dependency row: shape, self-loop, weight, unknown endpoint, duplicate in the request or stored (400/422)', async () => {
      const shape = await post('/v1/dependencies/bulk', [
        { sourceId: 'bk-org', targetId: 'bk-org', kind: 'network', weight: 0.5 },
        { sourceId: 'bk-org', targetId: 'bk-site-2', kind: 'wifi', weight: 2 },
        { sourceId: 'bk-org', targetId: 'bk-site-2', kind: 'network', weight: -0.1, bidirectional: 'yes' },
        { sourceId: 'bk-org', targetId: 'bk-site-2', kind: 'network' },
      ]).expect(400);
      expect(rules(shape)).toEqual(['1:targetId:selfLoop', '2:kind:isIn', '2:weight:range', '3:weight:range', '3:bidirectional:isBoolean', '4:weight:required', '4:targetId:duplicate']);
      const refs = await post('/v1/dependencies/bulk', [
        { sourceId: 'bk-org', targetId: 'bk-site-2', kind: 'email', weight: 0.1 },
        { sourceId: 'ghost', targetId: 'phantom', kind: 'email', weight: 0.1 },
        { sourceId: 'bk-org', targetId: 'bk-site-2', kind: 'email', weight: 0.3 },
        { sourceId: 'bk-org', targetId: 'bk-site-1', kind: 'corporate-wan', weight: 0.9 },
      ]).expect(422);
      expect(rules(refs)).toEqual(['2:sourceId:reference', '2:targetId:reference', '3:targetId:duplicate', '4:targetId:unique']);
      expect((await http.get('/v1/dependencies?entityId=bk-org&kind=email').set(admin).expect(200)).body.items).toEqual([]);
    });

    it('reports malformed CSV, wrong bodies, empty and oversized requests', async () => {
      const csv = (body: string, path = '/v1/entities/bulk') => http.post(path).set(admin).set('Content-Type', 'text/csv').send(body);
      const ragged = await csv('id,name\na,A\nb\nc,C,extra\n').expect(400);
      expect(rules(ragged)).toEqual(['2:row:columns', '3:row:columns']);
      const header = await csv('id,colour,hosts,hosts\na,red,1,2\n').expect(400);
      expect(header.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['colour:unknownColumn', 'hosts:duplicate', 'name:missingColumn']);
      const depHeader = await csv('sourceId,targetId\na,b\n', '/v1/dependencies/bulk').expect(400);
      expect(depHeader.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['kind:missingColumn', 'weight:missingColumn']);
      const quote = await csv('id,name\n"a,A\n').expect(400);
      expect(quote.body.details[0]).toMatchObject({ field: 'body', rule: 'csv' });
      const typed = await csv('id,name,hosts,tags\nt-1,T,NaN,\nt-2,T,-1,\nt-3,T,1e400,\n').expect(400);
      expect(rules(typed)).toEqual(['1:hosts:isNumber', '2:hosts:min', '3:hosts:isNumber']);
      expect((await csv('id,name\n').expect(400)).body.details[0]).toMatchObject({ rule: 'minRows' });
      expect((await post('/v1/entities/bulk', { id: 'x' }).expect(400)).body.details[0]).toMatchObject({ rule: 'bulkBody' });
      const many = Array.from({ length: 100_001 }, (_, i) => ({ id: `m${i}` }));
      const big = await post('/v1/dependencies/bulk', many).expect(413);
      expect(big.body.details[0]).toMatchObject({ field: 'body', rule: 'maxRows' });
    });
  });

  describe('filters and pagination', () => {
    it('filters by country (with aliases), sector, kind, tag, name and parent', async () => {
      const ids = async (qs: string) => (await http.get(`/v1/entities?${qs}&limit=1000`).set(admin).expect(200)).body.items.map((e: any) => e.id);
      expect(await ids('country=uk')).toEqual(['bk-site-2', 'nhs-a']);
      expect(await ids('country=EL,DE')).toEqual(['bk-site-1', 'csv-org', 'csv-site']);
      expect(await ids('sector=energy')).toEqual(['bk-site-1']);
      expect(await ids('kind=csirt')).toEqual(['cert-ua']);
      expect(await ids('tag=smbv1')).toEqual(['csv-org', 'nhs-a']);
      expect(await ids('tag=smb')).toEqual([]);
      expect(await ids('q=ORG%2C')).toEqual(['csv-org']);
      expect(await ids('q=100%25')).toEqual([]);
      expect(await ids('parentId=bk-org')).toEqual(['bk-site-1']);
      expect(await ids('country=GB&kind=site')).toEqual(['bk-site-2']);
      expect(await ids('sector=Energy')).toEqual(['bk-site-1']);
      for (const [qs, field] of [['country=GB,XX', 'country'], ['sector=helthcare', 'sector'], ['kind=castle', 'kind']]) {
        const bad = await http.get(`/v1/entities?${qs}`).set(admin).expect(400);
        expect(bad.body.details[0]).toMatchObject({ field });
      }
      expect((await http.get('/v1/dependencies?kind=wifi').set(admin).expect(400)).body.details[0]).toMatchObject({ field: 'kind', rule: 'isIn' });
    });

    it('pages through every entity and dependency exactly once with an opaque cursor', async () => {
      const all = (await http.get('/v1/entities?limit=1000').set(admin).expect(200)).body;
      expect(all.nextCursor).toBeNull();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await http.get(`/v1/entities?limit=3${cursor ? `&cursor=${cursor}` : ''}`).set(admin).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items.map((e: any) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.items.map((e: any) => e.id));
      const deps = (await http.get('/v1/dependencies?limit=1000').set(admin).expect(200)).body.items.map((d: any) => d.id);
      const first = (await http.get('/v1/dependencies?limit=2').set(admin).expect(200)).body;
      const rest = (await http.get(`/v1/dependencies?limit=1000&cursor=${first.nextCursor}`).set(admin).expect(200)).body;
      expect([...first.items, ...rest.items].map((d: any) => d.id)).toEqual(deps);
      expect((await http.get('/v1/entities?cursor=%%%').set(admin).expect(400)).body.details[0]).toMatchObject({ field: 'cursor' });
      expect((await http.get('/v1/entities?limit=0').set(admin).expect(400)).body.details[0]).toMatchObject({ field: 'limit' });
      expect((await http.get('/v1/dependencies?direction=sideways').set(admin).expect(400)).body.details[0]).toMatchObject({ field: 'direction' });
    });
  });

  describe('hierarchy', () => {
    const sum = (rows: any[], f: string) => rows.reduce((a, r) => a + r[f], 0);
    const totals = (rows: any[]) => ({ count: rows.length, sums: { hosts: sum(rows, 'hosts'), dailyValueUsd: sum(rows, 'dailyValueUsd'), populationServed: sum(rows, 'populationServed') } });
    let entities: any[];

    beforeAll(async () => {
      // A few more entities with awkward values, then the independent sums come from the raw list.
      await post('/v1/entities/bulk', [
        { id: 'h-org', name: 'H Org', country: 'US', sector: 'financial-services', hosts: 7, dailyValueUsd: 1e6 + 0.25, populationServed: 3 },
        { id: 'h-site-us', name: 'H US site', kind: 'site', parentId: 'h-org', country: 'US', sector: 'financial-services', hosts: 11, dailyValueUsd: 0.5, populationServed: 0 },
        { id: 'h-site-gb', name: 'H GB site', kind: 'site', parentId: 'h-site-us', country: 'GB', sector: 'financial-services', hosts: 13, dailyValueUsd: 2, populationServed: 5 },
        { id: 'h-nowhere', name: 'No country or sector', hosts: 1 },
      ]).expect(201);
      entities = (await http.get('/v1/entities?limit=1000').set(admin).expect(200)).body.items;
    });

    const topOf = (id: string): string => {
      const e = entities.find((x) => x.id === id);
      return e.parentId ? topOf(e.parentId) : e.id;
    };
    const find = (node: any, ...keys: string[]): any => keys.reduce((n, k) => n?.children?.find((c: any) => c.key === k), node);

    it('sums the whole world and every country > sector > organisation node from the raw entities', async () => {
      const tree = (await http.get('/v1/hierarchy?levels=country,sector,organization').set(auth(keys.a.analyst)).expect(200)).body;
      expect(tree).toMatchObject({ id: 'world', level: 'world', ...totals(entities) });
      const check = (node: any, path: { level: string; key: string }[]) => {
        const rows = entities.filter((e) => path.every(({ level, key }) => (level === 'organization' ? topOf(e.id) : e[level] ?? 'unknown') === key));
        expect({ count: node.count, sums: node.sums }).toEqual(totals(rows));
        expect(rows.length).toBeGreaterThan(0);
        for (const child of node.children ?? []) check(child, [...path, { level: child.level, key: child.key }]);
        if (path.length < 3) expect(node.children?.length).toBeGreaterThan(0);
      };
      check(tree, []);
      // h-org's GB site is counted under GB, folded into its organisation h-org there.
      expect(find(tree, 'GB', 'financial-services', 'h-org')).toMatchObject({ level: 'organization', count: 1, sums: { hosts: 13 } });
      expect(find(tree, 'US', 'financial-services', 'h-org')).toMatchObject({ count: 2, sums: { hosts: 18 } });
      expect(find(tree, 'unknown', 'unknown', 'h-nowhere')).toMatchObject({ count: 1 });
      expect(find(tree, 'US')).toMatchObject({ id: 'world/country:US', name: 'United States of America' });
      expect(find(tree, 'US', 'financial-services', 'h-org').name).toBe('H Org');
    });

    it('accepts any order and subset of levels', async () => {
      const bySector = (await http.get('/v1/hierarchy?levels=sector,country').set(admin).expect(200)).body;
      expect(bySector.children.map((c: any) => c.level)).toEqual(bySector.children.map(() => 'sector'));
      expect(find(bySector, 'financial-services', 'GB')).toMatchObject({ count: 1, sums: { hosts: 13 } });
      const orgs = (await http.get('/v1/hierarchy?levels=organization').set(admin).expect(200)).body;
      const roots = entities.filter((e) => !e.parentId).map((e) => e.id).sort();
      expect(orgs.children.map((c: any) => c.key)).toEqual(roots);
      for (const org of orgs.children) expect(org).toMatchObject(totals(entities.filter((e) => topOf(e.id) === org.key)));
      const flat = (await http.get('/v1/hierarchy?levels=').set(admin).expect(200)).body;
      expect(flat).toMatchObject(totals(entities));
      const bad = await http.get('/v1/hierarchy?levels=country,planet').set(admin).expect(400);
      expect(bad.body.details[0]).toMatchObject({ field: 'levels', rule: 'isIn' });
      await http.get('/v1/hierarchy?levels=country,country').set(admin).expect(400);
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
});

describe('buildHierarchy (the plain function the assessments reuse)', () => {
  const rows = [
    { id: 'a', parentId: null, country: 'GB', sector: 'energy', v: 1, w: 10 },
    { id: 'a1', parentId: 'a', country: 'FR', sector: 'energy', v: 2, w: 20 },
    { id: 'a11', parentId: 'a1', country: 'GB', sector: null, v: 4, w: Number.NaN },
    { id: 'b', parentId: 'missing-parent', country: null, sector: 'dams', v: 8, w: 80 },
  ];
  const values = { v: (r: (typeof rows)[number]) => r.v, w: (r: (typeof rows)[number]) => r.w };

  it('folds descendants into their top-level ancestor, places each row by its own country, and sums every node', () => {
    expect([...topLevelAncestors(rows)]).toEqual([['a', 'a'], ['a1', 'a'], ['a11', 'a'], ['b', 'b']]);
    const root = buildHierarchy(rows, ['country', 'organization'], values);
    expect(hierarchyToJson(root)).toEqual({
      id: 'world', level: 'world', key: 'world', count: 4, sums: { v: 15, w: 110 },
      children: [
        { id: 'world/country:FR', level: 'country', key: 'FR', count: 1, sums: { v: 2, w: 20 }, children: [
          { id: 'world/country:FR/organization:a', level: 'organization', key: 'a', count: 1, sums: { v: 2, w: 20 } },
        ] },
        { id: 'world/country:GB', level: 'country', key: 'GB', count: 2, sums: { v: 5, w: 10 }, children: [
          { id: 'world/country:GB/organization:a', level: 'organization', key: 'a', count: 2, sums: { v: 5, w: 10 } },
        ] },
        { id: 'world/country:unknown', level: 'country', key: 'unknown', count: 1, sums: { v: 8, w: 80 }, children: [
          { id: 'world/country:unknown/organization:b', level: 'organization', key: 'b', count: 1, sums: { v: 8, w: 80 } },
        ] },
      ],
    });
    // d3's own value (for treemaps) is the first sum.
    expect(root.value).toBe(15);
    expect(root.leaves().map((l) => l.value)).toEqual([2, 5, 8]);
  });

  it('gives the world alone without levels, and parses levels strictly', () => {
    expect(hierarchyToJson(buildHierarchy(rows, [], values))).toEqual({ id: 'world', level: 'world', key: 'world', count: 4, sums: { v: 15, w: 110 } });
    expect(parseLevels('sector, country').levels).toEqual(['sector', 'country']);
    expect(parseLevels(undefined).levels).toEqual(['country', 'sector', 'organization']);
    expect(parseLevels('site').error).toMatch(/unknown level/);
  });
});
