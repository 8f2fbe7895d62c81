/**
 * The additions the dashboard asked for, with a scripted engine so every figure is known:
 * `latestReportAt`/`latestReportFiledAt` in the inputs (the newest report used that the reader
 * may see), `collateral=` on the early warning, `collateral=`/`intended=` on the rollup, and the
 * headline stored at finish in the list. Each one checked against the TLP rule: an entity whose
 * only report is RED from another organisation never becomes identifiable through them.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobResultPart } from '../../src/jobs/job.entity';
import { AssessmentEvidence } from '../../src/assessments/assessment-evidence.entity';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import { groupKey } from '../../src/results/result-parts';
import type { EngineOutput, GroupPart, GroupStat } from '../../src/results/result-types';
import type { EvidenceReport, ScenarioSnapshot } from '../../src/domain/records';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { createScriptedApp, R, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

/**
 * Entities whose id starts with `tgt-` are intended targets, the rest collateral; probabilities
 * stay in [0, 1]; per-run group ranges, as the core gives them, for every country, sector and
 * country x sector group, total and each part it holds, each with values of its own (`stats`,
 * by groupKey) so a rollup node's ranges show which group they came from.
 */
class PartsEngine extends ScriptedEngine {
  stats = new Map<string, GroupStat>();
  output(s: ScenarioSnapshot): EngineOutput {
    const out = super.output(s);
    out.entities = out.entities.map((e, i) => {
      const p = e.reported ? 1 : Math.min(0.9, 0.02 * (i + 1));
      return { ...e, intended: e.entityId.startsWith('tgt-'), probabilityInfected: { p, low: Math.max(0, p - 0.01), high: Math.min(1, p + 0.01) }, expectedLossUsd: 1000 * (i + 1) };
    });
    this.stats.clear();
    const groups = { country: [] as GroupStat[], sector: [] as GroupStat[], countrySector: [] as Array<GroupStat & { country: string; sector: string }> };
    const add = (part: GroupPart, country: string | null, sector: string | null) => {
      const k = groupKey(part, country, sector);
      if (this.stats.has(k)) return;
      const n = this.stats.size + 1;
      const g: GroupStat = { key: [country, sector].filter((x) => x !== null).join('/'), part, entitiesInfected: R(n), entitiesDisrupted: R(0), lossUsd: R(1000 * n), populationAffected: R(n) };
      if (country !== null && sector !== null) groups.countrySector.push({ ...g, country, sector });
      else (country !== null ? groups.country : groups.sector).push(g);
      this.stats.set(k, country !== null && sector !== null ? ({ ...g, country, sector } as GroupStat) : g);
    };
    for (const e of out.entities) {
      const [c, sec] = [e.country ?? 'unknown', e.sector ?? 'unknown'];
      for (const part of ['total', e.intended ? 'intended' : 'collateral'] as const) {
        add(part, c, null);
        add(part, null, sec);
        add(part, c, sec);
      }
    }
    out.groups = groups;
    return out;
  }
}

/**
 * The evidence: `secret-site`'s only report is RED from org-a and the newest of all; the newest
 * AMBER one comes from a third organisation (analysts see it, researchers do not); the GREEN one
 * is the oldest.
 */
const EVIDENCE: EvidenceReport[] = [
  { id: 'r1', weaponId: 'wpn', entityId: 'secret-site', observedAt: '2017-06-27T09:00:00.000Z', filedAt: '2017-06-27T09:30:00.000Z', status: 'confirmed', tlp: 'red', organizationId: 'org-a' },
  { id: 'r2', weaponId: 'wpn', entityId: 'open-site', observedAt: '2017-06-27T07:00:00.000Z', filedAt: '2017-06-27T07:10:00.000Z', status: 'confirmed', tlp: 'green', organizationId: 'org-b' },
  { id: 'r3', weaponId: 'wpn', entityId: 'ua-c0', observedAt: '2017-06-27T08:00:00.000Z', filedAt: '2017-06-27T08:20:00.000Z', status: 'confirmed', tlp: 'amber', organizationId: 'org-c' },
];

