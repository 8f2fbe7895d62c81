/**
 * GET /v1/assessments/:id/counterfactual on the real engine: a small graph where the weapon
 * reaches protected hospitals; honouring 13(f) spares them, an identical variant avoids nothing
 * and its baseline is the assessment's headline, bad input names the field and the rule. It is
 * computed as a job off the request thread: 202 with Location while it runs, /health answers
 * meanwhile.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import { Dependency } from '../../src/graph/dependency.entity';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { Weapon } from '../../src/weapons/weapon.entity';
import { CounterfactualsService } from '../../src/decisions/counterfactuals.service';
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

  /** Asks until the counterfactual is done (202 while it runs, Location pointing back at it). */
  const cf = async (q: string, key = keys.a.analyst, status = 200) => {
    let url = `/v1/assessments/${id}/counterfactual${q ? `?${q}` : ''}`;
    for (let i = 0; i < 3000; i++) {
      const res = await http.get(url).set(auth(key));
      if (res.status !== 202) {
        expect(res.status).toBe(status);
        return res.body;
      }
      expect(res.body.status).toMatch(/^(queued|running)$/);
      expect(res.headers['retry-after']).toBe('2');
      url = res.headers.location;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('counterfactual did not finish');
  };

  it('honouring 13(f) leaves no protected hit and a non-negative avoided collateral loss, paired over the assessment\'s runs', async () => {
    const body = await cf('honour=13(f)', keys.b.researcher);
    expect(body.runs).toBe(200);
    expect(body.counterfactual.protectedHits).toMatchObject({ mean: 0, low: 0, high: 0 });
    expect(body.baseline.protectedHits.high).toBeGreaterThan(0);
    expect(body.avoided.protectedHits.mean).toBeGreaterThan(0);
    expect(body.avoided.collateralLossUsd.low).toBeGreaterThanOrEqual(0);
    expect(body.avoided.collateralLossUsd.mean).toBeGreaterThan(0);
  });

  it('a variant that changes nothing avoids exactly 0', async () => {
    const body = await cf('');
    for (const r of Object.values(body.avoided) as any[]) expect(r).toMatchObject({ mean: 0, median: 0, low: 0, high: 0 });
    // the baseline is the assessment's headline (its runs recomputed and checked run by run)
    const headline = (await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body.result;
    const h = headline.collateral.lossUsd.total;
    expect([body.baseline.collateralLossUsd.low, body.baseline.collateralLossUsd.median, body.baseline.collateralLossUsd.high]).toEqual([h.low, h.median, h.high]);
    expect(body.baseline.collateralLossUsd.mean).toBeCloseTo(h.mean, 4);
    expect(body.baseline.collateralInfected).toMatchObject({ low: headline.collateral.entitiesInfected.low, high: headline.collateral.entitiesInfected.high });
  });

  it('an earlier kill switch, a cut kind and patched entities avoid damage too', async () => {
    for (const q of ['killSwitchAt=2017-06-27T20:00:00Z', 'cut=network', 'patch=e1,e59&patchedBy=2017-06-27T09:00:00Z', 'spareSectors=information-technology']) {
      const body = await cf(q);
      expect(body.avoided.infected.low).toBeGreaterThanOrEqual(0);
      expect(body.avoided.infected.mean).toBeGreaterThan(0);
    }
  });

  it('answers bad input with the field and the rule', async () => {
    const field = async (q: string) => (await cf(q, keys.a.analyst, 400)).details.map((d: any) => `${d.field}:${d.rule}`);
    expect(await field('honour=13(x)')).toEqual(['honour:isIn']);
    expect(await field('patch=e1')).toEqual(['patchedBy:isDateTime']);
    expect(await field('patch=nope&patchedBy=2017-06-27T09:00:00Z')).toEqual(['patch:exists']);
    expect(await field('cut=carrier-pigeon')).toEqual(['cut:isIn']);
    await http.get(`/v1/assessments/${id}/counterfactual`).set(auth(keys.a.responder)).expect(403);
  });

  it('computes off the request thread: 202 with Location at once, /health answers while it runs', async () => {
    const service = app.get(CounterfactualsService);
    service.waitMs = 0;
    try {
      const url = `/v1/assessments/${id}/counterfactual?containWithinHours=30&maxRuns=200`;
      const first = await http.get(url).set(auth(keys.a.analyst)).expect(202);
      expect(first.headers.location).toBe(url);
      const lat: number[] = [];
      let running = 0;
      for (;;) {
        const t0 = performance.now();
        await http.get('/health').expect(200);
        lat.push(performance.now() - t0);
        const s = await http.get(url).set(auth(keys.a.analyst));
        if (s.status === 200) break;
        expect(s.status).toBe(202);
        if (s.body.status === 'running') running++;
        await new Promise((r) => setTimeout(r, 20));
      }
      // /health answered while the job ran, each time well within what a probe allows
      expect(running).toBeGreaterThan(0);
      expect(Math.max(...lat)).toBeLessThan(1000);
      console.log(`counterfactual: /health answered ${lat.length} times while it ran, max ${Math.max(...lat).toFixed(0)} ms, median ${lat.sort((a, b) => a - b)[lat.length >> 1].toFixed(0)} ms`);
    } finally {
      service.waitMs = 1500;
    }
  });
});
