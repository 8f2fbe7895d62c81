import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { organizationIdentityIdOf } from '../../src/stix/export';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';
import { stixProblems } from './support/stix-schemas';

const TAXII = 'application/taxii+json;version=2.1';
const fixture = () => JSON.parse(readFileSync(join(__dirname, '../fixtures/stix/notpetya-sightings.json'), 'utf8'));
/** What taxii2client sends: HTTP Basic with any user and the key as password. */
const basic = (key: string) => ({ Authorization: `Basic ${Buffer.from(`user:${key}`).toString('base64')}` });

/**
 * A TAXII client as the OASIS library (taxii2client.v21) behaves: Accept on every request,
 * the API root from discovery, the readable collection from the list, pages by limit/next
 * while `more` (as_pages), POST of an envelope then GET of ../../status/{id}.
 */
function client(http: ReturnType<typeof request>, key: string) {
  const get = async (url: string, query: Record<string, string | number> = {}) => {
    const res = await http.get(new URL(url, 'http://x').pathname).query(query).set(basic(key)).set('Accept', TAXII);
    expect(res.status).toBe(200);
    expect(res.headers['content-type'].replace(/ /g, '')).toContain(TAXII);
    return res;
  };
  return {
    get,
    async discover() {
      const server = (await get('/taxii2/')).body;
      const root = server.api_roots[0];
      const info = (await get(root)).body;
      expect(info.versions).toContain(TAXII);
      const collections = (await get(`${root}collections/`)).body.collections;
      return { root, collections };
    },
    async allPages(url: string, perRequest: number, filters: Record<string, string> = {}, between?: () => Promise<void>) {
      const pages: any[] = [];
      let res = await get(url, { limit: perRequest, ...filters });
      pages.push(res.body);
      while (res.body.more) {
        if (between) await between();
        res = await get(url, { limit: perRequest, next: res.body.next, ...filters });
        pages.push(res.body);
      }
      return { pages, objects: pages.flatMap((p) => p.objects ?? []), last: res };
    },
  };
}

