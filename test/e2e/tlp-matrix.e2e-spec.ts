/**
 * The TLP policy against an attacker (src/tlp/policy.ts, docs/tlp.md), on the real engine and
 * either database: organisation A files RED, AMBER and corrected reports; readers of
 * organisation B try to learn them through every derived output. Each attack must find nothing.
 */
import { INestApplication } from '@nestjs/common';
import { MIN_GROUP } from '../../src/results/views';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

const COUNTRIES = ['UA', 'DE', 'GB', 'US'];
const SECTORS = ['energy', 'financial-services'];
/** 6 entities per (country, sector) cell: every cell is a group of at least MIN_GROUP. */
const ENTITIES = COUNTRIES.flatMap((country) => SECTORS.flatMap((sector) => Array.from({ length: 6 }, (_, i) => ({
  id: `${country.toLowerCase()}-${sector.slice(0, 3)}-${i}`, name: `${country} ${sector} ${i}`, country, sector, hosts: 100, dailyValueUsd: 1e5,
}))));
const SECRET = 'de-ene-3';
const AMBER_ONLY = 'gb-fin-2';
const RED_AT = '2017-06-27T10:17:33.123Z';
/** A's RED report on SECRET before anything B may see: the earliest report used. */
const HIDDEN_FIRST = '2017-06-27T07:12:34.567Z';
/** B's earliest report. */
const B_FIRST = '2017-06-27T08:00:00.000Z';
const range = (low: number, high: number) => ({ low, high });

