import { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/webhooks/signature';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local receiver: records every request; `/flaky` answers 500 to the first two attempts of each delivery. */
async function receiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url!, headers: req.headers, body });
      const id = String(req.headers['x-spillover-delivery']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      const fail = req.url === '/flaky' && attempts.get(id)! <= 2;
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const until = async (check: () => boolean | Promise<boolean>, ms = 300_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('webhooks (real engine on the NotPetya scenario, local receiver)', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const SECRET_A = 'secret-of-org-a-0123456789';
  const SECRET_B = 'secret-of-org-b-0123456789';
  let secretEntity: { id: string; name: string };
  let watched: string[];
  let assessmentId: string;
  const env = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_MAX_ATTEMPTS: '5' });
    hook = await receiver();
    app = await createTestApp({ workerThreads: 1 });
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    await http.post('/v1/scenarios/load').set(auth(ADMIN_KEY)).send({ name: 'notpetya-2017' }).expect(201);
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    hook?.server.close();
    process.env = env;
  });

  const runAssessment = async () => {
    const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'notpetya', asOf: '2017-06-28T00:00:00Z', runs: 100, horizonHours: 72, seed: 11 }).expect(202);
    await until(async () => (await http.get(`/v1/assessments/${res.body.id}`).set(auth(keys.a.analyst)).expect(200)).body.status === 'done', 120_000);
    return res.body.id as string;
  };

  it('validates subscriptions and keeps them to their organisation', async () => {
    const bad = await http.post('/v1/webhooks').set(auth(keys.a.analyst)).send({ url: 'ftp://x', secret: 'short', events: ['boom'] }).expect(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['events', 'secret', 'url']);
    const noEntities = await http.post('/v1/webhooks').set(auth(keys.a.analyst)).send({ url: `${hook.url}/x`, secret: SECRET_A, events: ['early-warning'] }).expect(400);
    expect(noEntities.body.details).toEqual([expect.objectContaining({ field: 'entityIds', rule: 'required' })]);
    await http.post('/v1/webhooks').set(auth(keys.a.analyst)).send({ url: `${hook.url}/x`, secret: SECRET_A, events: ['early-warning'], entityIds: ['no-such-entity'] }).expect(400);
  });

  it('delivers signed events from the outbox, retries a failing receiver with backoff, and carries nothing another organisation restricted', async () => {
    // a first run tells which unreported entities are most at risk; org-a then files a RED report
    // on a protected one (it will be among the protected hits, which org-b may not see)
    const first = await runAssessment();
    const warning = (await http.get(`/v1/assessments/${first}/early-warning?withinHours=72&limit=500`).set(auth(keys.a.analyst)).expect(200)).body.items;
    const secret = warning.find((w: any) => w.protected);
    secretEntity = { id: secret.entityId, name: secret.name };
    watched = warning.filter((w: any) => w.entityId !== secret.entityId).slice(0, 20).map((w: any) => w.entityId);
    await http.post('/v1/reports').set(auth(keys.a.responder)).send({ weaponId: 'notpetya', entityId: secretEntity.id, observedAt: '2017-06-27T23:00:00.000Z', status: 'confirmed', tlp: 'red' }).expect(201);

    const subA = (await http.post('/v1/webhooks').set(auth(keys.a.analyst)).send({ url: `${hook.url}/flaky`, secret: SECRET_A, events: ['assessment.done', 'assessment.stale', 'early-warning'], entityIds: watched, threshold: 0 }).expect(201)).body;
    const subB = (await http.post('/v1/webhooks').set(auth(keys.b.researcher)).send({ url: `${hook.url}/b`, secret: SECRET_B, events: ['assessment.done', 'early-warning'], entityIds: watched, threshold: 0 }).expect(201)).body;
    expect(subA).not.toHaveProperty('secret');
    expect((await http.get('/v1/webhooks').set(auth(keys.b.analyst)).expect(200)).body.items.map((s: any) => s.id)).toEqual([subB.id]);
    await http.get(`/v1/webhooks/${subA.id}/deliveries`).set(auth(keys.b.analyst)).expect(404);

    assessmentId = await runAssessment();
    const of = (path: string, event: string) => hook.received.filter((r) => r.path === path && r.headers['x-spillover-event'] === event && JSON.parse(r.body).assessmentId === assessmentId);
    await until(() => of('/flaky', 'assessment.done').length >= 3 && of('/flaky', 'early-warning').length >= 1 && of('/b', 'assessment.done').length >= 1 && of('/b', 'early-warning').length >= 1);

    // signatures: HMAC-SHA256 of "<timestamp>.<body>" with each subscription's own secret
    for (const r of hook.received) {
      const secret = r.path === '/b' ? SECRET_B : SECRET_A;
      const ts = String(r.headers['x-spillover-timestamp']);
      expect(verify(secret, ts, r.body, String(r.headers['x-spillover-signature']))).toBe(true);
      expect(verify(r.path === '/b' ? SECRET_A : SECRET_B, ts, r.body, String(r.headers['x-spillover-signature']))).toBe(false);
    }
    // retries: two 500s then delivered, the same delivery id each time, spaced by the backoff
    const done = of('/flaky', 'assessment.done');
    expect(new Set(done.map((r) => r.headers['x-spillover-delivery'])).size).toBe(1);
    const log = (await http.get(`/v1/webhooks/${subA.id}/deliveries`).set(auth(keys.a.analyst)).expect(200)).body.items;
    await until(async () => (await http.get(`/v1/webhooks/${subA.id}/deliveries`).set(auth(keys.a.analyst)).expect(200)).body.items.every((d: any) => d.status === 'delivered'));
    expect(log.find((d: any) => d.id === done[0].headers['x-spillover-delivery'])).toMatchObject({ event: 'assessment.done' });
    const doneLog = (await http.get(`/v1/webhooks/${subA.id}/deliveries`).set(auth(keys.a.analyst)).expect(200)).body.items.find((d: any) => d.event === 'assessment.done');
    expect(doneLog).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });

    // early warning: only watched entities, at or above the threshold
    const ewB = JSON.parse(of('/b', 'early-warning')[0].body);
    expect(ewB.entities.length).toBeGreaterThan(0);
    for (const e of ewB.entities) expect(watched).toContain(e.entityId);
    // TLP: org-b's deliveries never name the entity org-a reported under RED; org-a's may
    for (const r of hook.received.filter((x) => x.path === '/b')) {
      expect(r.body).not.toContain(secretEntity.id);
      expect(r.body).not.toContain(secretEntity.name);
    }
    const doneA = JSON.parse(of('/flaky', 'assessment.done')[0].body);
    expect(doneA.protectedHits.map((h: any) => h.entityId)).toContain(secretEntity.id);

    // each event once per subscription, whatever the number of loop passes
    expect(of('/b', 'assessment.done')).toHaveLength(1);
  }, 300_000);

  it('tells subscribers when new evidence makes an assessment stale', async () => {
    await http.post('/v1/reports').set(auth(keys.b.responder)).send({ weaponId: 'notpetya', entityId: watched[0], observedAt: '2017-06-27T22:00:00.000Z', status: 'confirmed', tlp: 'green' }).expect(201);
    await until(() => hook.received.some((r) => r.headers['x-spillover-event'] === 'assessment.stale' && JSON.parse(r.body).assessmentId === assessmentId));
    const stale = hook.received.filter((r) => r.headers['x-spillover-event'] === 'assessment.stale' && JSON.parse(r.body).assessmentId === assessmentId);
    expect(stale.every((r) => r.path === '/flaky')).toBe(true);
  }, 600_000);
});
