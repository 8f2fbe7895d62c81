import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLP2_IDS } from '../../src/domain/stix-ids';
import { validateBundle } from '../../src/stix/validate';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

const fixture = () => JSON.parse(readFileSync(join(__dirname, '../fixtures/stix/notpetya-sightings.json'), 'utf8'));
const MAERSK_SIGHTING = 'sighting--a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const rules = (body: any) => body.details.map((d: any) => `${d.field}:${d.rule}`);

/** The facts of a bundle, independent of ids and timestamps: what an import must preserve. */
function facts(bundle: any) {
  const byId = new Map<string, any>(bundle.objects.map((o: any) => [o.id, o]));
  const markings = new Map<string, string>([[TLP2_IDS.clear, 'clear'], [TLP2_IDS.green, 'green'], [TLP2_IDS.amber, 'amber'], [TLP2_IDS['amber+strict'], 'amber+strict'], [TLP2_IDS.red, 'red']]);
  const countryOf = (identityId: string) => {
    const rel = bundle.objects.find((o: any) => o.type === 'relationship' && o.relationship_type === 'located-at' && o.source_ref === identityId);
    return rel ? byId.get(rel.target_ref).country.toUpperCase() : null;
  };
  return bundle.objects
    .filter((o: any) => o.type === 'sighting' && byId.get(o.sighting_of_ref)?.type === 'malware')
    .flatMap((s: any) => s.where_sighted_refs.map((w: string) => ({
      malware: byId.get(s.sighting_of_ref).name,
      identity: byId.get(w).name,
      country: countryOf(w),
      observedAt: new Date(s.first_seen).toISOString(),
      count: s.count ?? null,
      confidence: s.confidence ?? null,
      tlp: (s.object_marking_refs ?? []).map((m: string) => markings.get(m)).filter(Boolean).sort().join(','),
      status: s.x_spillover_status ?? 'confirmed',
    })))
    .sort((a: any, b: any) => (a.identity < b.identity ? -1 : 1));
}

