import { INestApplication } from '@nestjs/common';
import { ADMIN_KEY, auth, createTestApp, request } from './support/app';

describe('demo scenario on a first start', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp({ demoScenario: true });
  });
  afterAll(() => app.close());

  it('loads NotPetya into the empty database and computes a seeded demo assessment of it', async () => {
    const http = request(app.getHttpServer());
    const entities = await http.get('/v1/entities?q=Maersk&limit=5').set(auth(ADMIN_KEY)).expect(200);
    expect(entities.body.items.map((e: any) => e.id)).toContain('maersk');

    const list = await http.get('/v1/assessments').set(auth(ADMIN_KEY)).expect(200);
    expect(list.body.items).toHaveLength(1);
    const demo = list.body.items[0];
    expect(demo).toMatchObject({ weaponId: 'notpetya', inputs: { seed: 2017, runs: 2000, asOf: '2017-06-28T12:00:00.000Z', model: 'sir' } });

    let view: any;
    const deadline = Date.now() + 600_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      view = (await http.get(`/v1/assessments/${demo.id}`).set(auth(ADMIN_KEY)).expect(200)).body;
    } while (!['done', 'failed'].includes(view.status) && Date.now() < deadline);
    expect(view.status).toBe('done');
    const infected = view.result.total.entitiesInfected;
    expect(infected.low).toBeLessThanOrEqual(infected.median);
    expect(infected.median).toBeLessThanOrEqual(infected.high);
    // The reported entities are infected in every run, so the estimate cannot be below them.
    expect(infected.low).toBeGreaterThanOrEqual(view.reportsUsed > 0 ? 1 : 0);
  }, 600_000);
});
