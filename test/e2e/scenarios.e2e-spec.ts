import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseCsv } from '../../src/scenario-format/csv';
import { fixturesDir, repoRoot } from '../../src/scenarios/fixtures-dir';
import { ScenariosService } from '../../src/scenarios/scenarios.service';
import { ADMIN_KEY, auth, createTestApp, Keys, request, seedKeys } from './support/app';

/** What a fixture folder holds, counted from its files independently of the loader. */
function fixtureCounts(name: string) {
  const dir = join(fixturesDir(), name);
  const entities = parseCsv(readFileSync(join(dir, 'entities.csv'), 'utf8'));
  const dependencies = parseCsv(readFileSync(join(dir, 'dependencies.csv'), 'utf8'));
  const reports = JSON.parse(readFileSync(join(dir, 'reports.json'), 'utf8'));
  const weapon = JSON.parse(readFileSync(join(dir, 'weapon.json'), 'utf8'));
  const idCol = entities.header.indexOf('id');
  const hostsCol = entities.header.indexOf('hosts');
  return {
    entities: entities.rows.length,
    dependencies: dependencies.rows.length,
    reports: reports.length,
    weaponId: weapon.id as string,
    hosts: entities.rows.reduce((a, r) => a + Number(r[hostsCol] || 0), 0),
    firstId: entities.rows[0][idCol],
  };
}