describe('TLP matrix: inference attacks on derived outputs', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let assessmentId: string;
  let correctedId: string;

  const report = (entityId: string, observedAt: string, tlp: string, extra: Record<string, unknown> = {}) => ({
    weaponId: 'w', entityId, observedAt, status: 'confirmed', hostsAffected: 10, confidence: 80, tlp, ...extra,
  });
  const post = (key: string, path: string, body: unknown, status = 201) => http.post(path).set(auth(key)).send(body as object).expect(status);
  const get = async (key: string, path: string) => (await http.get(path).set(auth(key)).expect(200)).body;
  const waitDone = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const s = await get(keys.admin, `/v1/assessments/${id}`);
      if (s.status === 'done') return;
      if (['failed', 'cancelled'].includes(s.status)) throw new Error(`assessment ${s.status}: ${JSON.stringify(s.error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('assessment not done');
  };

  beforeAll(async () => {
    app = await createTestApp();
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    await post(keys.admin, '/v1/weapons', {
      id: 'w', name: 'W', payload: 'wiper', firstSeenAt: '2017-06-27T00:00:00Z',
      vectors: { network: { transmissibility: range(0.8, 0.99), delayHours: range(0.5, 2) } },
      impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
    });
    await post(keys.admin, '/v1/entities/bulk', ENTITIES);
    await post(keys.admin, '/v1/dependencies/bulk', ENTITIES.slice(1).map((e, i) => ({ sourceId: ENTITIES[i].id, targetId: e.id, kind: 'network', weight: 1, bidirectional: true })));
    // B's own GREEN evidence; A's RED report on SECRET and RED report creating an entity inline;
    // A's AMBER-only entity; A's GREEN report corrected by a RED one.
    await post(keys.b.responder, '/v1/reports/bulk', [report('ua-ene-0', '2017-06-27T08:00:00Z', 'green'), report('ua-ene-1', '2017-06-27T09:00:00Z', 'green')]);
    await post(keys.a.responder, '/v1/reports', report(SECRET, RED_AT, 'red'));
    await post(keys.a.responder, '/v1/reports', report(SECRET, HIDDEN_FIRST, 'red'));
    await post(keys.a.responder, '/v1/reports', {
      ...report('inline-secret', '2017-06-27T10:30:00Z', 'red'),
      entity: { id: 'inline-secret', name: 'Inline secret', country: 'DE', sector: 'energy', hosts: 10 },
    });
    await post(keys.a.responder, '/v1/reports', report(AMBER_ONLY, '2017-06-27T09:30:00Z', 'amber'));
    correctedId = (await post(keys.a.responder, '/v1/reports', report('us-fin-0', '2017-06-27T09:40:00Z', 'green'))).body.id;
    await post(keys.a.responder, '/v1/reports', { ...report('us-fin-0', '2017-06-27T09:41:00Z', 'red'), supersedes: correctedId });

    const job = (await post(keys.b.analyst, '/v1/assessments', { weaponId: 'w', asOf: '2017-06-28T00:00:00Z', horizonHours: 48, runs: 200, seed: 11 }, 202)).body;
    assessmentId = job.id;
    await waitDone(assessmentId);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('bisection of asOf: the 202 of POST /v1/assessments says the same just before and just after the RED report', async () => {
    const t = Date.parse(RED_AT);
    const answers: string[] = [];
    for (const asOf of [t - 1, t, t + 1, t + 3_600_000]) {
      const created = (await post(keys.b.analyst, '/v1/assessments', { weaponId: 'w', asOf: new Date(asOf).toISOString(), horizonHours: 24, runs: 10 }, 202)).body;
      await http.delete(`/v1/assessments/${created.id}`).set(auth(keys.b.analyst));
      expect(JSON.stringify({ ...created, inputs: { ...created.inputs, asOf: null } })).not.toContain(RED_AT);
      answers.push(JSON.stringify({ used: created.inputs.reportsUsed, at: created.inputs.latestReportAt, filed: created.inputs.latestReportFiledAt }));
    }
    expect(new Set(answers).size).toBe(1);
    // With only hidden reports before asOf, B is refused exactly as with none at all.
    const before = (await post(keys.b.analyst, '/v1/assessments', { weaponId: 'w', asOf: '2017-06-27T07:00:00Z', runs: 10 }, 422)).body;
    expect(before.details[0]).toMatchObject({ field: 'weaponId', rule: 'hasReports' });
    // A sees its own reports counted.
    const mine = await get(keys.a.analyst, `/v1/assessments/${assessmentId}`);
    expect(mine.inputs.reportsUsed).toBeGreaterThan((await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).inputs.reportsUsed);
  });

  it('differencing: rollups and the entity list against the public entity list never isolate fewer than MIN_GROUP entities', async () => {
    const everything = (await get(keys.admin, `/v1/assessments/${assessmentId}/entities?limit=10000`)).items.map((e: any) => e.entityId);
    const listed = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}/entities?limit=10000`)).items.map((e: any) => e.entityId);
    const missing = everything.filter((id: string) => !listed.includes(id));
    expect(missing).toContain(SECRET);
    expect(missing.length).toBeGreaterThanOrEqual(MIN_GROUP);
    // The missing ones are whole (country, sector) cells: SECRET's cell, not SECRET alone.
    const cellOf = (id: string) => id.slice(0, 6);
    expect(new Set(missing.map(cellOf))).toEqual(new Set(everything.filter((id: string) => missing.map(cellOf).includes(cellOf(id))).map(cellOf)));
    for (const q of ['levels=country,sector', 'levels=sector,country', 'levels=country,sector&collateral=true', 'levels=country', 'levels=sector,country,organization']) {
      const root = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}/rollup?${q}`)).root;
      const walk = (n: any): void => {
        if (n.withheld) expect({ q, id: n.id, count: n.count >= MIN_GROUP }).toEqual({ q, id: n.id, count: true });
        for (const c of n.children ?? []) walk(c);
      };
      walk(root);
      expect(JSON.stringify(root)).not.toContain(SECRET);
    }
    const summary = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).result;
    expect(JSON.stringify(summary.protectedHits ?? [])).not.toContain(SECRET);
    const warning = await get(keys.b.analyst, `/v1/assessments/${assessmentId}/early-warning?withinHours=48&limit=1000`);
    expect(JSON.stringify(warning)).not.toContain(SECRET);
  });

  it('an entity created inline by a RED report is not listed to readers who may not see the report, nor counted in the hierarchy', async () => {
    for (const key of [keys.b.analyst, keys.b.researcher]) {
      const page = await get(key, '/v1/entities?limit=1000');
      expect(page.items.map((e: any) => e.id)).not.toContain('inline-secret');
      await http.get('/v1/entities/inline-secret').set(auth(key)).expect(404);
    }
    expect((await get(keys.a.analyst, '/v1/entities?limit=1000')).items.map((e: any) => e.id)).toContain('inline-secret');
    const world = await get(keys.a.analyst, '/v1/hierarchy?levels=');
    expect(world).toMatchObject({ level: 'world', count: ENTITIES.length });
    expect(world.children ?? []).toEqual([]);
  });

  it("staleness: a report B may not see leaves B's assessment fresh; one it may see makes it stale", async () => {
    await post(keys.a.responder, '/v1/reports', report('gb-ene-0', '2017-06-27T11:00:00Z', 'red'));
    expect((await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).stale).toBe(false);
    expect((await get(keys.a.analyst, `/v1/assessments/${assessmentId}`)).stale).toBe(true);
    expect((await get(keys.admin, `/v1/assessments/${assessmentId}`)).stale).toBe(true);
    await post(keys.a.responder, '/v1/reports', report('gb-ene-1', '2017-06-27T11:00:00Z', 'amber'));
    expect((await get(keys.b.researcher, `/v1/assessments/${assessmentId}`)).stale).toBe(false);
    expect((await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).stale).toBe(true);
  });

  it("the summary's predictive check never counts reported entities the reader may not see", async () => {
    const all = (await get(keys.admin, `/v1/assessments/${assessmentId}`)).result.calibration;
    // The check exists and counts the hidden entities for a reader who sees all evidence...
    expect(all.predictiveCheck.observedReports).toBeGreaterThan(0);
    const seen = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}/entities?limit=10000`)).items.filter((e: any) => e.reported).length;
    // ...and B gets no figure beyond what it can count from the entities it sees reported.
    const mine = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).result.calibration;
    if (mine.predictiveCheck) expect(mine.predictiveCheck.observedReports).toBeLessThanOrEqual(seen);
    expect(all.predictiveCheck.observedReports).toBeGreaterThan(seen);
  });

  it('the briefing counts only the reports the reader may see', async () => {
    const html = async (key: string) => (await http.get(`/v1/assessments/${assessmentId}/briefing.html`).set(auth(key)).expect(200)).text;
    const all = (await get(keys.a.analyst, `/v1/assessments/${assessmentId}`)).inputs.reportsUsed;
    const visible = (await get(keys.b.analyst, `/v1/assessments/${assessmentId}`)).inputs.reportsUsed;
    expect(all).toBeGreaterThan(visible);
    expect(await html(keys.a.analyst)).toContain(`, ${all} reports.`);
    const mine = await html(keys.b.analyst);
    expect(mine).toContain(`, ${visible} reports.`);
    expect(mine).not.toContain(`${all} reports`);
  });

  it("the timeline's reported count counts only reports the reader may see", async () => {
    const last = (t: any) => t.points[t.points.length - 1].reported;
    expect(last(await get(keys.b.researcher, `/v1/assessments/${assessmentId}/timeline`))).toBe(2);
    expect(last(await get(keys.b.analyst, `/v1/assessments/${assessmentId}/timeline`))).toBe(3);
    expect(last(await get(keys.a.analyst, `/v1/assessments/${assessmentId}/timeline`))).toBe(6);
  });

  it("the timeline's origin and times rest only on reports the reader may see", async () => {
    const path = `/v1/assessments/${assessmentId}/timeline`;
    const end = Date.parse('2017-06-28T00:00:00Z') + 48 * 3_600_000;
    const stored = await get(keys.admin, path);
    expect(stored.origin).toBe(HIDDEN_FIRST);
    expect((await get(keys.a.analyst, path)).origin).toBe(HIDDEN_FIRST);
    for (const key of [keys.b.analyst, keys.b.researcher]) {
      const t = await get(key, path);
      expect(t.origin).toBe(B_FIRST);
      expect(JSON.stringify(t)).not.toContain(HIDDEN_FIRST.slice(0, 13));
      // The same number of points, evenly spaced from B's origin to the public end (asOf + horizon):
      // the grid is a function of what B may see.
      expect(t.points).toHaveLength(stored.points.length);
      const width = (end - Date.parse(B_FIRST)) / 3_600_000 / t.points.length;
      t.points.forEach((p: any, k: number) => {
        expect(p.hours).toBeCloseTo((k + 1) * width, 6);
        expect(Math.abs(Date.parse(p.at) - (Date.parse(B_FIRST) + p.hours * 3_600_000))).toBeLessThanOrEqual(1);
        expect(p.infections.low).toBeLessThanOrEqual(p.infections.high);
      });
      expect(Date.parse(t.points[t.points.length - 1].at)).toBe(end);
    }
  });

  it('researchers do not see AMBER-only entities at entity level; analysts do', async () => {
    const ids = async (key: string) => (await get(key, `/v1/assessments/${assessmentId}/entities?limit=10000`)).items.map((e: any) => e.entityId);
    expect(await ids(keys.b.researcher)).not.toContain(AMBER_ONLY);
    expect(await ids(keys.b.analyst)).toContain(AMBER_ONLY);
  });

  it('a report corrected by a version B may not see stays current for B', async () => {
    const seen = await get(keys.b.analyst, `/v1/reports/${correctedId}`);
    expect(seen).toMatchObject({ current: true, supersededBy: null, currentId: correctedId });
    expect(seen.chain).toHaveLength(1);
    const list = (await get(keys.b.analyst, '/v1/reports?weaponId=w&limit=100')).items.map((r: any) => r.id);
    expect(list).toContain(correctedId);
    expect((await get(keys.a.analyst, `/v1/reports/${correctedId}`)).current).toBe(false);
    expect((await get(keys.a.analyst, '/v1/reports?weaponId=w&limit=100')).items.map((r: any) => r.id)).not.toContain(correctedId);
  });

  it('only the organisation that started a job, or an admin, may cancel it', async () => {
    const job = (await post(keys.a.analyst, '/v1/assessments', { weaponId: 'w', runs: 5000, horizonHours: 24 }, 202)).body;
    const refused = (await http.delete(`/v1/assessments/${job.id}`).set(auth(keys.b.analyst)).expect(403)).body;
    expect(refused.details[0]).toMatchObject({ field: 'id', rule: 'ownOrganization' });
    await http.delete(`/v1/assessments/${job.id}`).set(auth(keys.b.researcher)).expect(403);
    await http.delete(`/v1/assessments/${job.id}`).set(auth(keys.a.responder)).expect(403);
    const res = await http.delete(`/v1/assessments/${job.id}`).set(auth(keys.a.researcher));
    expect([200, 409]).toContain(res.status);
  });
});
