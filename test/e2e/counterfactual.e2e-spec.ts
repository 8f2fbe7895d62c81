/**
 * GET /v1/assessments/:id/counterfactual on the real engine: a small graph where the weapon
 * reaches protected hospitals; honouring 13(f) spares them, an identical variant avoids nothing,
 * bad input names the field and the rule.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import { Dependency } from '../../src/graph/dependency.entity';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { Weapon } from '../../src/weapons/weapon.entity';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

describe('counterfactuals (real engine)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let id: string;

  beforeAll(async () => {
    app = await createTestApp();
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    const ds = app.get(DataSource);
    // 60 entities on a ring with chords; every 4th a protected hospital, the first ten intended (UA)
    const n = 60;
    await ds.getRepository(EntityNode).save(Array.from({ length: n }, (_, i) => ({
      id: `e${i}`, name: `Entity ${i}`, kind: 'organization', parentId: null, country: i < 10 ? 'UA' : 'DE',
      sector: i % 4 === 3 ? 'healthcare-and-public-health' : 'information-technology', hosts: 100, dailyValueUsd: 50_000,
      populationServed: 1000, tags: [], protected: i % 4 === 3, stixId: null,
    })));
    const deps = [];
    for (let i = 0; i < n; i++) {
      deps.push({ sourceId: `e${i}`, targetId: `e${(i + 1) % n}`, kind: 'network' as const, weight: 1, bidirectional: true });
      deps.push({ sourceId: `e${i}`, targetId: `e${(i * 7 + 3) % n}`, kind: 'network' as const, weight: 0.8, bidirectional: true });
    }
    await ds.getRepository(Dependency).save(deps);
    await ds.getRepository(Weapon).save({
      id: 'cfw', name: 'Counterfactual test weapon', aliases: [], payload: 'wiper', requiredTags: [], targeting: { countries: ['UA'] },
      vectors: { network: { transmissibility: { low: 0.4, high: 0.8 }, delayHours: { low: 2, high: 24 } } },
      impact: { hostShare: { low: 0.2, high: 0.8 }, costPerHostUsd: { low: 300, high: 3000 }, downtimeDays: { low: 1, high: 10 } },
      containmentHours: null, killSwitchAt: null, firstSeenAt: null, characterised: true, stixId: null,
    });
    app.get(EvidenceSource).evidenceWithin = async (_m, weaponId, asOf) =>
      [{ id: 'r0', weaponId: 'cfw', entityId: 'e0', observedAt: '2017-06-27T08:00:00.000Z', status: 'confirmed' as const, tlp: 'green' as const, organizationId: 'org-a' }].filter((r) => r.weaponId === weaponId && r.observedAt <= asOf);
    id = (await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'cfw', asOf: '2017-06-28T00:00:00Z', horizonHours: 240, runs: 200, seed: 5 }).expect(202)).body.id;
    for (let i = 0; i < 600; i++) {
      const s = (await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body;
      if (s.status === 'done') return;
      if (s.status === 'failed') throw new Error(JSON.stringify(s.error));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('assessment did not finish');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('honouring 13(f) leaves no protected hit and a non-negative avoided collateral loss, paired over the assessment\'s runs', async () => {
    const body = (await http.get(`/v1/assessments/${id}/counterfactual?honour=13(f)`).set(auth(keys.b.researcher)).expect(200)).body;
    expect(body.runs).toBe(200);
    expect(body.counterfactual.protectedHits).toMatchObject({ mean: 0, low: 0, high: 0 });
    expect(body.baseline.protectedHits.high).toBeGreaterThan(0);
    expect(body.avoided.protectedHits.mean).toBeGreaterThan(0);
    expect(body.avoided.collateralLossUsd.low).toBeGreaterThanOrEqual(0);
    expect(body.avoided.collateralLossUsd.mean).toBeGreaterThan(0);
  });

  it('a variant that changes nothing avoids exactly 0', async () => {
    const body = (await http.get(`/v1/assessments/${id}/counterfactual`).set(auth(keys.a.analyst)).expect(200)).body;
    for (const r of Object.values(body.avoided) as any[]) expect(r).toMatchObject({ mean: 0, median: 0, low: 0, high: 0 });
  });

  it('an earlier kill switch, a cut kind and patched entities avoid damage too', async () => {
    for (const q of ['killSwitchAt=2017-06-27T20:00:00Z', 'cut=network', 'patch=e1,e59&patchedBy=2017-06-27T09:00:00Z', 'spareSectors=information-technology']) {
      const body = (await http.get(`/v1/assessments/${id}/counterfactual?${q}`).set(auth(keys.a.analyst)).expect(200)).body;
      expect(body.avoided.infected.low).toBeGreaterThanOrEqual(0);
      expect(body.avoided.infected.mean).toBeGreaterThan(0);
    }
  });

  it('answers bad input with the field and the rule', async () => {
    const field = async (q: string) => (await http.get(`/v1/assessments/${id}/counterfactual?${q}`).set(auth(keys.a.analyst)).expect(400)).body.details.map((d: any) => `${d.field}:${d.rule}`);
    expect(await field('honour=13(x)')).toEqual(['honour:isIn']);
    expect(await field('patch=e1')).toEqual(['patchedBy:isIso8601']);
    expect(await field('patch=nope&patchedBy=2017-06-27T09:00:00Z')).toEqual(['patch:exists']);
    expect(await field('cut=carrier-pigeon')).toEqual(['cut:isIn']);
    await http.get(`/v1/assessments/${id}/counterfactual`).set(auth(keys.a.responder)).expect(403);
  });
});
