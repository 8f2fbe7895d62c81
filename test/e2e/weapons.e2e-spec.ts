import { INestApplication } from '@nestjs/common';
import { DatabaseService } from '../../src/database/database.service';
import { WeaponsService } from '../../src/weapons/weapons.service';
import { EntitiesService } from '../../src/graph/entities.service';
import { intendedTargets } from '../../src/weapons/targeting';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

const range = (low: number, high: number) => ({ low, high });

export const notPetyaLike = () => ({
  id: 'notpetya',
  name: 'NotPetya',
  aliases: ['ExPetr', 'Nyetya'],
  payload: 'wiper',
  vectors: {
    'supply-chain': { transmissibility: range(0.6, 0.95), delayHours: range(0.5, 6) },
    network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) },
    'corporate-wan': { transmissibility: range(0.1, 0.5), delayHours: range(0.5, 12) },
  },
  requiredTags: ['windows'],
  targeting: { countries: ['UA'] },
  impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21), inoperability: range(0.4, 1) },
  containmentHours: range(4, 48),
  firstSeenAt: '2017-06-27T08:00:00Z',
});

describe('weapons', () => {
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

  it('creates, reads, lists and patches a weapon', async () => {
    const created = await http.post('/v1/weapons').set(admin).send(notPetyaLike()).expect(201);
    expect(created.body).toMatchObject({ id: 'notpetya', characterised: true, killSwitchAt: null, targeting: { countries: ['UA'] }, vectors: notPetyaLike().vectors });
    expect(created.body.firstSeenAt).toBe('2017-06-27T08:00:00.000Z');
    const got = await http.get('/v1/weapons/notpetya').set(auth(keys.a.researcher)).expect(200);
    expect(got.body).toEqual(created.body);
    await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'wannacry', name: 'WannaCry', aliases: ['WCry'], killSwitchAt: '2017-05-12T15:03:00Z', firstSeenAt: '2017-05-12T07:44:00Z' }).expect(201);
    const page1 = await http.get('/v1/weapons?limit=1').set(admin).expect(200);
    expect(page1.body.items.map((w: any) => w.id)).toEqual(['notpetya']);
    const page2 = await http.get(`/v1/weapons?limit=1&cursor=${page1.body.nextCursor}`).set(admin).expect(200);
    expect(page2.body).toMatchObject({ items: [{ id: 'wannacry' }], nextCursor: null });
    expect((await http.get('/v1/weapons?q=wcry').set(admin).expect(200)).body.items.map((w: any) => w.id)).toEqual(['wannacry']);

    const patched = await http.patch('/v1/weapons/notpetya').set(admin).send({ killSwitchAt: null, targeting: { countries: ['UA', 'uk'] }, requiredTags: ['windows', 'medoc'] }).expect(200);
    expect(patched.body).toMatchObject({ targeting: { countries: ['UA', 'GB'] }, requiredTags: ['windows', 'medoc'], vectors: notPetyaLike().vectors });
    await http.patch('/v1/weapons/ghost').set(admin).send({ name: 'x' }).expect(404);
    const id = await http.patch('/v1/weapons/notpetya').set(admin).send({ id: 'x' }).expect(400);
    expect(id.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['id:unknownProperty']);
    const nulls = await http.patch('/v1/weapons/notpetya').set(admin).send({ vectors: null, name: null }).expect(400);
    expect(nulls.body.details.map((d: any) => `${d.field}:${d.rule}`).sort()).toEqual(['name:notNull', 'vectors:notNull']);
    await http.post('/v1/weapons').set(admin).send(notPetyaLike()).expect(409);
  });

  it('names every broken nested rule, including low <= high, with dotted field paths', async () => {
    const bad = {
      ...notPetyaLike(),
      id: 'bad',
      payload: 'nuke',
      vectors: {
        network: { transmissibility: range(0.8, 0.2), delayHours: range(-1, 2) },
        email: { transmissibility: range(0, 1.5) },
        teleport: { transmissibility: range(0.1, 0.2), delayHours: range(1, 2) },
      },
      targeting: { countries: ['ZZ', 'UK'], sectors: ['outer-space'], entityIds: ['Not A Slug'] },
      impact: { hostShare: range(0.5, 0.4), costPerHostUsd: range(10, 5) },
      killSwitchAt: 'yesterday',
    };
    const res = await http.post('/v1/weapons').set(admin).send(bad).expect(400);
    const pairs = res.body.details.map((d: any) => `${d.field}:${d.rule}`);
    expect(pairs).toEqual(expect.arrayContaining([
      'payload:isIn',
      'vectors.network.transmissibility.high:order',
      'vectors.network.delayHours.low:min',
      'vectors.email.transmissibility.low:exclusiveMin',
      'vectors.email.transmissibility.high:max',
      'vectors.email.delayHours:isDefined',
      'vectors.teleport:unknownProperty',
      'targeting.countries:isoCountry',
      'targeting.sectors:isIn',
      'targeting.entityIds:matches',
      'impact.hostShare.high:order',
      'impact.costPerHostUsd.high:order',
      'impact.downtimeDays:isDefined',
      'killSwitchAt:isDateTime',
    ]));
    const empty = await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'empty', vectors: {} }).expect(400);
    expect(empty.body.details).toEqual([expect.objectContaining({ field: 'vectors', rule: 'minProperties' })]);
    const order = await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'order', firstSeenAt: '2017-06-27T08:00:00Z', killSwitchAt: '2017-06-01T00:00:00Z' }).expect(400);
    expect(order.body.details).toEqual([expect.objectContaining({ field: 'killSwitchAt', rule: 'notBeforeFirstSeen' })]);
  });

  it('a weapon whose id holds ":" can be created and is accepted for assessment (one slug rule for both routes)', async () => {
    await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'vendor:apt-x', name: 'APT X' }).expect(201);
    // The id passes the request's rules and the weapon is found: what stops it is the missing evidence (no reports filed).
    const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'vendor:apt-x', runs: 10, seed: 1 }).expect(422);
    expect(res.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['weaponId:hasReports']);
    const bad = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'Vendor APT', runs: 10 }).expect(400);
    expect(bad.body.details.map((d: any) => d.field)).toEqual(['weaponId']);
  });

  it('refuses weapon writes to non-admins and lets every role read', async () => {
    for (const role of ['responder', 'analyst', 'researcher'] as const) {
      await http.post('/v1/weapons').set(auth(keys.b[role])).send(notPetyaLike()).expect(403);
      await http.patch('/v1/weapons/notpetya').set(auth(keys.b[role])).send({ name: 'x' }).expect(403);
      await http.get('/v1/weapons').set(auth(keys.b[role])).expect(200);
      await http.get('/v1/weapons/notpetya/targets').set(auth(keys.b[role])).expect(200);
    }
  });

  it('resolves targeting to entities: listed ids plus every selector matched, paginated', async () => {
    const entities = [
      { id: 'natanz', name: 'Natanz', country: 'IR', sector: 'nuclear', tags: ['step7'] },
      { id: 'natanz-fep', name: 'Natanz FEP', kind: 'facility', parentId: 'natanz', country: 'IR', sector: 'nuclear', tags: ['step7', 's7-315'] },
      { id: 'natanz-fep-hall-a', name: 'Hall A', kind: 'site', parentId: 'natanz-fep', country: 'IR', sector: 'nuclear' },
      { id: 'bushehr', name: 'Bushehr', country: 'IR', sector: 'nuclear', tags: ['step7'] },
      { id: 'tehran-water', name: 'Tehran water', country: 'IR', sector: 'water-and-wastewater', tags: ['step7'] },
      { id: 'siemens-de', name: 'Siemens customer', country: 'DE', sector: 'critical-manufacturing', tags: ['step7'] },
      { id: 'indian-plant', name: 'Indian plant', country: 'IN', sector: 'nuclear', tags: ['windows'] },
    ];
    await http.post('/v1/entities/bulk').set(admin).send(entities).expect(201);
    const targeting = { entityIds: ['natanz', 'indian-plant'], countries: ['IR'], sectors: ['nuclear'], tags: ['step7'] };
    await http.post('/v1/weapons').set(admin).send({ ...notPetyaLike(), id: 'stuxnet', name: 'Stuxnet', payload: 'sabotage', targeting }).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await http.get(`/v1/weapons/stuxnet/targets?limit=2${cursor ? `&cursor=${cursor}` : ''}`).set(admin).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((e: any) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    // natanz-fep-hall-a: no tag, not listed; tehran-water: wrong sector; siemens-de: wrong country.
    expect(seen).toEqual(['bushehr', 'indian-plant', 'natanz', 'natanz-fep']);
    // The pure function the assessments use gives the same set.
    const all = (await http.get('/v1/entities?limit=1000').set(admin).expect(200)).body.items;
    expect([...intendedTargets(all, targeting)].sort()).toEqual(seen);
    await http.get('/v1/weapons/ghost/targets').set(admin).expect(404);
  });

  it('exposes createWithin and findOrCreateWithin for other features, inside their transaction', async () => {
    const db = app.get(DatabaseService);
    const weapons = app.get(WeaponsService);
    const entities = app.get(EntitiesService);
    const stub = { id: 'new-family', name: 'New family', stixId: 'malware--0a1b2c3d-0000-4000-8000-000000000001' };
    const first = await db.write((m) => weapons.findOrCreateWithin(m, stub, null));
    expect(first.created).toBe(true);
    expect(first.weapon).toMatchObject({ characterised: false, payload: 'espionage' });
    const again = await db.write((m) => weapons.findOrCreateWithin(m, { ...stub, id: 'other-id' }, null));
    expect(again).toMatchObject({ created: false, weapon: { id: 'new-family' } });
    // A failure later in the same transaction leaves nothing behind.
    await expect(
      db.write(async (m) => {
        await weapons.createWithin(m, { ...notPetyaLike(), id: 'rolled-back' }, null);
        await entities.createWithin(m, [{ id: 'rolled-back-entity', name: 'x' }], null);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await http.get('/v1/weapons/rolled-back').set(admin).expect(404);
    await http.get('/v1/entities/rolled-back-entity').set(admin).expect(404);
    const inline = await db.write((m) => entities.findOrCreateWithin(m, { id: 'inline-org', name: 'Inline org', country: 'UK' }, null));
    expect(inline).toMatchObject({ created: true, entity: { id: 'inline-org', country: 'GB' } });
  });
});
