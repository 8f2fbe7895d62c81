/**
 * "My entities in the early warning": the early warning of an assessment cut to the entities of
 * the caller's organisation (those its reports name, with their whole organisation in the graph),
 * taken from the API key; for responders, who may not read assessments, from the weapon's newest
 * finished assessment. The assessments' TLP rule still applies. Scripted engine: its early
 * warning lists every unreported entity.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

describe('early warning for my organisation\'s entities', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let id: string;

  const ids = (body: any) => body.items.map((x: any) => x.entityId).sort();

  beforeAll(async () => {
    const engine = new ScriptedEngine();
    engine.durationMs = 50;
    app = await createScriptedApp(engine);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    const node = (nodeId: string, parentId: string | null, country = 'PL', sector = 'finance') =>
      ({ id: nodeId, name: nodeId, kind: parentId ? 'site' : 'organization', parentId, country, sector, hosts: 10, dailyValueUsd: 1000, populationServed: 0, tags: [], protected: false, stixId: null });
    // Two more entities in UA/energy: the cell of org-a's RED report on secret-site holds five,
    // so that cell (not the world) is what org-b may not see.
    await app.get(DataSource).getRepository(EntityNode).save([
      node('ua-1', null, 'UA', 'energy'), node('ua-2', null, 'UA', 'energy'),
      node('hq', null), node('hq-plant', 'hq'), node('hq-plant-line', 'hq-plant'), node('other-org', null),
    ]);
    // org-b's responder reports one of hq's sites (another weapon: it stays unreported for wpn),
    // and ua-1, which lies in the cell org-b may not see
    for (const entityId of ['hq-plant-line', 'ua-1']) {
      await http.post('/v1/reports').set(auth(keys.b.responder))
        .send({ weaponId: 'quiet', entityId, observedAt: '2017-06-20T10:00:00Z', status: 'confirmed', tlp: 'amber' }).expect(201);
    }
    id = (await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10, horizonHours: 72 }).expect(202)).body.id;
    for (let i = 0; i < 200; i++) {
      if ((await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body.status === 'done') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the assessment did not finish');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives a responder its organisation\'s entities from the weapon\'s newest assessment: the whole organisation of a site it reported, nothing it may not see', async () => {
    const body = (await http.get('/v1/weapons/wpn/early-warning/mine?withinHours=72').set(auth(keys.b.responder)).expect(200)).body;
    expect(body).toMatchObject({ weaponId: 'wpn', organizationId: 'org-b', mine: true, assessmentId: id, asOf: '2017-06-28T00:00:00.000Z', withinHours: 72, stale: false });
    // hq-plant-line is org-b's; hq and hq-plant are the same organisation in the graph; ua-1 is
    // org-b's too but lies in the cell of org-a's RED report, withheld from org-b
    expect(ids(body)).toEqual(['hq', 'hq-plant', 'hq-plant-line']);
    expect(body.items.every((x: any) => x.probability.p > 0 && Array.isArray(x.path))).toBe(true);
    // the reader's full early warning (an analyst of the same organisation) holds every one of them, and more
    const all = (await http.get(`/v1/assessments/${id}/early-warning?withinHours=72`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(ids(all)).toEqual(expect.arrayContaining(ids(body)));
    expect(ids(all)).toContain('other-org');
    expect(ids(all)).not.toContain('ua-1');
    // org-a sees ua-1 (it filed the RED report): the TLP rule, not the filter, withheld it
    expect(ids((await http.get(`/v1/assessments/${id}/early-warning?withinHours=72`).set(auth(keys.a.analyst)).expect(200)).body)).toContain('ua-1');
  });

  it('filters an analyst\'s early warning with mine=true from the key\'s organisation, before the limit', async () => {
    const b = (await http.get(`/v1/assessments/${id}/early-warning?mine=true&limit=2`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(b).toMatchObject({ mine: true, organizationId: 'org-b' });
    expect(b.items.length).toBe(2);
    expect(b.items.every((x: any) => ['hq', 'hq-plant', 'hq-plant-line'].includes(x.entityId))).toBe(true);
    // org-a's reports are none of the reports table's: it has no entity of its own
    expect((await http.get(`/v1/assessments/${id}/early-warning?mine=true`).set(auth(keys.a.analyst)).expect(200)).body.items).toEqual([]);
    // the organisation comes from the key: a query naming another is refused
    const bad = (await http.get(`/v1/assessments/${id}/early-warning?mine=true&organizationId=org-a`).set(auth(keys.b.analyst)).expect(400)).body;
    expect(bad.details.map((d: any) => d.field)).toContain('organizationId');
  });

  it('answers bad input with the field and the rule, no assessment with assessmentId null, and keeps responders off the assessment routes', async () => {
    const bad = (await http.get('/v1/weapons/wpn/early-warning/mine?withinHours=0&limit=1001').set(auth(keys.b.responder)).expect(400)).body;
    expect(bad.details.map((d: any) => [d.field, d.rule]).sort()).toEqual([['limit', 'max'], ['withinHours', 'min']]);
    const notNumber = (await http.get('/v1/weapons/wpn/early-warning/mine?limit=x').set(auth(keys.b.responder)).expect(400)).body;
    expect(notNumber.details).toEqual([expect.objectContaining({ field: 'limit', rule: 'isDecimal' })]);
    const mineBad = (await http.get(`/v1/assessments/${id}/early-warning?mine=maybe`).set(auth(keys.b.analyst)).expect(400)).body;
    expect(mineBad.details.map((d: any) => d.field)).toEqual(['mine']);
    expect((await http.get('/v1/weapons/quiet/early-warning/mine').set(auth(keys.b.responder)).expect(200)).body)
      .toMatchObject({ weaponId: 'quiet', assessmentId: null, items: [] });
    const unknown = (await http.get('/v1/weapons/no-such-weapon/early-warning/mine').set(auth(keys.b.responder)).expect(404)).body;
    expect(unknown.details).toEqual([expect.objectContaining({ field: 'weaponId' })]);
    await http.get(`/v1/assessments/${id}/early-warning?mine=true`).set(auth(keys.b.responder)).expect(403);
    await http.get('/v1/weapons/wpn/early-warning/mine').expect(401);
  });
});
