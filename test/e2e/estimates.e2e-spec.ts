import { INestApplication } from '@nestjs/common';
import { identityIdOf } from '../../src/stix/export';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';
import { bundleProblems, stixProblems } from './support/stix-schemas';

const TAXII = 'application/taxii+json;version=2.1';
const ESTIMATES = '5c8e2a90-1f4b-4d6e-b3a7-8e0f9c2d4b65';

describe('estimates as STIX 2.1 (real engine on the NotPetya scenario)', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  let id: string;
  let horizonHours: number;

  beforeAll(async () => {
    app = await createTestApp({ workerThreads: 1 });
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    await http.post('/v1/scenarios/load').set(auth(ADMIN_KEY)).send({ name: 'notpetya-2017' }).expect(201);
    const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'notpetya', asOf: '2017-06-28T00:00:00Z', runs: 100, horizonHours: 72, seed: 7 }).expect(202);
    id = res.body.id;
    horizonHours = 72;
    for (let i = 0; i < 600; i++) {
      const s = (await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body;
      if (s.status === 'done') break;
      if (s.status === 'failed') throw new Error(JSON.stringify(s));
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 600_000);
  afterAll(() => app?.close());

  it('exports the estimate as a bundle every object of which passes the OASIS schemas, with the at-risk identities the reader sees', async () => {
    for (const key of [keys.a.analyst, keys.b.researcher]) {
      const bundle = (await http.get(`/v1/assessments/${id}/stix`).set(auth(key)).expect(200)).body;
      expect(bundleProblems(bundle)).toEqual([]);
      const note = bundle.objects.find((o: any) => o.type === 'note');
      const spillover = bundle.objects.find((o: any) => o.id === note.created_by_ref);
      expect(spillover).toMatchObject({ type: 'identity', name: 'Spillover' });
      const ext = Object.entries<any>(note.extensions)[0];
      expect(bundle.objects.find((o: any) => o.id === ext[0])).toMatchObject({ type: 'extension-definition', extension_types: ['property-extension'] });
      const summary = (await http.get(`/v1/assessments/${id}`).set(auth(key)).expect(200)).body.result;
      expect(ext[1].total.entities_infected).toEqual(summary.total.entitiesInfected);
      expect(ext[1].collateral.loss_usd.total).toEqual(summary.collateral.lossUsd.total);
      const malware = bundle.objects.find((o: any) => o.type === 'malware');
      expect(malware).toMatchObject({ name: 'NotPetya', is_family: true });
      expect(note.object_refs[0]).toBe(malware.id);
      // the same entities, in the same order, as the reader's early-warning list at the horizon
      const warning = (await http.get(`/v1/assessments/${id}/early-warning?withinHours=${horizonHours}&limit=50`).set(auth(key)).expect(200)).body.items;
      expect(warning.length).toBeGreaterThan(0);
      const entities = await Promise.all(warning.map(async (w: any) => (await http.get(`/v1/entities/${w.entityId}`).set(auth(key)).expect(200)).body));
      expect(ext[1].at_risk.map((a: any) => a.identity_ref)).toEqual(entities.map((e: any) => identityIdOf(e)));
      expect(ext[1].at_risk[0].probability).toEqual(warning[0].probability);
      for (const ref of note.object_refs) expect(bundle.objects.some((o: any) => o.id === ref)).toBe(true);
    }
  });

  it('publishes the estimate in the estimates collection: objects, manifest, one object, its versions', async () => {
    const get = (path: string, query: Record<string, string> = {}) =>
      http.get(`/taxii2/spillover/collections/${ESTIMATES}/${path}`).query(query).set(auth(keys.b.researcher)).set('Accept', TAXII).expect(200);
    const page = (await get('objects/')).body;
    expect(page.objects).toHaveLength(1);
    const note = page.objects[0];
    expect(stixProblems(note)).toEqual([]);
    expect(note).toMatchObject({ type: 'note', created_by_ref: expect.stringMatching(/^identity--/) });
    const manifest = (await get('manifest/')).body.objects;
    expect(manifest).toEqual([{ id: note.id, date_added: note.created, version: note.modified, media_type: 'application/stix+json;version=2.1' }]);
    expect((await get(`objects/${note.id}/`)).body.objects).toEqual([note]);
    expect((await get(`objects/${note.id}/versions/`)).body).toEqual({ more: false, versions: [note.modified] });
    expect((await get('objects/', { 'match[type]': 'sighting' })).body).toEqual({ more: false });
    expect((await get('objects/', { added_after: note.created })).body).toEqual({ more: false });
    await http.get(`/taxii2/spillover/collections/${ESTIMATES}/objects/note--6b1e0a3c-3b8f-4b5e-9a6d-1c2b3a4d5e6f/`).set(auth(keys.b.researcher)).expect(404);
  });

  it('answers 404 for an unknown assessment and 400 for a malformed id', async () => {
    await http.get('/v1/assessments/6b1e0a3c-3b8f-4b5e-9a6d-1c2b3a4d5e6f/stix').set(auth(keys.a.analyst)).expect(404);
    await http.get('/v1/assessments/nope/stix').set(auth(keys.a.analyst)).expect(400);
  });
});
