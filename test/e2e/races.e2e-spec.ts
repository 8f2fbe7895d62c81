/**
 * Concurrent requests over real connections on the database DATABASE_URL names (the races are
 * PostgreSQL's: SQLite runs one transaction at a time, where the same answers must hold): a taken
 * id is a 409 for every loser, never a 500 or an overwrite, and concurrent reports naming one new
 * inline entity are all accepted with the entity created once.
 */
import { INestApplication } from '@nestjs/common';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

const CONCURRENT = 10;
const ROUNDS = 5;
const range = (low: number, high: number) => ({ low, high });
const weapon = (id: string, name: string) => ({
  id,
  name,
  payload: 'wiper',
  vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
  impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
});

describe('races', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    // A listening server: each request its own connection, as concurrent clients would be.
    await app.listen(0);
    http = request(await app.getUrl());
  });
  afterAll(() => app.close());

  /** Sends `CONCURRENT` requests at once; returns the statuses and the bodies. */
  const together = (send: (i: number) => Promise<{ status: number; body: any }>) => Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i)));

  it.each([
    ['weapons', (id: string, i: number) => ({ path: '/v1/weapons', body: weapon(id, `Weapon ${i}`), read: `/v1/weapons/${id}` })],
    ['organizations', (id: string, i: number) => ({ path: '/v1/organizations', body: { id, name: `Organisation ${i}` }, read: '/v1/organizations' })],
    ['entities', (id: string, i: number) => ({ path: '/v1/entities', body: { id, name: `Entity ${i}`, kind: 'organization', country: 'UA' }, read: `/v1/entities/${id}` })],
  ])('%s: one id sent ten times at once: one 201, every other answer 409, the winner stored unchanged', async (kind, make) => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = `${kind}-race-${round}`;
      const answers = await together((i) => {
        const { path, body } = make(id, i);
        return http.post(path).set(admin).send(body).then((r) => ({ status: r.status, body: r.body }));
      });
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, ...Array(CONCURRENT - 1).fill(409)]);
      for (const lost of answers.filter((a) => a.status === 409)) expect(lost.body.details[0]).toMatchObject({ field: 'id', rule: 'unique' });
      const winner = answers.find((a) => a.status === 201)!.body;
      const { read } = make(id, 0);
      const stored = (await http.get(read).set(admin).expect(200)).body;
      const found = Array.isArray(stored) ? stored.find((o: any) => o.id === id) : stored;
      expect(found.name).toBe(winner.name);
      const audit = (await http.get(`/v1/audit?targetId=${id}`).set(admin).expect(200)).body.items;
      expect(audit.filter((e: any) => e.action === 'create')).toHaveLength(1);
    }
  });

  it('ten concurrent reports naming one new inline entity: all accepted, the entity created once', async () => {
    await http.post('/v1/weapons').set(admin).send(weapon('shared-weapon', 'Shared')).expect(201);
    for (let round = 0; round < ROUNDS; round++) {
      const entityId = `inline-${round}`;
      const answers = await together((i) =>
        http.post('/v1/reports').set(auth(i % 2 ? keys.a.responder : keys.b.responder))
          .send({
            weaponId: 'shared-weapon', entityId, status: 'confirmed', tlp: 'GREEN',
            observedAt: new Date(Date.UTC(2017, 5, 27, 10, i)).toISOString(),
            entity: { id: entityId, name: `Inline ${round}`, kind: 'organization', country: 'UA' },
          })
          .then((r) => ({ status: r.status, body: r.body })),
      );
      expect(answers.map((a) => a.status === 201 ? 201 : JSON.stringify(a.body))).toEqual(Array(CONCURRENT).fill(201));
      await http.get(`/v1/entities/${entityId}`).set(admin).expect(200);
      const created = (await http.get(`/v1/audit?targetType=entity&targetId=${entityId}`).set(admin).expect(200)).body.items;
      expect(created.filter((e: any) => e.action === 'create')).toHaveLength(1);
      const reports = (await http.get(`/v1/reports?entityId=${entityId}&limit=100`).set(admin).expect(200)).body.items;
      expect(reports).toHaveLength(CONCURRENT);
    }
  });

  it('forty concurrent reports, twenty Idempotency-Keys each sent twice, one refused: each key writes once and its twin replays it; the refused one fails alone', async () => {
    await http.post('/v1/weapons').set(admin).send(weapon('keyed-weapon', 'Keyed')).expect(201);
    await http.post('/v1/entities').set(admin).send({ id: 'keyed-site', name: 'Keyed site', kind: 'organization', country: 'UA' }).expect(201);
    const body = (k: number) => ({
      weaponId: 'keyed-weapon', entityId: k === 7 ? 'ghost-site' : 'keyed-site', status: 'confirmed', tlp: 'GREEN', hostsAffected: k,
      observedAt: new Date(Date.UTC(2017, 5, 27, 10, k)).toISOString(),
    });
    const sent = Array.from({ length: 40 }, (_, i) => i % 20);
    const answers = await Promise.all(sent.map((k) =>
      http.post('/v1/reports').set({ ...auth(keys.a.responder), 'Idempotency-Key': `keyed-${k}` }).send(body(k))
        .then((r) => ({ k, status: r.status, body: r.body, replayed: r.headers['idempotent-replayed'] === 'true' })),
    ));
    for (let k = 0; k < 20; k++) {
      const twins = answers.filter((a) => a.k === k);
      if (k === 7) {
        expect(twins.map((a) => a.status)).toEqual([422, 422]);
        continue;
      }
      expect(twins.map((a) => a.status)).toEqual([201, 201]);
      expect(twins[0].body).toEqual(twins[1].body);
      expect(twins.map((a) => a.replayed).sort()).toEqual([false, true]);
      expect(twins[0].body.hostsAffected).toBe(k);
    }
    const stored = (await http.get('/v1/reports?entityId=keyed-site&limit=100').set(admin).expect(200)).body.items;
    expect(stored.map((r: any) => r.hostsAffected).sort((a: number, b: number) => a - b)).toEqual([...Array(20).keys()].filter((k) => k !== 7));
  });
});
