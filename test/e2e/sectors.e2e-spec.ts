import { INestApplication } from '@nestjs/common';
import { ADMIN_KEY, auth, createTestApp, request } from './support/app';

describe('sector aliases: STIX industry-sector-ov and NIS2 values are stored as the CISA sector', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it.each([
    ['transportation', 'transportation-systems'],
    ['transport', 'transportation-systems'],
    ['healthcare', 'healthcare-and-public-health'],
    ['drinking-water', 'water-and-wastewater'],
    ['government-emergency-services', 'emergency-services'],
    ['Energy', 'energy'],
  ])('an entity filed with sector %s is stored as %s', async (alias, cisa) => {
    const id = `e-${alias.toLowerCase()}`;
    expect((await http.post('/v1/entities').set(admin).send({ id, name: id, sector: alias }).expect(201)).body.sector).toBe(cisa);
    expect((await http.get(`/v1/entities/${id}`).set(admin).expect(200)).body.sector).toBe(cisa);
    expect((await http.get(`/v1/entities?sector=${alias}`).set(admin).expect(200)).body.items.map((e: any) => e.id)).toContain(id);
  });

  it('refuses an unknown or ambiguous sector with 400 naming the field', async () => {
    for (const sector of ['outer-space', 'infrastructure']) {
      const res = await http.post('/v1/entities').set(admin).send({ id: 'x', name: 'x', sector }).expect(400);
      expect(res.body.details).toContainEqual(expect.objectContaining({ field: 'sector', rule: 'isIn' }));
    }
  });

  it('weapon targeting takes the aliases too', async () => {
    const range = (low: number, high: number) => ({ low, high });
    const weapon = {
      id: 'sector-test', name: 'Sector test', payload: 'wiper', vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
      targeting: { sectors: ['transportation', 'banking'] },
      impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21), inoperability: range(0.4, 1) },
      containmentHours: range(4, 48),
    };
    const res = await http.post('/v1/weapons').set(admin).send(weapon).expect(201);
    expect(res.body.targeting.sectors).toEqual(['transportation-systems', 'financial-services']);
  });
});
