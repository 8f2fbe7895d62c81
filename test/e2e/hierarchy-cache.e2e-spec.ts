/**
 * GET /v1/hierarchy is cached per `levels` and rebuilt when the entities change, whichever path
 * changed them (API create, bulk, update, delete, an inline entity of a report).
 */
import { INestApplication } from '@nestjs/common';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

describe('hierarchy cache', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const tree = async (q = '') => (await http.get(`/v1/hierarchy${q}`).set(auth(keys.b.analyst)).expect(200)).body;
  const country = (root: any, key: string) => root.children.find((c: any) => c.key === key);

  beforeAll(async () => {
    app = await createTestApp();
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers levels= with the world alone, an unknown level with 400', async () => {
    await http.post('/v1/entities').set(auth(keys.admin)).send({ id: 'e1', name: 'E1', country: 'UA', sector: 'energy', hosts: 10 }).expect(201);
    expect(await tree('?levels=')).toEqual({ id: 'world', level: 'world', key: 'world', name: 'world', count: 1, sums: { hosts: 10, dailyValueUsd: 0, populationServed: 0 } });
    const bad = (await http.get('/v1/hierarchy?levels=planet').set(auth(keys.b.analyst)).expect(400)).body;
    expect(bad.details[0]).toMatchObject({ field: 'levels', rule: 'isIn' });
  });

  it('is rebuilt after every kind of write', async () => {
    expect(country(await tree(), 'UA').count).toBe(1);
    await http.post('/v1/entities/bulk').set(auth(keys.admin)).send([{ id: 'e2', name: 'E2', country: 'UA', hosts: 5 }]).expect(201);
    expect(country(await tree(), 'UA')).toMatchObject({ count: 2, sums: { hosts: 15 } });
    await http.patch('/v1/entities/e2').set(auth(keys.admin)).send({ hosts: 7 }).expect(200);
    expect(country(await tree(), 'UA').sums.hosts).toBe(17);
    await http.patch('/v1/entities/e2').set(auth(keys.admin)).send({ country: 'DE' }).expect(200);
    expect(country(await tree(), 'DE').count).toBe(1);
    await http.delete('/v1/entities/e2').set(auth(keys.admin)).expect(200);
    expect(country(await tree(), 'DE')).toBeUndefined();
    // An inline entity of a GREEN report joins the shared tree; one of a RED report does not.
    await http.post('/v1/weapons').set(auth(keys.admin)).send({
      id: 'w', name: 'W', payload: 'wiper', vectors: { network: { transmissibility: { low: 0.1, high: 0.2 }, delayHours: { low: 1, high: 2 } } },
      impact: { hostShare: { low: 0.1, high: 0.2 }, costPerHostUsd: { low: 1, high: 2 }, downtimeDays: { low: 1, high: 2 } },
    }).expect(201);
    const filed = (tlp: string, id: string) => ({ weaponId: 'w', entityId: id, observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', tlp, entity: { id, name: id, country: 'GB' } });
    await http.post('/v1/reports').set(auth(keys.a.responder)).send(filed('green', 'gb-open')).expect(201);
    await http.post('/v1/reports').set(auth(keys.a.responder)).send(filed('red', 'gb-secret')).expect(201);
    expect(country(await tree(), 'GB').count).toBe(1);
    expect(JSON.stringify(await tree())).not.toContain('gb-secret');
  });
});
