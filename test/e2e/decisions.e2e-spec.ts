/**
 * The decision routes on a scripted engine whose run table is known: exceedance (JSON and CSV,
 * "about 1 in N"), the asOf series of a weapon's assessments, their roles and their errors.
 */
import { INestApplication } from '@nestjs/common';
import type { EngineOutput } from '../../src/assessments/result-types';
import type { ScenarioSnapshot } from '../../src/assessments/scenario-snapshot';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

jest.setTimeout(60_000);

/** Ten runs of equal weight: collateral loss 1..10 $bn, total loss 2..20 $bn. */
class LossEngine extends ScriptedEngine {
  output(s: ScenarioSnapshot): EngineOutput {
    const out = super.output(s);
    out.runs = {
      columns: ['run', 'weight', 'collateral.lossTotal', 'total.lossTotal'],
      rows: Array.from({ length: 10 }, (_, i) => [i, 0.1, (i + 1) * 1e9, (i + 1) * 2e9]),
    };
    return out;
  }
}

describe('decisions: exceedance and the asOf series', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const ids: string[] = [];

  const finish = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      if ((await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body.status === 'done') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`assessment ${id} did not finish`);
  };

  beforeAll(async () => {
    const engine = new LossEngine();
    engine.durationMs = 50;
    app = await createScriptedApp(engine);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    // created newest-asOf first, so the series must sort by asOf, not by creation
    for (const asOf of ['2017-06-29T00:00:00Z', '2017-06-27T12:00:00Z', '2017-06-28T00:00:00Z']) {
      const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf, runs: 10, horizonHours: 72 }).expect(202);
      ids.push(res.body.id);
      await finish(res.body.id);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives P(loss > x) of collateral and total loss with a band, and says a threshold as about 1 in N', async () => {
    const body = (await http.get(`/v1/assessments/${ids[0]}/exceedance?thresholdUsd=9000000000`).set(auth(keys.b.researcher)).expect(200)).body;
    expect(body.curves.map((c: any) => c.part)).toEqual(['collateral', 'total']);
    const [collateral, total] = body.curves;
    expect(collateral.effectiveSampleSize).toBeCloseTo(10, 8);
    const at = (c: any, x: number) => c.points.find((p: any) => p.thresholdUsd === x).probability;
    expect(at(collateral, 0).p).toBeCloseTo(1, 10);
    expect(at(collateral, 3e9).p).toBeCloseTo(0.7, 10);
    expect(at(total, 6e9).p).toBeCloseTo(0.7, 10);
    expect(at(collateral, 3e9).low).toBeLessThan(0.7);
    expect(at(collateral, 3e9).high).toBeGreaterThan(0.7);
    expect(collateral.threshold.probability.p).toBeCloseTo(0.1, 10);
    expect(collateral.threshold.oneIn.n).toBe(10);
    expect(collateral.threshold.oneIn.wording).toMatch(/^About 1 in 10 of the weighted runs had a collateral loss above \$9bn/);
    expect(total.threshold.probability.p).toBeCloseTo(0.6, 10);
    expect(total.threshold.oneIn.wording).toMatch(/more likely than not: 60%/);
  });

  it('serves the curves as CSV, and one part when asked', async () => {
    const res = await http.get(`/v1/assessments/${ids[0]}/exceedance.csv?part=collateral`).set(auth(keys.a.analyst)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('part,thresholdUsd,probability,low,high');
    expect(lines.slice(1).every((l) => l.startsWith('collateral,'))).toBe(true);
    expect(lines).toContain(lines.find((l) => l.startsWith('collateral,3000000000,0.7')));
  });

  it('answers bad input with the field and the rule, an unknown assessment with 404, and refuses responders', async () => {
    const bad = (await http.get(`/v1/assessments/${ids[0]}/exceedance?part=intended&thresholdUsd=-1`).set(auth(keys.a.analyst)).expect(400)).body;
    expect(bad.details.map((d: any) => d.field).sort()).toEqual(['part', 'thresholdUsd']);
    await http.get('/v1/assessments/00000000-0000-4000-8000-000000000000/exceedance').set(auth(keys.a.analyst)).expect(404);
    await http.get(`/v1/assessments/${ids[0]}/exceedance`).set(auth(keys.a.responder)).expect(403);
    await http.get(`/v1/assessments/${ids[0]}/exceedance`).expect(401);
  });

  it('lists a weapon\'s finished assessments in asOf order with their headline ranges', async () => {
    const body = (await http.get('/v1/weapons/wpn/assessment-series').set(auth(keys.b.analyst)).expect(200)).body;
    expect(body.weaponId).toBe('wpn');
    expect(body.items.map((x: any) => x.asOf)).toEqual(['2017-06-27T12:00:00.000Z', '2017-06-28T00:00:00.000Z', '2017-06-29T00:00:00.000Z']);
    expect(body.items.map((x: any) => x.id)).toEqual([ids[1], ids[2], ids[0]]);
    // both reports (09:00 and 10:00 on the 27th) precede every asOf, but org-b's reader counts only
    // the one it may see (the other is org-a's RED report): reportsUsed is per reader
    expect(body.items.map((x: any) => x.reportsUsed)).toEqual([1, 1, 1]);
    expect(body.items[0].headline.collateral.lossUsd.total).toEqual({ mean: 4, median: 4, low: 2, high: 6, level: 0.9 });
    expect((await http.get('/v1/weapons/quiet/assessment-series').set(auth(keys.b.analyst)).expect(200)).body).toEqual({ weaponId: 'quiet', total: 0, items: [] });
    await http.get('/v1/weapons/wpn/assessment-series').set(auth(keys.b.responder)).expect(403);
  });
});