describe('scenario loading', () => {
  let app: INestApplication;
  let keys: Keys;
  let http: ReturnType<typeof request>;
  const admin = auth(ADMIN_KEY);

  beforeAll(async () => {
    app = await createTestApp();
    keys = await seedKeys(app);
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('finds the fixtures from the repository root and lists them', async () => {
    expect(fixturesDir()).toBe(join(repoRoot(), 'fixtures'));
    const list = (await http.get('/v1/scenarios').set(admin).expect(200)).body;
    expect(list.map((f: any) => f.name)).toEqual(expect.arrayContaining(['notpetya-2017', 'stuxnet-2010', 'wannacry-2017']));
  });

  it('loads notpetya-2017 completely in one request: every entity, dependency, the weapon and every report', async () => {
    const expected = fixtureCounts('notpetya-2017');
    const res = await http.post('/v1/scenarios/load').set(admin).send({ name: 'notpetya-2017' }).expect(201);
    expect(res.body).toMatchObject({
      scenario: 'notpetya-2017', weaponId: 'notpetya', organizationId: 'scenario-notpetya-2017',
      entities: expected.entities, entitiesReused: 0, dependencies: expected.dependencies, reports: expected.reports,
    });
    const db = app.get(DataSource);
    const count = async (sql: string) => Number((await db.query(sql))[0].n);
    expect(await count('SELECT COUNT(*) AS n FROM entities')).toBe(expected.entities);
    expect(await count('SELECT COUNT(*) AS n FROM dependencies')).toBe(expected.dependencies);
    expect(await count(`SELECT COUNT(*) AS n FROM reports WHERE "weaponId" = 'notpetya'`)).toBe(expected.reports);
    const tree = (await http.get('/v1/hierarchy?levels=country').set(auth(keys.a.analyst)).expect(200)).body;
    expect(tree).toMatchObject({ count: expected.entities, sums: { hosts: expected.hosts } });
    const weapon = (await http.get('/v1/weapons/notpetya').set(admin).expect(200)).body;
    expect(weapon).toMatchObject({ characterised: true, targeting: { countries: ['UA'] } });
    const targets = (await http.get('/v1/weapons/notpetya/targets?limit=5').set(admin).expect(200)).body;
    expect(targets.items.every((e: any) => e.country === 'UA')).toBe(true);
    const maersk = (await http.get('/v1/entities?q=maersk&limit=1000').set(admin).expect(200)).body.items;
    expect(new Set(maersk.map((e: any) => e.country)).size).toBeGreaterThan(3);
    const audit = (await http.get('/v1/audit?targetType=scenario').set(admin).expect(200)).body.items;
    expect(audit[0]).toMatchObject({ action: 'load', targetId: 'notpetya-2017' });
    console.log(`notpetya-2017 loaded: ${JSON.stringify(res.body)}`);
  });

  it('refuses to load the same scenario twice (409), leaving the first load intact', async () => {
    const res = await http.post('/v1/scenarios/load').set(admin).send({ name: 'notpetya-2017' }).expect(409);
    expect(res.body.details.map((d: any) => `${d.field}:${d.rule}`)).toEqual(['weapon.id:unique']);
    expect(Number((await app.get(DataSource).query('SELECT COUNT(*) AS n FROM entities'))[0].n)).toBe(fixtureCounts('notpetya-2017').entities);
  });

  it('refuses names that are not a fixture folder (no path traversal), and non-admins', async () => {
    for (const name of ['../package.json', '..', '/etc', 'notpetya-2017/../..', '.hidden', 'NotPetya', '']) {
      const res = await http.post('/v1/scenarios/load').set(admin).send({ name }).expect(400);
      expect(res.body.details[0]).toMatchObject({ field: 'name' });
    }
    await http.post('/v1/scenarios/load').set(admin).send({ name: 'atlantis-2030' }).expect(404);
    await http.post('/v1/scenarios/load').set(admin).send({ name: 'notpetya-2017', path: '/tmp' }).expect(400);
    for (const role of ['responder', 'analyst', 'researcher'] as const) {
      await http.post('/v1/scenarios/load').set(auth(keys.a[role])).send({ name: 'wannacry-2017' }).expect(403);
      await http.get('/v1/scenarios').set(auth(keys.a[role])).expect(403);
    }
  });

  it('refuses to delete an entity that reports refer to (409), and deletes it with its reports and arcs on cascade', async () => {
    const db = app.get(DataSource);
    const count = async (sql: string) => Number((await db.query(sql))[0].n);
    const reports = await count(`SELECT COUNT(*) AS n FROM reports WHERE "entityId" = 'maersk'`);
    expect(reports).toBeGreaterThan(0);
    const refused = await http.delete('/v1/entities/maersk').set(admin).expect(409);
    const messages = refused.body.details.map((d: any) => d.message).join('\n');
    expect(messages).toMatch(/reports\.entityId/);
    expect(messages).toMatch(/entities\.parentId/);
    expect(messages).toMatch(/dependencies\.(sourceId|targetId)/);
    const subtree = await count(`WITH RECURSIVE t(id) AS (SELECT id FROM entities WHERE id = 'maersk' UNION SELECT e.id FROM entities e JOIN t ON e."parentId" = t.id) SELECT COUNT(*) AS n FROM t`);
    const before = await count('SELECT COUNT(*) AS n FROM entities');
    const done = await http.delete('/v1/entities/maersk?cascade=true').set(admin).expect(200);
    expect(done.body.deleted.entities).toBe(subtree);
    expect(done.body.deleted.reports).toBeGreaterThanOrEqual(reports);
    expect(await count('SELECT COUNT(*) AS n FROM entities')).toBe(before - subtree);
    expect(await count(`SELECT COUNT(*) AS n FROM reports WHERE "entityId" = 'maersk'`)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM dependencies WHERE "sourceId" = 'maersk' OR "targetId" = 'maersk'`)).toBe(0);
  });

  it('reports every problem of a broken folder with its file, and writes nothing', async () => {
    const scenarios = app.get(ScenariosService);
    const dir = join(__dirname, 'fixtures-broken');
    const fs = await import('node:fs');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(join(fixturesDir(), 'wannacry-2017'), dir, { recursive: true });
    const entities = fs.readFileSync(join(dir, 'entities.csv'), 'utf8').split('\n');
    entities[1] = entities[1].replace(/,GB,/, ',ZZ,');
    entities[2] = entities[2].replace(/^[^,]+,/, 'Bad Id,');
    fs.writeFileSync(join(dir, 'entities.csv'), entities.join('\n'));
    try {
      const err = await scenarios.loadDir(dir, null).then(() => null, (e) => e);
      expect(err?.code).toBe('UNPROCESSABLE');
      expect(err.details.length).toBeGreaterThanOrEqual(2);
      expect(err.details.map((d: any) => d.field)).toEqual(expect.arrayContaining([expect.stringMatching(/^entities\.csv:/)]));
      await http.get('/v1/weapons/wannacry').set(admin).expect(404);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads wannacry-2017 and stuxnet-2010 next to it, reusing entities already stored (timed)', async () => {
    const before = Number((await app.get(DataSource).query('SELECT COUNT(*) AS n FROM entities'))[0].n);
    let total = before;
    for (const name of ['wannacry-2017', 'stuxnet-2010']) {
      const expected = fixtureCounts(name);
      const t0 = Date.now();
      const res = await http.post('/v1/scenarios/load').set(admin).send({ name }).expect(201);
      expect(res.body).toMatchObject({ scenario: name, weaponId: expected.weaponId, dependencies: expected.dependencies - res.body.dependenciesReused, reports: expected.reports });
      expect(res.body.entities + res.body.entitiesReused).toBe(expected.entities);
      total += res.body.entities;
      console.log(`${name} loaded in ${Date.now() - t0} ms: ${JSON.stringify(res.body)}`);
    }
    expect(Number((await app.get(DataSource).query('SELECT COUNT(*) AS n FROM entities'))[0].n)).toBe(total);
  });
});

describe('demo scenario at start', () => {
  it('loads notpetya-2017 into an empty database when DEMO_SCENARIO is true, and not again on the next start', async () => {
    const app = await createTestApp({ demoScenario: true });
    try {
      const http = request(app.getHttpServer());
      const page = (await http.get('/v1/entities?limit=1').set(auth(ADMIN_KEY)).expect(200)).body;
      expect(page.items).toHaveLength(1);
      await http.get('/v1/weapons/notpetya').set(auth(ADMIN_KEY)).expect(200);
      // A second bootstrap on a non-empty database does nothing (and does not fail on the existing data).
      await app.get(ScenariosService).onApplicationBootstrap();
      const tree = (await http.get('/v1/hierarchy?levels=').set(auth(ADMIN_KEY)).expect(200)).body;
      expect(tree.count).toBe(fixtureCounts('notpetya-2017').entities);
    } finally {
      await app.close();
    }
  });
});