describe('assessments: fields and filters for the dashboard (scripted engine)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const engine = new PartsEngine();
  let id: string;

  beforeAll(async () => {
    engine.durationMs = 100;
    app = await createScriptedApp(engine);
    app.get(EvidenceSource).evidenceWithin = async (_m: unknown, weaponId: string, asOf: string) => EVIDENCE.filter((r) => r.weaponId === weaponId && r.observedAt <= asOf);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    // UA/energy: secret-site, open-site, neighbour, ua-c0..ua-c3 (7 collateral) and 2 intended;
    // DE/finance: 6 collateral, no intended; PL/energy: 6 intended, no collateral.
    const entity = (id: string, country: string, sector: string) => ({ id, name: `Name of ${id}`, kind: 'organization', parentId: null, country, sector, hosts: 10, dailyValueUsd: 1000, populationServed: 0, tags: [], protected: false, stixId: null });
    await app.get(DataSource).getRepository(EntityNode).save([
      ...[0, 1, 2, 3].map((i) => entity(`ua-c${i}`, 'UA', 'energy')),
      ...[0, 1].map((i) => entity(`tgt-ua${i}`, 'UA', 'energy')),
      ...[0, 1, 2, 3, 4, 5].map((i) => entity(`de-c${i}`, 'DE', 'finance')),
      ...[0, 1, 2, 3, 4, 5].map((i) => entity(`tgt-pl${i}`, 'PL', 'energy')),
    ]);
    const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10, horizonHours: 72 }).expect(202);
    id = res.body.id;
    for (let i = 0; i < 200; i++) {
      const s = (await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body;
      if (s.status === 'done') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 600_000);
  afterAll(async () => {
    await app?.close();
  });

  describe('latestReportAt and latestReportFiledAt', () => {
    const newest = { a: ['2017-06-27T09:00:00.000Z', '2017-06-27T09:30:00.000Z'], amber: ['2017-06-27T08:00:00.000Z', '2017-06-27T08:20:00.000Z'], green: ['2017-06-27T07:00:00.000Z', '2017-06-27T07:10:00.000Z'] };
    // reportsUsed: the reports used that the reader may see (RED of org-a, GREEN, AMBER).
    const cases: Array<[string, (k: Keys) => string, string[], number]> = [
      ['the filing organisation (its own RED report)', (k) => k.a.analyst, newest.a, 3],
      ['an admin', (k) => k.admin, newest.a, 3],
      ['an analyst of another organisation (AMBER, not the RED)', (k) => k.b.analyst, newest.amber, 2],
      ['a researcher of another organisation (GREEN only)', (k) => k.b.researcher, newest.green, 1],
      ['a researcher of the filing organisation', (k) => k.a.researcher, newest.a, 2],
    ];

    it.each(cases)('are those of the newest report used that %s may see, in GET, the list and the 202', async (_who, key, [at, filed], used) => {
      const one = (await http.get(`/v1/assessments/${id}`).set(auth(key(keys))).expect(200)).body;
      expect(one.inputs).toMatchObject({ latestReportAt: at, latestReportFiledAt: filed, reportsUsed: used });
      const list = (await http.get('/v1/assessments?weaponId=wpn').set(auth(key(keys))).expect(200)).body.items;
      expect(list.find((x: any) => x.id === id).inputs).toMatchObject({ latestReportAt: at, latestReportFiledAt: filed });
      const created = (await http.post('/v1/assessments').set(auth(key(keys))).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10, horizonHours: 72 }).expect(202)).body;
      expect(created.inputs).toMatchObject({ latestReportAt: at, latestReportFiledAt: filed, reportsUsed: used });
    });

    it('never show another organisation the time of a report it may not see', async () => {
      for (const key of [keys.b.analyst, keys.b.researcher]) {
        const body = JSON.stringify((await http.get('/v1/assessments?limit=100').set(auth(key)).expect(200)).body);
        expect(body).not.toContain('2017-06-27T09:00:00.000Z');
        expect(body).not.toContain('2017-06-27T09:30:00.000Z');
      }
    });

    it('are null when the reader may see none of the reports used; such a reader cannot start one (422 as with no report)', async () => {
      const saved = [...EVIDENCE];
      EVIDENCE.splice(0, EVIDENCE.length, saved[0]);
      try {
        const refused = (await http.post('/v1/assessments').set(auth(keys.b.researcher)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10, horizonHours: 72 }).expect(422)).body;
        expect(refused.details[0]).toMatchObject({ field: 'weaponId', rule: 'hasReports' });
        const created = (await http.post('/v1/assessments').set(auth(keys.a.researcher)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 10, horizonHours: 72 }).expect(202)).body;
        const other = (await http.get(`/v1/assessments/${created.id}`).set(auth(keys.b.researcher)).expect(200)).body;
        expect(other.inputs).toMatchObject({ reportsUsed: 0, latestReportAt: null, latestReportFiledAt: null });
        const mine = (await http.get(`/v1/assessments/${created.id}`).set(auth(keys.a.researcher)).expect(200)).body;
        expect(mine.inputs).toMatchObject({ reportsUsed: 1, latestReportAt: '2017-06-27T09:00:00.000Z' });
      } finally {
        EVIDENCE.splice(0, EVIDENCE.length, ...saved);
      }
    });
  });

  describe('the headline in the list', () => {
    it('carries the summary\'s headline figures of each finished assessment, null before', async () => {
      const done = (await http.get(`/v1/assessments/${id}`).set(auth(keys.b.analyst)).expect(200)).body;
      const items = (await http.get('/v1/assessments?weaponId=wpn&limit=100').set(auth(keys.b.analyst)).expect(200)).body.items;
      const row = items.find((x: any) => x.id === id);
      expect(row.headline).toEqual({
        level: 0.9,
        entitiesInfected: done.result.total.entitiesInfected,
        lossUsd: { total: done.result.total.lossUsd.total },
        collateral: { entitiesInfected: done.result.collateral.entitiesInfected, lossUsd: { total: done.result.collateral.lossUsd.total } },
        effectiveSampleSize: done.result.calibration.effectiveSampleSize,
      });
      expect(done.headline).toEqual(row.headline);
      for (const x of items.filter((i: any) => i.status !== 'done')) expect(x.headline).toBeNull();
      // the same for every reader: aggregates
      const itemsA = (await http.get('/v1/assessments?weaponId=wpn&limit=100').set(auth(keys.a.analyst)).expect(200)).body.items;
      expect(itemsA.find((x: any) => x.id === id).headline).toEqual(row.headline);
    });

    it('is stored at finish, not recomputed: the list reads no result part', async () => {
      const ds = app.get(DataSource);
      const stored = await ds.getRepository(AssessmentEvidence).findOneByOrFail({ jobId: id });
      expect(stored.headline?.lossUsd.total).toEqual(R(6));
      const summary = await ds.getRepository(JobResultPart).findOneByOrFail({ jobId: id, part: 'summary' });
      await ds.getRepository(JobResultPart).delete({ jobId: id, part: 'summary' });
      try {
        const items = (await http.get('/v1/assessments?weaponId=wpn&limit=100').set(auth(keys.a.analyst)).expect(200)).body.items;
        expect(items.find((x: any) => x.id === id).headline.lossUsd.total).toEqual(R(6));
      } finally {
        await ds.getRepository(JobResultPart).save(summary);
      }
    });
  });

  describe('early warning ?collateral=', () => {
    const warn = async (key: string, q = '', limit = 1000) => (await http.get(`/v1/assessments/${id}/early-warning?withinHours=72&limit=${limit}${q}`).set(auth(key)).expect(200)).body;

    it('splits the ranked list into collateral and intended entities, keeping the order', async () => {
      const all = await warn(keys.a.analyst);
      const coll = await warn(keys.a.analyst, '&collateral=true');
      const intended = await warn(keys.a.analyst, '&collateral=false');
      expect(coll.collateral).toBe(true);
      expect(coll.items.length).toBeGreaterThan(0);
      expect(intended.items.length).toBeGreaterThan(0);
      for (const x of coll.items) expect(x).toMatchObject({ collateral: true, entityId: expect.not.stringMatching(/^tgt-/) });
      for (const x of intended.items) expect(x).toMatchObject({ collateral: false, entityId: expect.stringMatching(/^tgt-/) });
      expect(all.items.filter((x: any) => x.collateral)).toEqual(coll.items);
      expect(all.items.filter((x: any) => !x.collateral)).toEqual(intended.items);
      // the limit applies after the filter
      expect((await warn(keys.a.analyst, '&collateral=false', 3)).items).toEqual(intended.items.slice(0, 3));
      await http.get(`/v1/assessments/${id}/early-warning?collateral=maybe`).set(auth(keys.a.analyst)).expect(400);
    });

    it('never names the RED-only entity to another organisation, in either filter', async () => {
      for (const q of ['&collateral=true', '&collateral=false']) {
        const body = await warn(keys.b.analyst, q);
        expect(JSON.stringify(body)).not.toContain('secret-site');
        for (const x of body.items) expect(x.path[0]).toEqual({ entityId: null, name: 'withheld (restricted report)', reported: true });
      }
    });
  });

  describe('rollup ?collateral= / ?intended=', () => {
    const rollup = async (key: string, q: string) => (await http.get(`/v1/assessments/${id}/rollup?${q}`).set(auth(key)).expect(200)).body;
    const sumsToParents = (node: any) => {
      if (!node.children) return;
      for (const k of Object.keys(node.expected)) {
        const s = node.children.reduce((acc: number, c: any) => acc + c.expected[k], 0);
        expect(Math.abs(s - node.expected[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(node.expected[k])));
      }
      node.children.forEach(sumsToParents);
    };
    const leaves = (node: any): any[] => (node.children ? node.children.flatMap(leaves) : [node]);

    it('covers the part only; children sum to parents; the parts add up to the whole', async () => {
      for (const key of [keys.a.analyst, keys.b.analyst]) {
        const whole = await rollup(key, 'levels=country,sector,organization');
        const coll = await rollup(key, 'levels=country,sector,organization&collateral=true');
        const intended = await rollup(key, 'levels=country,sector,organization&intended=true');
        expect([whole.part, coll.part, intended.part]).toEqual(['total', 'collateral', 'intended']);
        for (const r of [whole, coll, intended]) sumsToParents(r.root);
        for (const k of ['entitiesInfected', 'entitiesDisrupted', 'lossUsd']) {
          expect(coll.root.expected[k] + intended.root.expected[k]).toBeCloseTo(whole.root.expected[k], 6);
        }
        for (const l of leaves(coll.root).filter((x) => !x.withheld)) expect(l.key).not.toMatch(/^tgt-/);
        for (const l of leaves(intended.root).filter((x) => !x.withheld)) expect(l.key).toMatch(/^tgt-/);
      }
      // collateral=false is the intended part, intended=false the collateral one; both at odds is a 400
      expect((await rollup(keys.a.analyst, 'collateral=false')).root).toEqual((await rollup(keys.a.analyst, 'intended=true')).root);
      expect((await rollup(keys.a.analyst, 'intended=false')).root).toEqual((await rollup(keys.a.analyst, 'collateral=true')).root);
      await http.get(`/v1/assessments/${id}/rollup?collateral=true&intended=true`).set(auth(keys.a.analyst)).expect(400);
    });

    it('ranges: the summary\'s figures of the part at the world; the part\'s group at every country and sector node, in either order', async () => {
      const { result } = (await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body;
      const byKey = (n: any) => Object.fromEntries(n.children.map((c: any) => [c.key, c]));
      const stat = (part: GroupPart, country: string | null, sector: string | null) => engine.stats.get(groupKey(part, country, sector));
      /** Every country and sector node carries its group's ranges of the part; returns how many nodes were checked. */
      const checkNodes = (node: any, part: GroupPart, at: { country: string | null; sector: string | null }): number => {
        let n = 0;
        for (const c of node.children ?? []) {
          const next = c.level === 'country' ? { ...at, country: c.key } : { ...at, sector: c.key };
          expect({ id: c.id, ranges: c.ranges }).toEqual({ id: c.id, ranges: stat(part, next.country, next.sector) });
          n += 1 + checkNodes(c, part, next);
        }
        return n;
      };
      for (const [part, q] of [['collateral', '&collateral=true'], ['intended', '&intended=true'], ['total', '']] as const) {
        for (const levels of ['country,sector', 'sector,country']) {
          const { root } = await rollup(keys.a.analyst, `levels=${levels}${q}`);
          sumsToParents(root);
          expect(root.ranges).toMatchObject({ entitiesInfected: result[part].entitiesInfected, lossUsd: result[part].lossUsd.total });
          expect(checkNodes(root, part, { country: null, sector: null })).toBeGreaterThanOrEqual(3);
        }
      }
      // mixed groups (UA, UA/energy and energy hold both parts) get the part's ranges, not the total's
      const coll = (await rollup(keys.a.analyst, 'levels=country,sector&collateral=true')).root;
      expect(byKey(coll).UA.ranges).toEqual(stat('collateral', 'UA', null));
      expect(byKey(coll).UA.ranges).not.toEqual(stat('total', 'UA', null));
      expect(byKey(byKey(coll).UA).energy.ranges).toEqual(stat('collateral', 'UA', 'energy'));
      expect(byKey(byKey(coll).DE).finance.ranges).toEqual(stat('collateral', 'DE', 'finance'));
      expect(byKey(coll).PL).toBeUndefined();
      const bySector = (await rollup(keys.a.analyst, 'levels=sector,country&collateral=true')).root;
      expect(byKey(byKey(bySector).energy).UA.ranges).toEqual(byKey(byKey(coll).UA).energy.ranges);
      expect(byKey(bySector).energy.ranges).toEqual(stat('collateral', null, 'energy'));
      // below an organisation a country is that organisation's part of it: no per-run totals
      const orgFirst = (await rollup(keys.a.analyst, 'levels=organization,country')).root;
      for (const org of orgFirst.children) for (const c of org.children) expect(c.ranges).toBeNull();
    });

    it('withholds the RED-only entity of another organisation with its whole suppression group', async () => {
      // The filing organisation sees it where it is.
      const mine = await rollup(keys.a.analyst, 'collateral=true');
      expect(JSON.stringify(mine)).toContain('"secret-site"');

      // Another organisation: UA (9 entities) holds only 2 intended ones, so neither UA nor its
      // cell is a group of at least 5 of each part: the suppression group is the world, and
      // every entity sits in one `withheld` node under the root (a difference of any two
      // rollups, or against the public entity list, is then a sum over every entity).
      for (const q of ['levels=country,sector,organization', 'levels=country,sector,organization&collateral=true', 'levels=sector,country&intended=true']) {
        const other = await rollup(keys.b.analyst, q);
        expect(JSON.stringify(other)).not.toContain('secret-site');
        expect(other.root.children).toHaveLength(1);
        expect(other.root.children[0]).toMatchObject({ key: 'withheld', withheld: true, ranges: null });
        // (at the world, a withheld node is the summary's figures of the part, the same for every reader)
        expect(other.root.children[0].count).toBe(other.root.count);
      }
      const coll = await rollup(keys.b.analyst, 'levels=country,sector,organization&collateral=true');
      // The organisation sees the same world totals as the filing one.
      for (const k of ['entitiesInfected', 'lossUsd']) expect(coll.root.expected[k]).toBeCloseTo(mine.root.expected[k], 9);
      // Nor does its entity list hold a hole where the entity would be: the whole group is left out.
      expect((await http.get(`/v1/assessments/${id}/entities?limit=1000`).set(auth(keys.b.analyst)).expect(200)).body.total).toBe(0);
      expect((await http.get(`/v1/assessments/${id}/entities?limit=1000`).set(auth(keys.a.analyst)).expect(200)).body.total).toBeGreaterThanOrEqual(5);
      // Its entity-level rows never include it.
      const names = leaves(coll.root).map((x: any) => x.name).filter(Boolean);
      expect(names).not.toContain('Name of secret-site');
      expect(names).not.toContain('secret-site');
    });
  });
  describe('rollup ?limit= / ?cursor=: a page of organisations per group', () => {
    const rollup = async (key: string, q: string) => (await http.get(`/v1/assessments/${id}/rollup?${q}`).set(auth(key)).expect(200)).body;
    const nodes = (n: any, out = new Map<string, any>()) => {
      out.set(n.id, n);
      for (const c of n.children ?? []) nodes(c, out);
      return out;
    };

    it('lists the organisations of each group with the largest expected loss, each as the whole rollup shows it, and pages through the rest', async () => {
      for (const levels of ['country,sector,organization', 'organization,country']) {
        const whole = await rollup(keys.a.analyst, `levels=${levels}&limit=1000`);
        // The default page holds every organisation of this assessment: the answer of before.
        expect(whole.organizations).toEqual({ limit: 1000, nextCursor: null });
        expect((await rollup(keys.a.analyst, `levels=${levels}`)).root).toEqual(whole.root);
        expect(JSON.stringify(whole.root)).not.toContain('"organizations"');
        const all = nodes(whole.root);
        const parents = [...all.values()].filter((n) => n.children?.[0]?.level === 'organization' && n.children.length > 1);
        expect(parents.length).toBeGreaterThan(0);

        const seen = new Map<string, string[]>();
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: any = await rollup(keys.a.analyst, `levels=${levels}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
          pages++;
          for (const n of nodes(page.root).values()) {
            if (n.level === 'others') continue;
            const full = all.get(n.id);
            const { children, organizations, ...own } = n;
            const { children: allChildren, ...fullOwn } = full;
            // Every node shown is the whole rollup's, its figures over all its organisations.
            expect(own).toEqual(fullOwn);
            if (allChildren?.[0]?.level !== 'organization' || (allChildren.length <= 1 && pages === 1)) continue;
            const ranked = [...allChildren].sort((a: any, b: any) => b.expected.lossUsd - a.expected.lossUsd || (a.key < b.key ? -1 : 1));
            const k = pages - 1;
            const listed = children.filter((c: any) => c.level !== 'others');
            expect(listed).toEqual(ranked.slice(k, k + 1));
            expect(organizations).toEqual({ total: allChildren.length, left: Math.max(0, allChildren.length - k - 1) });
            // The rest in one `others` node, so the children still sum to their parent.
            const others = children.filter((c: any) => c.level === 'others');
            expect(others).toEqual([expect.objectContaining({ key: 'others', others: allChildren.length - listed.length, count: n.count - listed.reduce((a: number, c: any) => a + c.count, 0) })]);
            expect(children.reduce((a: number, c: any) => a + c.expected.lossUsd, 0)).toBeCloseTo(n.expected.lossUsd, 6);
            for (const c of listed) seen.set(n.id, [...(seen.get(n.id) ?? []), c.id]);
          }
          expect(page.organizations.limit).toBe(1);
          cursor = page.organizations.nextCursor;
        } while (cursor && pages < 50);
        expect(cursor).toBeNull();
        // The pages together list every organisation of every group once, by expected loss.
        for (const p of parents) {
          const ranked = [...p.children].sort((a: any, b: any) => b.expected.lossUsd - a.expected.lossUsd || (a.key < b.key ? -1 : 1));
          expect(seen.get(p.id)).toEqual(ranked.map((c: any) => c.id));
        }
        expect(pages).toBe(Math.max(...parents.map((p) => p.children.length)));
      }
    });

    it('a page of a reader with a withheld group: as its whole rollup on the groups shown', async () => {
      const whole = nodes((await rollup(keys.b.analyst, 'levels=country,sector,organization&limit=1000')).root);
      const page = await rollup(keys.b.analyst, 'levels=country,sector,organization&limit=1');
      expect(JSON.stringify(page)).not.toContain('secret-site');
      for (const n of nodes(page.root).values()) {
        if (n.level === 'others') continue;
        const { children: _c, organizations: _o, ...own } = n;
        const { children: _a, ...full } = whole.get(n.id);
        expect(own).toEqual(full);
      }
    });

    it.each([
      ['limit=0', 'limit', 'min'],
      ['limit=1001', 'limit', 'max'],
      ['limit=1.5', 'limit', 'isInt'],
      ['limit=ten', 'limit', 'isDecimal'],
      ['cursor=not-a-cursor', 'cursor', 'cursor'],
      // a cursor of another list is refused too
      [`cursor=${Buffer.from(JSON.stringify(['assessments', 5])).toString('base64url')}`, 'cursor', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['rollup-organizations', -1])).toString('base64url')}`, 'cursor', 'cursor'],
    ])('%s: 400 naming %s and the rule %s', async (q, field, rule) => {
      const res = await http.get(`/v1/assessments/${id}/rollup?levels=country,organization&${q}`).set(auth(keys.a.analyst)).expect(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    });

    it('checks the cursor before the id, as every paginated route; a bad id is still a 400 naming id', async () => {
      const garbage = await http.get('/v1/assessments/not-a-uuid/rollup?cursor=eA').set(auth(keys.a.analyst)).expect(400);
      expect(garbage.body.details).toEqual([expect.objectContaining({ field: 'cursor', rule: 'cursor' })]);
      const badId = await http.get('/v1/assessments/not-a-uuid/rollup').set(auth(keys.a.analyst)).expect(400);
      expect(badId.body.details).toEqual([expect.objectContaining({ field: 'id', rule: 'isUuid' })]);
    });
  });
});
