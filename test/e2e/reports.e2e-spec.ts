import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseService } from '../../src/database/database.service';
import { ReportsEvents } from '../../src/reports/reports.events';
import { ReportsService } from '../../src/reports/reports.service';
import { ReportWriter } from '../../src/reports/report-writer';
import type { Role, Tlp } from '../../src/domain/vocabulary';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';
import { sightingIdOfChain } from '../../src/domain/stix-ids';

const range = (low: number, high: number) => ({ low, high });
const weapon = (id: string, name: string, firstSeenAt: string) => ({
  id, name, payload: 'wiper',
  vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
  impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
  firstSeenAt,
});
const report = (over: Record<string, unknown> = {}) => ({
  weaponId: 'notpetya', entityId: 'maersk', observedAt: '2017-06-27T10:15:00Z', status: 'confirmed', hostsAffected: 4000, tlp: 'green', ...over,
});
const rules = (body: any) => body.details.map((d: any) => `${d.row ?? ''}:${d.field}:${d.rule}`);

describe('spread reports', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
    await http.post('/v1/weapons').set(admin).send(weapon('notpetya', 'NotPetya', '2017-06-27T08:00:00Z')).expect(201);
    await http.post('/v1/weapons').set(admin).send(weapon('wannacry', 'WannaCry', '2017-05-12T07:44:00Z')).expect(201);
    for (const e of [
      { id: 'maersk', name: 'A.P. Moller-Maersk', country: 'DK', sector: 'transportation-systems', hosts: 49000 },
      { id: 'merck', name: 'Merck', country: 'US', sector: 'healthcare-and-public-health', hosts: 30000 },
      { id: 'nhs-a', name: 'NHS Trust A', country: 'GB', sector: 'healthcare-and-public-health', hosts: 4000 },
    ]) await http.post('/v1/entities').set(admin).send(e).expect(201);
  });
  afterAll(() => app.close());

  describe('single reports', () => {
    it('files a report for the responder\'s organisation and reads it back with its chain', async () => {
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ lossUsd: range(2e8, 3e8), confidence: 85, source: 'SOC', externalReferences: [{ source_name: 'ticket', external_id: 'T-1' }] })).expect(201);
      expect(res.body).toMatchObject({
        weaponId: 'notpetya', entityId: 'maersk', organizationId: 'org-a', observedAt: '2017-06-27T10:15:00.000Z', status: 'confirmed', hostsAffected: 4000,
        lossUsd: range(2e8, 3e8), confidence: 85, tlp: 'green', source: 'SOC', supersedes: null, version: 1, warnings: [],
        externalReferences: [{ source_name: 'ticket', external_id: 'T-1' }],
      });
      expect(res.body.chainId).toBe(res.body.id);
      expect(res.body.stixId).toBe(sightingIdOfChain(res.body.id));
      const got = await http.get(`/v1/reports/${res.body.id}`).set(auth(keys.b.researcher)).expect(200);
      const { warnings: _w, ...view } = res.body;
      expect(got.body).toEqual({ ...view, current: true, supersededBy: null, currentId: view.id, chain: [view] });
    });

    it('defaults tlp to amber and lets admins file for another organisation', async () => {
      const { tlp: _t, ...noTlp } = report();
      const res = await http.post('/v1/reports').set(admin).send({ ...noTlp, organizationId: 'org-b' }).expect(201);
      expect(res.body).toMatchObject({ tlp: 'amber', organizationId: 'org-b' });
    });

    it('refuses reports for another organisation to a responder (403) and writes to readers (403)', async () => {
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ organizationId: 'org-b' })).expect(403);
      expect(rules(res.body)).toEqual([':organizationId:ownOrganization']);
      for (const role of ['analyst', 'researcher'] as const) await http.post('/v1/reports').set(auth(keys.a[role])).send(report()).expect(403);
      await http.post('/v1/reports').send(report()).expect(401);
    });

    it('names every broken rule of a bad report (400)', async () => {
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send({
        weaponId: 'Not Petya', observedAt: '2017-06-27 10:15', status: 'pwned', hostsAffected: -1, downtimeHours: 'long', confidence: 101,
        lossUsd: { low: 5, high: 1, mid: 3 }, tlp: 'purple', supersedes: 'x', colour: 'red',
      }).expect(400);
      expect(rules(res.body).sort()).toEqual([
        ':colour:unknownProperty', ':confidence:max', ':downtimeHours:isNumber', ':entityId:required', ':hostsAffected:min', ':lossUsd.mid:unknownProperty',
        ':lossUsd:order', ':observedAt:isDateTime', ':status:isIn', ':supersedes:isUuid', ':tlp:isIn', ':weaponId:slug',
      ]);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('refuses observations in the future beyond the clock-skew allowance, accepts small skew', async () => {
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect(rules((await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ observedAt: future })).expect(400)).body)).toEqual([':observedAt:notFuture']);
      await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ observedAt: new Date(Date.now() + 60_000).toISOString() })).expect(201);
    });

    it('warns, without refusing, when observedAt is well before the weapon was first seen', async () => {
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ observedAt: '2017-05-01T00:00:00+02:00' })).expect(201);
      expect(res.body.warnings).toEqual([expect.objectContaining({ field: 'observedAt', rule: 'beforeFirstSeen' })]);
      expect(res.body.observedAt).toBe('2017-04-30T22:00:00.000Z');
    });

    it('refuses unknown weapons and entities (422 naming the field)', async () => {
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ weaponId: 'ghost', entityId: 'nowhere' })).expect(422);
      expect(rules(res.body).sort()).toEqual([':entityId:exists', ':weaponId:exists']);
    });

    it('creates an inline entity in the same transaction, reuses it when it exists, and rolls it back on failure', async () => {
      const entity = { id: 'rosneft', name: 'Rosneft', country: 'ru', sector: 'energy', hosts: 1000 };
      const res = await http.post('/v1/reports').set(auth(keys.a.responder)).send({ ...report({ entityId: undefined }), entity }).expect(201);
      expect(res.body.entityId).toBe('rosneft');
      expect((await http.get('/v1/entities/rosneft').set(admin).expect(200)).body).toMatchObject({ country: 'RU', protected: true });
      await http.post('/v1/reports').set(auth(keys.a.responder)).send({ ...report({ entityId: undefined }), entity }).expect(201);

      const bad = await http.post('/v1/reports').set(auth(keys.a.responder)).send({ ...report({ entityId: undefined, weaponId: 'ghost' }), entity: { id: 'dlapiper', name: 'DLA Piper' } }).expect(422);
      expect(rules(bad.body)).toEqual([':weaponId:exists']);
      await http.get('/v1/entities/dlapiper').set(admin).expect(404);
      const shape = await http.post('/v1/reports').set(auth(keys.a.responder)).send({ ...report({ entityId: undefined }), entity: { id: 'x1', name: 'X', country: 'ZZ' } }).expect(400);
      expect(rules(shape.body)).toEqual([':entity.country:isoCountry']);
    });
  });

  describe('concurrent single reports (group commit on SQLite)', () => {
    it('commits concurrent reports together without letting one request\'s failure fail another', async () => {
      const v1 = (await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ source: 'group' })).expect(201)).body;
      const bodies = [
        ...Array.from({ length: 10 }, (_, i) => report({ source: 'group', hostsAffected: i })),
        report({ entityId: 'ghost', source: 'group' }),
        report({ status: 'x', source: 'group' }),
        report({ supersedes: v1.id, source: 'group' }),
        report({ supersedes: v1.id, source: 'group' }),
        { ...report({ entityId: undefined, source: 'group' }), entity: { id: 'group-inline', name: 'Inline Ltd' } },
        report({ organizationId: 'org-b', source: 'group' }),
      ];
      const res = await Promise.all(bodies.map((b) => http.post('/v1/reports').set(auth(keys.a.responder)).send(b)));
      const statuses = res.map((r) => r.status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
      expect(statuses.slice(10, 12)).toEqual([422, 400]);
      expect(statuses.slice(12, 14).sort()).toEqual([201, 409]);
      expect(statuses.slice(14)).toEqual([201, 403]);
      expect(rules(res[10].body)).toEqual([':entityId:exists']);
      expect(rules(res[11].body)).toEqual([':status:isIn']);
      expect(res.slice(0, 10).map((r) => r.body.hostsAffected)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const n = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "reports" WHERE "source" = 'group'`);
      expect(Number(n[0].n)).toBe(13);
      const audited = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "audit_log" WHERE "targetType" = 'report' AND "targetId" IN (${res.filter((r) => r.status === 201).map((r) => `'${r.body.id}'`).join(',')})`);
      expect(Number(audited[0].n)).toBe(12);
    });
  });

  describe('corrections: reports are never edited', () => {
    it('supersedes a report; reads show the current version and the chain; old versions stay', async () => {
      const v1 = (await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ entityId: 'merck', status: 'suspected', hostsAffected: 10 })).expect(201)).body;
      const v2 = (await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ entityId: 'merck', hostsAffected: 15000, supersedes: v1.id })).expect(201)).body;
      expect(v2).toMatchObject({ supersedes: v1.id, chainId: v1.id, version: 2, stixId: v1.stixId });
      const old = (await http.get(`/v1/reports/${v1.id}`).set(auth(keys.b.analyst)).expect(200)).body;
      expect(old).toMatchObject({ id: v1.id, status: 'suspected', hostsAffected: 10, current: false, supersededBy: v2.id, currentId: v2.id });
      expect(old.chain.map((r: any) => [r.id, r.version])).toEqual([[v1.id, 1], [v2.id, 2]]);

      const list = (await http.get('/v1/reports?entityId=merck').set(admin).expect(200)).body.items.map((r: any) => r.id);
      expect(list).toEqual([v2.id]);
      const all = (await http.get('/v1/reports?entityId=merck&includeSuperseded=true').set(admin).expect(200)).body.items.map((r: any) => r.id);
      expect(all.sort()).toEqual([v1.id, v2.id].sort());

      // a report is superseded once: correct the current version instead (409)
      const twice = await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ entityId: 'merck', supersedes: v1.id })).expect(409);
      expect(rules(twice.body)).toEqual([':supersedes:current']);
      // only the reporting organisation corrects its reports
      const other = await http.post('/v1/reports').set(auth(keys.b.responder)).send(report({ entityId: 'merck', supersedes: v2.id })).expect(403);
      expect(rules(other.body)).toEqual([':supersedes:sameOrganization']);

      // the audit log has the create and the supersede, with who did it
      const audit = (await http.get(`/v1/audit?targetType=report&targetId=${v2.id}`).set(admin).expect(200)).body.items;
      expect(audit).toEqual([expect.objectContaining({ action: 'supersede', organizationId: 'org-a', details: expect.objectContaining({ supersedes: v1.id }) })]);
      expect(audit[0].keyId).toBeTruthy();
      // there is no route to edit or delete a report
      await http.patch(`/v1/reports/${v1.id}`).set(admin).send({ status: 'remediated' }).expect(404);
      await http.delete(`/v1/reports/${v1.id}`).set(admin).expect(404);
    });
  });

  describe('idempotency', () => {
    it('replays the original response to a retry without a second write, and refuses the key with another body (422)', async () => {
      const key = { ...auth(keys.a.responder), 'Idempotency-Key': 'retry-1' };
      const first = await http.post('/v1/reports').set(key).send(report({ entityId: 'nhs-a', weaponId: 'wannacry' })).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await http.post('/v1/reports').set(key).send(report({ entityId: 'nhs-a', weaponId: 'wannacry' })).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const count = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "reports" WHERE "entityId" = 'nhs-a'`);
      expect(Number(count[0].n)).toBe(1);
      const other = await http.post('/v1/reports').set(key).send(report({ entityId: 'nhs-a', weaponId: 'wannacry', hostsAffected: 1 })).expect(422);
      expect(rules(other.body)).toEqual([':idempotency-key:sameRequest']);
      // keys are per API key: another key may use the same value
      await http.post('/v1/reports').set({ ...auth(keys.b.responder), 'Idempotency-Key': 'retry-1' }).send(report({ entityId: 'nhs-a', weaponId: 'wannacry' })).expect(201);
      await http.post('/v1/reports').set({ ...auth(keys.a.responder), 'Idempotency-Key': 'k'.repeat(256) }).send(report()).expect(400);
    });

    it('lets exactly one of several concurrent duplicates write; the others replay it', async () => {
      const key = { ...auth(keys.a.responder), 'Idempotency-Key': 'concurrent-1' };
      const body = [report({ entityId: 'nhs-a', weaponId: 'wannacry', source: 'concurrent' }), report({ entityId: 'merck', weaponId: 'wannacry', source: 'concurrent' })];
      const responses = await Promise.all(Array.from({ length: 6 }, () => http.post('/v1/reports/bulk').set(key).send(body)));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1);
      const rows = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "reports" WHERE "source" = 'concurrent'`);
      expect(Number(rows[0].n)).toBe(2);
    });

    it('does not store failures: a corrected retry with a new body needs a new key, the same bad body fails again', async () => {
      const key = { ...auth(keys.a.responder), 'Idempotency-Key': 'fails-1' };
      await http.post('/v1/reports').set(key).send(report({ weaponId: 'ghost' })).expect(422);
      await http.post('/v1/reports').set(key).send(report({ weaponId: 'ghost' })).expect(422);
    });

    it('purges keys only after the retention period (at least 24 h)', async () => {
      const { IdempotencyService, IDEMPOTENCY_RETENTION_MS } = await import('../../src/common/idempotency/idempotency.service');
      expect(IDEMPOTENCY_RETENTION_MS).toBeGreaterThanOrEqual(24 * 3_600_000);
      const service = app.get(IdempotencyService);
      expect(await service.purge(Date.now() + 23 * 3_600_000)).toBe(0);
      const key = { ...auth(keys.a.responder), 'Idempotency-Key': 'retry-1' };
      await http.post('/v1/reports').set(key).send(report({ entityId: 'nhs-a', weaponId: 'wannacry' })).expect(201).expect('Idempotent-Replayed', 'true');
    });
  });

  describe('bulk', () => {
    it('files a JSON array in one transaction and returns the ids in order', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => report({ entityId: i % 2 ? 'maersk' : 'merck', hostsAffected: i, source: 'bulk-json' }));
      const res = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send(rows).expect(201);
      expect(res.body).toMatchObject({ created: 50, entitiesCreated: [], warnings: [] });
      expect(res.body.ids).toHaveLength(50);
      const got = (await http.get(`/v1/reports/${res.body.ids[7]}`).set(admin).expect(200)).body;
      expect(got).toMatchObject({ hostsAffected: 7, entityId: 'maersk' });
    });

    it('is all or nothing and lists every bad row', async () => {
      const rows = [report({ source: 'bulk-bad' }), report({ status: 'x', source: 'bulk-bad' }), report({ source: 'bulk-bad' }), report({ hostsAffected: 1.5, confidence: -1, source: 'bulk-bad' })];
      const res = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send(rows).expect(400);
      expect(rules(res.body)).toEqual(['2:status:isIn', '4:hostsAffected:isInt', '4:confidence:min']);
      expect(res.body.message).toBe('2 report row(s) rejected; nothing was written');
      const refs = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send([report({ source: 'bulk-bad' }), report({ entityId: 'ghost', source: 'bulk-bad' })]).expect(422);
      expect(rules(refs.body)).toEqual(['2:entityId:exists']);
      const n = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "reports" WHERE "source" = 'bulk-bad'`);
      expect(Number(n[0].n)).toBe(0);
    });

    it('refuses an empty or oversized bulk and non-arrays', async () => {
      await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send([]).expect(400);
      await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send(report()).expect(400);
      const big = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send(Array.from({ length: 10_001 }, () => report())).expect(400);
      expect(rules(big.body)).toEqual([':body:maxSize']);
      await http.post('/v1/reports/bulk').set({ ...auth(keys.a.responder), 'Content-Type': 'application/xml' }).send('<a/>').expect(415);
    });

    it('accepts text/csv with dotted columns for nested values and inline entities; row numbers are file records', async () => {
      const csv = [
        'weaponId,entityId,observedAt,status,hostsAffected,lossUsd.low,lossUsd.high,tlp,source,entity.id,entity.name,entity.country,entity.tags',
        'notpetya,maersk,2017-06-27T10:15:00Z,confirmed,4000,1000,2000,green,csv,,,,',
        'notpetya,,2017-06-27T11:00:00Z,suspected,,,,amber,csv,"mondelez","Mondelez, Intl",US,windows;medoc',
        '',
      ].join('\r\n');
      const res = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).set('Content-Type', 'text/csv').send(csv).expect(201);
      expect(res.body).toMatchObject({ created: 2, entitiesCreated: ['mondelez'] });
      const second = (await http.get(`/v1/reports/${res.body.ids[1]}`).set(admin).expect(200)).body;
      expect(second).toMatchObject({ entityId: 'mondelez', status: 'suspected', hostsAffected: null, tlp: 'amber' });
      expect((await http.get(`/v1/reports/${res.body.ids[0]}`).set(admin).expect(200)).body.lossUsd).toEqual(range(1000, 2000));
      expect((await http.get('/v1/entities/mondelez').set(admin).expect(200)).body).toMatchObject({ name: 'Mondelez, Intl', tags: ['windows', 'medoc'] });

      const bad = 'weaponId,entityId,observedAt,status,hostsAffected\nnotpetya,maersk,2017-06-27T10:15:00Z,confirmed,12\nnotpetya,maersk,yesterday,confirmed,many\n';
      const err = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).set('Content-Type', 'text/csv').send(bad).expect(400);
      expect(rules(err.body)).toEqual(['3:observedAt:isDateTime', '3:hostsAffected:isNumber']);
      const header = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).set('Content-Type', 'text/csv').send('weaponId,entityId,when\nnotpetya,maersk,x\n').expect(400);
      expect(rules(header.body)).toEqual(['1:when:unknownProperty', '1:observedAt:required', '1:status:required']);
      const quote = await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).set('Content-Type', 'text/csv').send('weaponId,entityId,observedAt,status\n"notpetya,maersk\n').expect(400);
      expect(quote.body.details[0]).toMatchObject({ field: 'body', rule: 'csv' });
    });
  });

  describe('TLP: who sees what, filtered in the query', () => {
    const levels: Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      await http.post('/v1/weapons').set(admin).send(weapon('tlp-test', 'TLP test', '2017-01-01T00:00:00Z')).expect(201);
      for (const tlp of levels) {
        ids[tlp] = (await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ weaponId: 'tlp-test', tlp })).expect(201)).body.id;
      }
    });
    const sees = (tlp: Tlp, role: Role | 'admin', own: boolean) =>
      role === 'admin' || own || tlp === 'clear' || tlp === 'green' || (tlp === 'amber' && (role === 'responder' || role === 'analyst'));
    const readers: [string, Role | 'admin', boolean][] = [
      ...(['responder', 'analyst', 'researcher'] as Role[]).flatMap((role) => [[`own ${role}`, role, true], [`other ${role}`, role, false]] as [string, Role, boolean][]),
      ['admin', 'admin', false],
    ];
    const keyOf = (role: Role | 'admin', own: boolean) => (role === 'admin' ? ADMIN_KEY : keys[own ? 'a' : 'b'][role as Role]);

    describe.each(readers)('%s', (_name, role, own) => {
      it.each(levels)('a %s report: GET by id, list and STIX export agree', async (tlp) => {
        const visible = sees(tlp, role, own);
        const key = auth(keyOf(role, own));
        const res = await http.get(`/v1/reports/${ids[tlp]}`).set(key).expect(visible ? 200 : 404);
        if (!visible) expect(res.body).toMatchObject({ statusCode: 404, details: [{ field: 'id', rule: 'exists' }] });
        const listed = (await http.get('/v1/reports?weaponId=tlp-test&limit=100').set(key).expect(200)).body.items.map((r: any) => r.id);
        expect(listed.includes(ids[tlp])).toBe(visible);
        const bundle = (await http.get('/v1/reports/export/stix?weaponId=tlp-test').set(key).expect(200)).body;
        expect(bundle.objects.some((o: any) => o.id === sightingIdOfChain(ids[tlp]))).toBe(visible);
        // a tlp filter cannot widen what the reader sees
        const filtered = (await http.get(`/v1/reports?weaponId=tlp-test&tlp=${encodeURIComponent(tlp)}`).set(key).expect(200)).body.items;
        expect(filtered.length).toBe(visible ? 1 : 0);
      });
    });

    it('counts every report in aggregate evidence, unfiltered, current versions only', async () => {
      const evidence = await app.get(ReportsService).evidenceFor('tlp-test', new Date());
      expect(evidence.map((r) => r.tlp).sort()).toEqual([...levels].sort());
      expect(evidence[0]).toEqual(expect.objectContaining({ weaponId: 'tlp-test', entityId: 'maersk', observedAt: '2017-06-27T10:15:00.000Z', status: 'confirmed' }));
      expect(await app.get(ReportsService).evidenceFor('tlp-test', new Date('2017-01-01T00:00:00Z'))).toEqual([]);
    });
  });

  describe('listing', () => {
    it('filters and pages with a cursor, newest observation first', async () => {
      await http.post('/v1/weapons').set(admin).send(weapon('page-test', 'Paging', '2017-01-01T00:00:00Z')).expect(201);
      const rows = Array.from({ length: 7 }, (_, i) => report({ weaponId: 'page-test', observedAt: `2017-07-0${i + 1}T00:00:00Z`, status: i % 2 ? 'contained' : 'confirmed' }));
      await http.post('/v1/reports/bulk').set(auth(keys.a.responder)).send(rows).expect(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await http.get(`/v1/reports?weaponId=page-test&limit=3${cursor ? `&cursor=${cursor}` : ''}`).set(admin).expect(200)).body;
        seen.push(...page.items.map((r: any) => r.observedAt.slice(0, 10)));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['2017-07-07', '2017-07-06', '2017-07-05', '2017-07-04', '2017-07-03', '2017-07-02', '2017-07-01']);
      const filtered = (await http.get('/v1/reports?weaponId=page-test&status=contained&since=2017-07-03&until=2017-07-06T00:00:00Z').set(admin).expect(200)).body.items;
      expect(filtered.map((r: any) => r.observedAt.slice(0, 10))).toEqual(['2017-07-04']);
      const bad = await http.get('/v1/reports?status=pwned&since=soon&tlp=purple&cursor=zz').set(admin).expect(400);
      expect(rules(bad.body).sort()).toEqual([':cursor:cursor', ':since:isDateTime', ':status:isIn', ':tlp:isIn']);
      await http.get('/v1/reports/not-a-uuid').set(admin).expect(404);
    });
  });

  describe('for other modules', () => {
    it('insertWithin files records inside the caller\'s transaction; listeners run in it', async () => {
      const seen: string[][] = [];
      const off = app.get(ReportsEvents).onEvidenceChanged((_m, change) => {
        seen.push(change.weaponIds);
      });
      const ids = await app.get(DatabaseService).write((m) =>
        app.get(ReportWriter).insertWithin(m, [
          { weaponId: 'wannacry', entityId: 'nhs-a', observedAt: '2017-05-12T12:00:00Z', status: 'confirmed', tlp: 'clear', hostsAffected: 100, lossUsd: null },
        ], null, 'org-b'),
      );
      expect(ids).toHaveLength(1);
      expect((await http.get(`/v1/reports/${ids[0]}`).set(admin).expect(200)).body).toMatchObject({ organizationId: 'org-b', hostsAffected: 100 });
      expect(seen).toEqual([['wannacry']]);

      // a listener's failure rolls the write back
      const off2 = app.get(ReportsEvents).onEvidenceChanged(() => {
        throw new Error('listener failed');
      });
      await http.post('/v1/reports').set(auth(keys.a.responder)).send(report({ source: 'rolled-back' })).expect(500);
      off2();
      off();
      const n = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "reports" WHERE "source" = 'rolled-back'`);
      expect(Number(n[0].n)).toBe(0);

      await expect(app.get(DatabaseService).write((m) => app.get(ReportWriter).insertWithin(m, [
        { weaponId: 'wannacry', entityId: 'nhs-a', observedAt: 'x', status: 'confirmed', tlp: 'clear' },
      ], null, 'no-such-org'))).rejects.toMatchObject({ code: 'INVALID_INPUT', details: [{ row: 1, field: 'observedAt', rule: 'isDateTime' }] });
    });
  });
});