describe('TAXII 2.1 server', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  let root: string;
  let reportsUrl: string;
  let inboxUrl: string;
  const admin = auth('spo_test_admin_key_0123456789abcdefghijklmnop');

  /** The STIX ids of the current reports `key` may see, from the ordinary reports API. */
  const visibleIds = async (key: string) => new Set<string>((await http.get('/v1/reports?limit=1000').set(auth(key)).expect(200)).body.items.map((r: any) => r.stixId));

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    const found = await client(http, keys.a.responder).discover();
    root = new URL(found.root).pathname;
    reportsUrl = `${root}collections/${found.collections.find((c: any) => c.title === 'Spread reports').id}/`;
    inboxUrl = `${root}collections/${found.collections.find((c: any) => c.can_write).id}/`;
  });
  afterAll(() => app.close());

  it('discovery, API root and collections say what each reader may do', async () => {
    const server = (await client(http, keys.b.researcher).get('/taxii2/')).body;
    expect(server).toMatchObject({ title: expect.any(String), default: expect.stringMatching(/\/taxii2\/spillover\/$/), api_roots: [expect.stringMatching(/^http:\/\/.+\/taxii2\/spillover\/$/)] });
    const forResearcher = (await client(http, keys.b.researcher).get(`${root}collections/`)).body.collections;
    const forResponder = (await client(http, keys.a.responder).get(`${root}collections/`)).body.collections;
    expect(forResearcher.map((c: any) => [c.can_read, c.can_write])).toEqual([[true, false], [false, false], [true, false]]);
    expect(forResponder.map((c: any) => [c.can_read, c.can_write])).toEqual([[true, false], [false, true], [true, false]]);
    for (const c of forResponder) expect(c).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), title: expect.any(String), media_types: ['application/stix+json;version=2.1'] });
  });

  it('adds an envelope and answers a status resource the client can poll; a second add writes nothing', async () => {
    const envelope = { objects: fixture().objects };
    const res = await http.post(`${inboxUrl}objects/`).set(basic(keys.a.responder)).set('Accept', TAXII).set('Content-Type', TAXII).send(JSON.stringify(envelope)).expect(202);
    expect(res.headers['content-type'].replace(/ /g, '')).toContain(TAXII);
    const status = res.body;
    expect(status).toMatchObject({ status: 'complete', pending_count: 0, total_count: envelope.objects.length });
    expect(status.success_count + status.failure_count + status.pending_count).toBe(status.total_count);
    expect(status.successes).toHaveLength(status.success_count);
    expect(status.failures).toHaveLength(status.failure_count);
    // the sighting of an infrastructure is refused with its reason; the sightings of malware succeed
    expect(status.failures).toContainEqual(expect.objectContaining({ id: envelope.objects[18].id, message: expect.stringContaining('not a spread report') }));
    expect(status.successes).toContainEqual({ id: 'sighting--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', version: envelope.objects.find((o: any) => o.id === 'sighting--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d').modified });
    // the client polls urljoin(collection, "../../status/{id}"): no trailing slash
    const polled = (await client(http, keys.a.responder).get(`${root}status/${status.id}`)).body;
    expect(polled).toEqual(status);
    await http.get(`${root}status/${status.id}/`).set(basic(keys.b.responder)).set('Accept', TAXII).expect(404);
    const before = (await visibleIds(keys.admin)).size;
    const again = await http.post(`${inboxUrl}objects/`).set(basic(keys.b.responder)).set('Content-Type', TAXII).send(JSON.stringify(envelope)).expect(202);
    expect(again.body.status).toBe('complete');
    expect((await visibleIds(keys.admin)).size).toBe(before);
  });

  it('refuses an invalid envelope object by object in a complete status, never a 5xx', async () => {
    const envelope = { objects: [...fixture().objects.slice(0, 14), { type: 'sighting', id: 'sighting--nope' }] };
    const res = await http.post(`${inboxUrl}objects/`).set(basic(keys.a.responder)).set('Content-Type', TAXII).send(JSON.stringify(envelope)).expect(202);
    expect(res.body).toMatchObject({ status: 'complete', success_count: 0, failure_count: 15 });
    expect(res.body.failures[14]).toMatchObject({ id: 'sighting--nope', message: expect.stringContaining('id must be') });
    const notEnvelope = await http.post(`${inboxUrl}objects/`).set(basic(keys.a.responder)).set('Content-Type', TAXII).send('{"objects": 3}').expect(400);
    expect(notEnvelope.body.details).toEqual([expect.objectContaining({ field: 'objects', rule: 'isArray' })]);
  });

  it('pages with limit and next, in the order added, each reader seeing exactly what TLP lets it see, while reports are filed', async () => {
    // org-b files reports of its own: a green one and a red one
    const file = (key: string, entityId: string, tlp: string) =>
      http.post('/v1/reports').set(auth(key)).send({ weaponId: 'notpetya', entityId, observedAt: '2017-06-28T00:00:00.000Z', status: 'confirmed', tlp }).expect(201);
    await file(keys.b.responder, 'merck-co', 'green');
    await file(keys.b.responder, 'ukrenergo', 'red');
    for (const [key, org] of [[keys.a.responder, 'org-a'], [keys.b.analyst, 'org-b'], [keys.b.researcher, 'org-b']]) {
      const expected = await visibleIds(key);
      const filedMeanwhile: string[] = [];
      let n = 0;
      const { objects, pages } = await client(http, key).allPages(`${reportsUrl}objects/`, 2, {}, async () => {
        // a report filed between two pages is served once, on a later page
        if (n++ === 1) filedMeanwhile.push((await file(keys.a.responder, 'a-p-moller-maersk', 'clear')).body.stixId);
      });
      expect(pages.length).toBeGreaterThan(2);
      const ids = objects.map((o: any) => o.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set([...expected, ...filedMeanwhile]));
      for (const o of objects) expect(stixProblems(o)).toEqual([]);
      // TLP: red only of the reader's own organisation; amber not for researchers
      const red = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
      const amber = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
      for (const o of objects) {
        if (o.object_marking_refs.includes(red)) expect(o.created_by_ref).toBe(organizationIdentityIdOf(org));
        if (o.object_marking_refs.includes(amber) && key === keys.b.researcher) expect(o.created_by_ref).toBe(organizationIdentityIdOf(org));
      }
    }
    // the two organisations' views differ: each sees its own red reports only
    const aIds = await visibleIds(keys.a.responder);
    const bIds = await visibleIds(keys.b.analyst);
    expect([...aIds].some((id) => !bIds.has(id))).toBe(true);
    expect([...bIds].some((id) => !aIds.has(id))).toBe(true);
  });

  it('added_after with X-TAXII-Date-Added-Last gives only what was added since; the manifest lists the same objects', async () => {
    const c = client(http, keys.b.analyst);
    const all = await c.allPages(`${reportsUrl}objects/`, 1000);
    const last = all.last.headers['x-taxii-date-added-last'];
    expect(last).toMatch(/Z$/);
    expect((await c.get(`${reportsUrl}objects/`, { added_after: last })).body).toEqual({ more: false });
    const added = (await http.post('/v1/reports').set(auth(keys.a.responder)).send({ weaponId: 'notpetya', entityId: 'merck-co', observedAt: '2017-06-29T00:00:00.000Z', status: 'confirmed', tlp: 'green' }).expect(201)).body;
    const since = (await c.get(`${reportsUrl}objects/`, { added_after: last })).body;
    expect(since.objects.map((o: any) => o.id)).toEqual([added.stixId]);
    const manifest = await c.allPages(`${reportsUrl}manifest/`, 3);
    expect(manifest.objects.map((e: any) => e.id)).toEqual([...all.objects.map((o: any) => o.id), added.stixId]);
    for (const e of manifest.objects) expect(e).toMatchObject({ date_added: expect.stringMatching(/Z$/), version: expect.stringMatching(/Z$/), media_type: 'application/stix+json;version=2.1' });
  });

  it('match[type], match[id], match[version], match[spec_version]; one object and its versions', async () => {
    const c = client(http, keys.a.responder);
    expect((await c.get(`${reportsUrl}objects/`, { 'match[type]': 'indicator' })).body).toEqual({ more: false });
    expect((await c.get(`${reportsUrl}objects/`, { 'match[spec_version]': '2.0' })).body).toEqual({ more: false });
    // a correction makes a second version of the Maersk sighting
    const maersk = 'sighting--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const current = (await http.get('/v1/reports?limit=1000').set(auth(keys.a.responder)).expect(200)).body.items.find((r: any) => r.stixId === maersk);
    await http.post('/v1/reports').set(auth(keys.a.responder)).send({ weaponId: 'notpetya', entityId: 'a-p-moller-maersk', observedAt: '2017-06-27T10:15:00.000Z', status: 'remediated', tlp: 'green', supersedes: current.id }).expect(201);
    const last = (await c.get(`${reportsUrl}objects/`, { 'match[id]': maersk })).body.objects;
    expect(last).toHaveLength(1);
    expect(last[0].x_spillover_status).toBe('remediated');
    const every = (await c.get(`${reportsUrl}objects/`, { 'match[id]': maersk, 'match[version]': 'all' })).body.objects;
    expect(every.map((o: any) => o.x_spillover_status)).toEqual(['confirmed', 'remediated']);
    const first = (await c.get(`${reportsUrl}objects/${maersk}/`, { 'match[version]': 'first' })).body.objects;
    expect(first.map((o: any) => o.x_spillover_status)).toEqual(['confirmed']);
    const atFirst = (await c.get(`${reportsUrl}objects/${maersk}/`, { 'match[version]': first[0].modified })).body.objects;
    expect(atFirst).toEqual(first);
    // The imported version is matched by its STIX `modified`, the correction filed here by when it was filed.
    const atCorrection = (await c.get(`${reportsUrl}objects/${maersk}/`, { 'match[version]': every[1].modified })).body.objects;
    expect(atCorrection).toEqual([every[1]]);
    const versions = (await c.get(`${reportsUrl}objects/${maersk}/versions/`)).body;
    expect(versions).toEqual({ more: false, versions: every.map((o: any) => o.modified) });
  });

  it('one object: 404 for a reader who may not see it, as on the other read paths', async () => {
    const red = (await http.get('/v1/reports?limit=1000&tlp=red').set(auth(keys.a.responder)).expect(200)).body.items.find((r: any) => r.organizationId === 'org-a');
    await client(http, keys.a.analyst).get(`${reportsUrl}objects/${red.stixId}/`);
    for (const key of [keys.b.analyst, keys.b.responder]) {
      await http.get(`${reportsUrl}objects/${red.stixId}/`).set(basic(key)).set('Accept', TAXII).expect(404);
      await http.get(`${reportsUrl}objects/${red.stixId}/versions/`).set(basic(key)).set('Accept', TAXII).expect(404);
      const page = (await http.get(`${reportsUrl}manifest/`).query({ 'match[id]': red.stixId }).set(basic(key)).set('Accept', TAXII).expect(200)).body;
      expect(page).toEqual({ more: false });
    }
  });

  it('negotiates media types (406, 415), authenticates by Basic or Bearer, and refuses bad parameters with 400', async () => {
    for (const accept of ['application/xml', 'application/taxii+json;version=2.0', 'text/html']) {
      const res = await http.get('/taxii2/').set(basic(keys.a.analyst)).set('Accept', accept).expect(406);
      expect(res.body).toMatchObject({ statusCode: 406, details: [{ field: 'accept', rule: 'mediaType' }] });
    }
    await http.get('/taxii2/').set(auth(keys.a.analyst)).set('Accept', 'application/taxii+json').expect(200);
    await http.get('/taxii2/').set(auth(keys.a.analyst)).expect(200);
    const wrongType = await http.post(`${inboxUrl}objects/`).set(basic(keys.a.responder)).set('Content-Type', 'application/json').send({ objects: [] }).expect(415);
    expect(wrongType.body).toMatchObject({ statusCode: 415, details: [{ field: 'content-type', rule: 'mediaType' }] });
    await http.get('/taxii2/').expect(401);
    await http.get('/taxii2/').set({ Authorization: `Basic ${Buffer.from('user:spo_wrong').toString('base64')}` }).expect(401);
    await http.get('/taxii2/').set({ Authorization: `Basic ${Buffer.from('only-a-user').toString('base64')}` }).expect(401);
    await http.post(`${inboxUrl}objects/`).set(basic(keys.a.analyst)).set('Content-Type', TAXII).send('{"objects": []}').expect(403);
    await http.post(`${reportsUrl}objects/`).set(basic(keys.a.responder)).set('Content-Type', TAXII).send('{"objects": []}').expect(403);
    await http.get(`${inboxUrl}objects/`).set(basic(keys.a.responder)).expect(403);
    await http.get(`${root}collections/00000000-0000-4000-8000-000000000000/objects/`).set(basic(keys.a.responder)).expect(404);
    const cases: Array<[Record<string, string>, string]> = [
      [{ limit: '0' }, 'limit'], [{ limit: '0x10' }, 'limit'], [{ next: 'garbage' }, 'next'], [{ added_after: '2020-01-01' }, 'added_after'],
      [{ 'match[id]': 'nope' }, 'match[id]'], [{ 'match[version]': 'newest' }, 'match[version]'], [{ colour: 'red' }, 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await http.get(`${reportsUrl}objects/`).query(query).set(basic(keys.a.responder)).expect(400);
      expect(res.body.details).toContainEqual(expect.objectContaining({ field }));
    }
    expect((await http.get(`${reportsUrl}objects/`).query({ limit: '5000' }).set(basic(keys.a.responder)).expect(200)).body.more).toBe(false);
  });
});