describe('STIX 2.1 import and export', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);
  let exported: any;

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('turns each sighting of malware at identities into reports, creating entities and an uncharacterised weapon', async () => {
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).set('Content-Type', 'application/stix+json;version=2.1').send(JSON.stringify(fixture())).expect(201);
    expect(res.body).toMatchObject({ created: 4, superseded: 0, unchanged: 0, weaponsCreated: ['notpetya'] });
    expect(res.body.entitiesCreated.sort()).toEqual(['a-p-moller-maersk', 'kyiv-boryspil-airport', 'merck-co', 'ukrenergo']);
    expect(res.body.warnings).toEqual([expect.objectContaining({ field: 'objects[18].sighting_of_ref', rule: 'ignored' })]);

    const weapon = (await http.get('/v1/weapons/notpetya').set(admin).expect(200)).body;
    expect(weapon).toMatchObject({ name: 'NotPetya', characterised: false, aliases: ['ExPetr', 'Nyetya'], payload: 'wiper', stixId: 'malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', firstSeenAt: '2017-06-27T08:00:00.000Z' });
    expect((await http.get('/v1/entities/a-p-moller-maersk').set(admin).expect(200)).body).toMatchObject({ country: 'DK', sector: 'transportation-systems', stixId: 'identity--8c6af861-7b20-41ef-9b59-6344fd872a8f' });
    expect((await http.get('/v1/entities/merck-co').set(admin).expect(200)).body).toMatchObject({ country: 'US', sector: 'healthcare-and-public-health', protected: true });
    expect((await http.get('/v1/entities/ukrenergo').set(admin).expect(200)).body).toMatchObject({ country: 'UA', sector: 'energy' });

    const reports = (await http.get('/v1/reports?weaponId=notpetya').set(admin).expect(200)).body.items;
    const byEntity = Object.fromEntries(reports.map((r: any) => [r.entityId, r]));
    expect(byEntity['a-p-moller-maersk']).toMatchObject({
      organizationId: 'org-a', observedAt: '2017-06-27T10:15:00.000Z', hostsAffected: 4000, confidence: 85, tlp: 'green', status: 'confirmed', stixId: MAERSK_SIGHTING,
      externalReferences: [{ source_name: 'maersk-annual-report-2017', url: 'https://investor.maersk.com/' }],
    });
    // TLP 1.0 AMBER id maps to amber; custom properties carry what STIX has no property for
    expect(byEntity['merck-co']).toMatchObject({ tlp: 'amber', status: 'contained', lossUsd: { low: 670000000, high: 870000000 } });
    // two markings (TLP 2.0 RED, TLP 1.0 GREEN): the most restrictive wins; one sighting at two identities gives two reports
    expect(byEntity['ukrenergo']).toMatchObject({ tlp: 'red', hostsAffected: null });
    expect(byEntity['kyiv-boryspil-airport']).toMatchObject({ tlp: 'red' });
    expect(byEntity['ukrenergo'].stixId).not.toBe(byEntity['kyiv-boryspil-airport'].stixId);
    // the import is audited as the importing key
    const audit = (await http.get(`/v1/audit?targetType=report&targetId=${byEntity['merck-co'].id}`).set(admin).expect(200)).body.items;
    expect(audit).toEqual([expect.objectContaining({ action: 'import', organizationId: 'org-a' })]);
  });

  it('writes nothing when the same bundle is imported again, and supersedes a sighting whose facts changed', async () => {
    const again = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(fixture()).expect(201);
    expect(again.body).toMatchObject({ created: 0, unchanged: 4, weaponsCreated: [], entitiesCreated: [] });

    const changed = fixture();
    const s = changed.objects.find((o: any) => o.id === MAERSK_SIGHTING);
    Object.assign(s, { modified: '2017-07-10T00:00:00.000Z', count: 49000, x_spillover_status: 'remediated' });
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(changed).expect(201);
    expect(res.body).toMatchObject({ created: 1, superseded: 1, unchanged: 3 });
    const current = (await http.get(`/v1/reports/${res.body.ids[0]}`).set(admin).expect(200)).body;
    expect(current).toMatchObject({ hostsAffected: 49000, status: 'remediated', version: 2, stixId: MAERSK_SIGHTING, current: true });
    expect(current.chain).toHaveLength(2);
  });

  it('matches identities to stored entities by STIX id, then by name', async () => {
    await http.post('/v1/entities').set(admin).send({ id: 'cosco', name: 'COSCO Shipping Lines', country: 'US' }).expect(201);
    const bundle = fixture();
    bundle.id = 'bundle--11111111-2222-4333-8444-555555555555';
    const identity = bundle.objects.find((o: any) => o.name === 'Kyiv Boryspil Airport');
    identity.id = 'identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    identity.name = 'cosco shipping lines';
    for (const o of bundle.objects) {
      if (o.source_ref === 'identity--6a4e1c3b-2f4d-4e0a-9c1b-8d7e6f5a4b3c') o.source_ref = identity.id;
      if (o.where_sighted_refs) o.where_sighted_refs = o.where_sighted_refs.map((w: string) => (w === 'identity--6a4e1c3b-2f4d-4e0a-9c1b-8d7e6f5a4b3c' ? identity.id : w));
    }
    const res = await http.post('/v1/reports/stix').set(auth(keys.b.responder)).send(bundle).expect(201);
    expect(res.body.entitiesCreated).toEqual([]);
    // the sightings org-a filed are the same evidence: only the one at the new identity is filed
    expect(res.body).toMatchObject({ created: 1, unchanged: 3 });
    const reports = (await http.get('/v1/reports?weaponId=notpetya&organizationId=org-b').set(admin).expect(200)).body.items;
    expect(reports.map((r: any) => r.entityId).sort()).toEqual(['cosco']);
  });

  it('takes a TAXII envelope {more, objects} as the bundle of its objects', async () => {
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).set('Content-Type', 'application/taxii+json;version=2.1')
      .send(JSON.stringify({ more: false, objects: fixture().objects })).expect(201);
    expect(res.body).toMatchObject({ created: 0, unchanged: 4 });
  });

  it('one STIX object, one piece of evidence: another organisation re-importing an export writes nothing, nor versions what it did not create', async () => {
    const count = async () => (await http.get('/v1/reports?weaponId=notpetya&includeSuperseded=true&limit=200').set(admin).expect(200)).body.items.length;
    const before = await count();
    const exportOfA = (await http.get('/v1/reports/export/stix?weaponId=notpetya').set(auth(keys.a.responder)).expect(200)).body;
    const sightings = exportOfA.objects.filter((o: any) => o.type === 'sighting').length;
    for (const key of [keys.b.responder, keys.a.responder]) {
      const res = await http.post('/v1/reports/stix').set(auth(key)).send(exportOfA).expect(201);
      expect(res.body).toMatchObject({ created: 0, superseded: 0, unchanged: sightings, entitiesCreated: [], weaponsCreated: [] });
    }
    const newer = fixture();
    const s = newer.objects.find((o: any) => o.id === MAERSK_SIGHTING);
    Object.assign(s, { modified: '2030-01-01T00:00:00.000Z', count: 7 });
    const res = await http.post('/v1/reports/stix').set(auth(keys.b.responder)).send(newer).expect(201);
    expect(res.body.created).toBe(0);
    expect(res.body.warnings).toContainEqual(expect.objectContaining({ rule: 'notCreator', message: expect.stringContaining(MAERSK_SIGHTING) }));
    expect(await count()).toBe(before);
  });

  it('exports a valid STIX 2.1 bundle of what the reader may see, with TLP 2.0 markings', async () => {
    const res = await http.get('/v1/reports/export/stix?weaponId=notpetya').set(auth(keys.a.responder)).expect(200);
    exported = res.body;
    expect(validateBundle(exported, () => false).errors).toEqual([]);
    const types = exported.objects.map((o: any) => o.type);
    for (const t of ['marking-definition', 'malware', 'identity', 'location', 'relationship', 'sighting']) expect(types).toContain(t);
    const maersk = exported.objects.find((o: any) => o.type === 'sighting' && o.count === 49000);
    expect(maersk).toMatchObject({
      sighting_of_ref: 'malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', where_sighted_refs: ['identity--8c6af861-7b20-41ef-9b59-6344fd872a8f'],
      count: 49000, confidence: 85, first_seen: '2017-06-27T10:15:00.000Z', object_marking_refs: [TLP2_IDS.green], x_spillover_status: 'remediated',
    });
    expect(exported.objects.find((o: any) => o.id === TLP2_IDS.red)).toEqual({
      type: 'marking-definition', spec_version: '2.1', id: TLP2_IDS.red, created: '2022-10-01T00:00:00.000Z', name: 'TLP:RED',
      extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'red' } },
    });
    // org-a sees its own 4 chains (current versions only), not org-b's red one
    const sightings = exported.objects.filter((o: any) => o.type === 'sighting');
    expect(sightings).toHaveLength(4);
    expect(new Set(sightings.map((o: any) => o.id)).size).toBe(4);
    // a researcher of a third organisation sees only clear and green
    await http.post('/v1/organizations').set(admin).send({ id: 'org-c', name: 'C' }).expect(201);
    const researcherKey = (await http.post('/v1/api-keys').set(admin).send({ name: 'r', organizationId: 'org-c', role: 'researcher' }).expect(201)).body.secret;
    const researcher = (await http.get('/v1/reports/export/stix?weaponId=notpetya').set(auth(researcherKey)).expect(200)).body;
    const tlps = researcher.objects.filter((o: any) => o.type === 'sighting').map((o: any) => o.object_marking_refs[0]);
    expect(new Set(tlps)).toEqual(new Set([TLP2_IDS.green]));
    await http.get('/v1/reports/export/stix?weaponId=ghost').set(admin).expect(404);
    await http.get('/v1/reports/export/stix').set(admin).expect(400);
  });

  it('round-trips: the export imports into an empty instance and exports back with the same meaning and ids', async () => {
    const mine = { ...exported, objects: exported.objects.filter((o: any) => o.type !== 'sighting' || !o.where_sighted_refs.includes('identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee')) };
    await app.close();
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    const res = await http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(mine).expect(201);
    expect(res.body.created).toBe(mine.objects.filter((o: any) => o.type === 'sighting').length);
    const back = (await http.get('/v1/reports/export/stix?weaponId=notpetya').set(auth(keys.a.responder)).expect(200)).body;
    expect(facts(back)).toEqual(facts(mine));
    const strip = (b: any) => b.objects.map(({ created: _c, modified: _m, ...o }: any) => o).sort((x: any, y: any) => (x.id < y.id ? -1 : 1));
    expect(strip(back)).toEqual(strip(mine));
  });

  describe('invalid bundles: 400 naming the object and the property', () => {
    const post = (body: unknown) => http.post('/v1/reports/stix').set(auth(keys.a.responder)).send(body as object);

    it('refuses a body that is not a bundle', async () => {
      expect(rules((await post({ type: 'report', id: 'x', objects: 'none' }).expect(400)).body)).toEqual(['type:stixType', 'id:stixId', 'objects:isArray']);
      expect(rules((await post({ ...fixture(), spec_version: '2.0' }).expect(400)).body)).toEqual(['spec_version:specVersion']);
    });

    it('names each bad object by index and id, and the property', async () => {
      const b = fixture();
      delete b.objects[17].type;
      b.objects[3].id = 'identity--not-a-uuid';
      b.objects[4].spec_version = '3.0';
      b.objects[14].where_sighted_refs = ['identity--00000000-0000-4000-8000-000000000000'];
      b.objects[15].sighting_of_ref = 'relationship--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      b.objects[16].first_seen = '2017-06-27 09:00';
      b.objects[5].name = '';
      const before = (await http.get('/v1/reports?weaponId=notpetya&includeSuperseded=true').set(admin).expect(200)).body.items.length;
      const res = await post(b).expect(400);
      expect(rules(res.body)).toEqual([
        'objects[3].id:stixId',
        'objects[4].spec_version:specVersion',
        'objects[5].name:required',
        'objects[14].where_sighted_refs[0]:reference',
        'objects[15].sighting_of_ref:refType',
        'objects[16].first_seen:timestamp',
        'objects[17].type:required',
        'objects[18].sighting_of_ref:reference',
      ]);
      expect(res.body.details[3].message).toContain(MAERSK_SIGHTING);
      expect(res.body.details[3].message).toContain('dangling');
      // nothing was written
      expect((await http.get('/v1/reports?weaponId=notpetya&includeSuperseded=true').set(admin).expect(200)).body.items).toHaveLength(before);
    });

    it('refuses valid STIX it cannot map: a malware sighting without an identity (422)', async () => {
      const b = fixture();
      b.objects[14].where_sighted_refs = ['location--2d6a7f0e-93b1-4c1f-8f0c-1e4c9d5a2b11'];
      const res = await post(b).expect(422);
      expect(rules(res.body)).toEqual(['objects[14].where_sighted_refs:required']);
    });

    it('maps report rules back to the sighting property (future first_seen, bad custom status)', async () => {
      const b = fixture();
      b.objects[14].first_seen = new Date(Date.now() + 86_400_000).toISOString();
      b.objects[14].modified = b.objects[14].first_seen;
      delete b.objects[14].last_seen;
      // a newer version of a stored sighting: checked as it would be filed
      b.objects[15].modified = '2025-01-01T00:00:00.000Z';
      b.objects[15].x_spillover_status = 'exploded';
      const res = await post(b).expect(400);
      expect(rules(res.body)).toEqual(['objects[14].first_seen:notFuture', 'objects[15].x_spillover_status:isIn']);
    });
  });

  it('is idempotent under an Idempotency-Key and closed to readers', async () => {
    const b = fixture();
    b.objects[14].count = 1;
    b.objects[14].modified = '2017-08-01T00:00:00.000Z';
    const key = { ...auth(keys.a.responder), 'Idempotency-Key': 'stix-1' };
    const first = await http.post('/v1/reports/stix').set(key).send(b).expect(201);
    const again = await http.post('/v1/reports/stix').set(key).send(b).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    await http.post('/v1/reports/stix').set(auth(keys.a.researcher)).send(b).expect(403);
    await http.post('/v1/reports/stix').set(auth(keys.a.analyst)).send(b).expect(403);
  });
});
