import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

const fixture = () => JSON.parse(readFileSync(join(__dirname, '../fixtures/misp/notpetya-event.json'), 'utf8'));

describe('MISP in and out', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);
  const count = async () => (await http.get('/v1/reports?includeSuperseded=true&limit=1000').set(admin).expect(200)).body.items.length;

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('imports a MISP event: seen sightings of target-org attributes as reports, with TLP from tags, the weapon from the malware galaxy; says what it skipped', async () => {
    const res = await http.post('/v1/misp/events').set(auth(keys.a.responder)).send(fixture()).expect(201);
    expect(res.body).toMatchObject({ created: 3, unchanged: 0, weaponsCreated: ['notpetya-s0368'] });
    expect(res.body.entitiesCreated.sort()).toEqual(['a-p-moller-maersk', 'ukrenergo']);
    expect(res.body.skipped).toEqual([
      { id: 'misp-sighting:ae4f5061-7283-4d94-9ea5-c6d7e8f90a12', type: 'sighting', reason: expect.stringContaining('false positive') },
      { id: 'misp-attribute:0f1e2d3c-4b5a-4968-8776-655443322110', type: 'ip-dst', reason: expect.stringContaining('not a victim') },
    ]);
    const reports = (await http.get('/v1/reports?weaponId=notpetya-s0368').set(admin).expect(200)).body.items;
    const byStix = Object.fromEntries(reports.map((r: any) => [r.stixId, r]));
    expect(byStix['sighting--8c2d3e4f-5061-4b72-9c83-a4b5c6d7e8f9']).toMatchObject({ entityId: 'a-p-moller-maersk', tlp: 'amber', observedAt: '2017-06-27T10:15:00.000Z', source: 'sensor-dk-1 / CERT-Example' });
    expect(byStix['sighting--3c4d5e6f-7081-4c9d-8ebf-2a3b4c5d6e7f']).toMatchObject({ entityId: 'ukrenergo', tlp: 'red' });
    expect((await http.get('/v1/entities/ukrenergo').set(admin).expect(200)).body.country).toBe('UA');
    expect((await http.get('/v1/weapons/notpetya-s0368').set(admin).expect(200)).body.aliases).toContain('Nyetya');
  });

  it('exports the reader\'s visible reports as a MISP feed (manifest.json and one event), which imports back as nothing new, from any organisation', async () => {
    for (const [reader, expected] of [[keys.a.analyst, 3], [keys.b.analyst, 2], [keys.b.researcher, 0]] as const) {
      const manifest = (await http.get('/v1/misp/feeds/notpetya-s0368/manifest.json').set(auth(reader)).expect(200)).body;
      const [uuid] = Object.keys(manifest);
      expect(manifest[uuid]).toMatchObject({ info: expect.any(String), Orgc: { name: 'Spillover' }, timestamp: expect.stringMatching(/^\d+$/), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), analysis: '2', threat_level_id: '1' });
      const event = (await http.get(`/v1/misp/feeds/notpetya-s0368/${uuid}.json`).set(auth(reader)).expect(200)).body;
      expect(event.Event.uuid).toBe(uuid);
      const sightings = [...event.Event.Attribute, ...event.Event.Object.flatMap((o: any) => o.Attribute)].flatMap((a: any) => a.Sighting ?? []);
      expect(sightings).toHaveLength(expected);
      // TLP per attribute: org-b may not see org-a's red report
      if (reader === keys.b.analyst) expect(JSON.stringify(event)).not.toContain('tlp:red');
      const before = await count();
      for (const importer of [keys.a.responder, keys.b.responder]) {
        const again = await http.post('/v1/misp/events').set(auth(importer)).send(event).expect(201);
        expect(again.body).toMatchObject({ created: 0, superseded: 0, unchanged: expected, entitiesCreated: [], weaponsCreated: [] });
      }
      expect(await count()).toBe(before);
    }
    // re-importing the original event writes nothing either
    expect((await http.post('/v1/misp/events').set(auth(keys.b.responder)).send(fixture()).expect(201)).body).toMatchObject({ created: 0, unchanged: 3 });
  });

  it('answers 400 for what is not a MISP event, 404 for an unknown feed file or weapon', async () => {
    const res = await http.post('/v1/misp/events').set(auth(keys.a.responder)).send({ hello: 'world' }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'Event', rule: 'mispEvent' })]);
    await http.get('/v1/misp/feeds/notpetya-s0368/00000000-0000-4000-8000-000000000000.json').set(auth(keys.a.analyst)).expect(404);
    await http.get('/v1/misp/feeds/ghost/manifest.json').set(auth(keys.a.analyst)).expect(404);
    await http.post('/v1/misp/events').set(auth(keys.a.analyst)).send(fixture()).expect(403);
  });
});
