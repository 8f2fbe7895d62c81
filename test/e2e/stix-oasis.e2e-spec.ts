import { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';
import { bundleProblems, stixProblems } from './support/stix-schemas';

const EXAMPLES = join(__dirname, '../fixtures/stix/examples');
const example = (file: string) => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
const exampleFiles = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')),
  ...readdirSync(join(EXAMPLES, 'threat-reports')).map((f) => `threat-reports/${f}`),
];

describe('STIX 2.1 against the OASIS schemas and example bundles', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('the schemas refuse what they should (a sighting without sighting_of_ref, a malware without is_family)', () => {
    expect(stixProblems({ type: 'sighting', spec_version: '2.1', id: 'sighting--6b1e0a3c-3b8f-4b5e-9a6d-1c2b3a4d5e6f', created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z' }))
      .toEqual([expect.stringContaining("must have required property 'sighting_of_ref'")]);
    expect(stixProblems({ type: 'malware', spec_version: '2.1', id: 'malware--6b1e0a3c-3b8f-4b5e-9a6d-1c2b3a4d5e6f', created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', name: 'x' }))
      .toContainEqual(expect.stringContaining("must have required property 'is_family'"));
  });

  it('every object of the reports export passes the OASIS schemas; sightings name their reporting organisation', async () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/stix/notpetya-sightings.json'), 'utf8'));
    await http.post('/v1/reports/stix').set(auth(keys.b.responder)).send(fixture).expect(201);
    await http.post('/v1/reports').set(auth(keys.a.responder)).send({ weaponId: 'notpetya', entityId: 'merck-co', observedAt: '2017-06-28T00:00:00.000Z', status: 'confirmed', tlp: 'green' }).expect(201);
    for (const key of [keys.a.researcher, keys.b.responder, keys.admin]) {
      const bundle = (await http.get('/v1/reports/export/stix?weaponId=notpetya').set(auth(key)).expect(200)).body;
      expect(bundle.objects.length).toBeGreaterThan(3);
      expect(bundleProblems(bundle)).toEqual([]);
      const byId = new Map(bundle.objects.map((o: any) => [o.id, o]));
      for (const s of bundle.objects.filter((o: any) => o.type === 'sighting')) {
        expect(byId.get(s.created_by_ref)).toMatchObject({ type: 'identity', identity_class: 'organization' });
      }
    }
  });

  it.each(exampleFiles)('imports the OASIS example %s with a clear answer: what was taken, what was skipped and why', async (file) => {
    const bundle = example(file);
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(bundle);
    expect(res.status).toBeLessThan(500);
    // (interop-objectmarking-test.json is one campaign, not a bundle: 400 naming the problem)
    if (res.status !== 201) {
      expect(res.body).toMatchObject({ statusCode: res.status, details: expect.any(Array) });
      expect(res.body.details.length).toBeGreaterThan(0);
      return;
    }
    const skippedIds = new Set(res.body.skipped.map((s: any) => s.id));
    const sightings = bundle.objects.filter((o: any) => o.type === 'sighting');
    // every object is accounted for: used with a sighting, or skipped with a reason
    for (const o of bundle.objects.filter((x: any) => x.type !== 'sighting')) {
      const used = sightings.some((s: any) => JSON.stringify(s).includes(o.id));
      expect({ id: o.id, accounted: used || skippedIds.has(o.id) }).toEqual({ id: o.id, accounted: true });
    }
    for (const s of res.body.skipped) expect(s.reason).toMatch(/.{20,}/);
  });

  it('APT1: a threat report without sightings files nothing and says why for each of its 76 objects', async () => {
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(example('threat-reports/apt1.json')).expect(201);
    expect(res.body).toMatchObject({ created: 0, unchanged: 0, weaponsCreated: [], entitiesCreated: [] });
    expect(res.body.skipped).toHaveLength(76);
    expect(res.body.skipped).toContainEqual({ id: expect.stringMatching(/^indicator--/), type: 'indicator', reason: expect.stringContaining('not evidence of spread') });
    expect(res.body.skipped).toContainEqual({ id: expect.stringMatching(/^malware--/), type: 'malware', reason: expect.stringContaining('no sighting of malware') });
  });
});
