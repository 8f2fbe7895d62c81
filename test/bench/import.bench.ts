/**
 * Bulk import speed into SQLite: entities/s and dependencies/s through the same service path
 * as POST /v1/entities/bulk and /v1/dependencies/bulk (row validation, duplicate, reference
 * and cycle checks against the batch and the database, chunked multi-row INSERTs, one
 * transaction per request of at most 100,000 rows), on a seeded synthetic graph generated in
 * process (heavy-tailed out-degree, organisations with sites, the dependency kinds of the model).
 * The CSV path (text -> typed rows) is timed separately. Targets (issue 3): >= 20,000
 * entities/s and >= 50,000 dependencies/s on 2 cores.
 *
 *   npm run bench -- import            (BENCH_ENTITIES, BENCH_DEPENDENCIES to resize)
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditService } from '../../src/audit/audit.service';
import { DatabaseService } from '../../src/database/database.service';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DEPENDENCY_KINDS, SECTORS } from '../../src/domain/vocabulary';
import { tuneSqliteForBulk } from '../../src/database/bulk-sql';
import { csvToRecords, MAX_BULK_ROWS } from '../../src/graph/csv-rows';
import { ENTITY_COLUMNS } from '../../src/domain/rules/entity';
import { DependenciesService } from '../../src/graph/dependencies.service';
import { Dependency } from '../../src/graph/dependency.entity';
import { EntitiesService } from '../../src/graph/entities.service';
import { EntityNode } from '../../src/graph/entity-node.entity';

const N = Number(process.env.BENCH_ENTITIES ?? 200_000);
const M = Number(process.env.BENCH_DEPENDENCIES ?? 400_000);
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'UA', 'DK', 'IN', 'CN', 'BR', 'JP', 'IR', 'RU', 'PL', 'NL', 'ES'];

/** mulberry32: a tiny seeded PRNG, so every run imports the same graph. */
function prng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(n: number, m: number) {
  const rnd = prng(42);
  const entities: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    // One in four entities is a site of an earlier organisation.
    const parent = i > 10 && rnd() < 0.25 ? Math.floor(rnd() * i) : -1;
    entities.push({
      id: `e${i}`,
      name: `Entity ${i}`,
      kind: parent >= 0 ? 'site' : 'organization',
      parentId: parent >= 0 ? `e${parent}` : null,
      country: COUNTRIES[Math.floor(rnd() * COUNTRIES.length)],
      sector: SECTORS[Math.floor(rnd() * SECTORS.length)],
      hosts: Math.floor(10 / (rnd() + 0.01)),
      dailyValueUsd: Math.round(1e6 * rnd()),
      populationServed: Math.floor(1e4 * rnd()),
      tags: rnd() < 0.8 ? ['windows', 'smbv1'] : ['linux'],
    });
  }
  // Shuffle so children often come before their parents (the import must reorder).
  for (let i = entities.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entities[i], entities[j]] = [entities[j], entities[i]];
  }
  const seen = new Set<string>();
  const dependencies: Record<string, unknown>[] = [];
  while (dependencies.length < m) {
    // Heavy-tailed sources: a few hubs (IT providers, ISPs) feed many dependants.
    const s = Math.floor(n * Math.pow(rnd(), 3));
    const t = Math.floor(rnd() * n);
    const kind = DEPENDENCY_KINDS[Math.floor(rnd() * DEPENDENCY_KINDS.length)];
    const key = `${s}/${t}/${kind}`;
    if (s === t || seen.has(key)) continue;
    seen.add(key);
    dependencies.push({ sourceId: `e${s}`, targetId: `e${t}`, kind, weight: Math.round(rnd() * 1000) / 1000, bidirectional: rnd() < 0.1 });
  }
  return { entities, dependencies };
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function toCsv(rows: Record<string, unknown>[], fields: string[]): string {
  const lines = [fields.join(',')];
  for (const r of rows) lines.push(fields.map((f) => (Array.isArray(r[f]) ? (r[f] as string[]).join(';') : (r[f] ?? ''))).join(','));
  return lines.join('\n');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'spillover-bench-'));
  const dataSource = new DataSource(dataSourceOptions({ database: { type: 'sqlite', path: join(dir, 'bench.sqlite') } }, [EntityNode, Dependency, AuditEntry, ...extraEntities()]));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await tuneSqliteForBulk(dataSource); // as GraphModule does at start
  const db = new DatabaseService(dataSource);
  const audit = new AuditService(db);
  const entities = new EntitiesService(db, audit);
  const dependencies = new DependenciesService(db, audit);
  const actor = { keyId: 'bench', organizationId: 'spillover', role: 'admin' as const };

  let t = process.hrtime.bigint();
  const graph = generate(N, M);
  const genMs = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`generated ${N} entities and ${M} dependencies in ${genMs.toFixed(0)} ms (seed 42)`);

  const batches = <T>(rows: T[]) => Array.from({ length: Math.ceil(rows.length / MAX_BULK_ROWS) }, (_, i) => rows.slice(i * MAX_BULK_ROWS, (i + 1) * MAX_BULK_ROWS));
  // Parents must exist before children across requests too: import in requests ordered so that
  // every parent falls in an earlier or the same request (one topological pass over the shuffle).
  const byId = new Map(graph.entities.map((e) => [e.id as string, e]));
  const depth = (e: Record<string, unknown>): number => (e.parentId ? 1 + depth(byId.get(e.parentId as string)!) : 0);
  const ordered = [...graph.entities].sort((a, b) => depth(a) - depth(b));

  const load0 = loadavg()[0];
  t = process.hrtime.bigint();
  let cpu = process.cpuUsage();
  for (const batch of batches(ordered)) await entities.bulkCreate(batch, actor);
  const entMs = Number(process.hrtime.bigint() - t) / 1e6;
  const entCpu = cpuMs(process.cpuUsage(cpu));

  t = process.hrtime.bigint();
  cpu = process.cpuUsage();
  for (const batch of batches(graph.dependencies)) await dependencies.bulkCreate(batch, actor);
  const depMs = Number(process.hrtime.bigint() - t) / 1e6;
  const depCpu = cpuMs(process.cpuUsage(cpu));

  const csvText = toCsv(ordered.slice(0, MAX_BULK_ROWS), [...ENTITY_COLUMNS]);
  t = process.hrtime.bigint();
  const parsed = csvToRecords(csvText, 'entity');
  const csvMs = Number(process.hrtime.bigint() - t) / 1e6;

  const http = await viaHttp(ordered.slice(0, MAX_BULK_ROWS), graph.dependencies, dir);

  const [{ n: storedE }] = await dataSource.query('SELECT COUNT(*) AS n FROM entities');
  const [{ n: storedD }] = await dataSource.query('SELECT COUNT(*) AS n FROM dependencies');
  if (Number(storedE) !== N || Number(storedD) !== M) throw new Error(`stored ${storedE} entities and ${storedD} dependencies`);

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');
  // Other processes share the two cores: the CPU time this process used is printed too, and the
  // load average, so a slow figure on a busy machine can be told from a slow import.
  console.log(`load average at start: ${load0.toFixed(2)} (2 cores)`);
  console.log(`entities:     ${N} in ${entMs.toFixed(0)} ms = ${rate(N, entMs)} entities/s (target 20,000); CPU ${entCpu.toFixed(0)} ms = ${rate(N, entCpu)}/CPU-s`);
  console.log(`dependencies: ${M} in ${depMs.toFixed(0)} ms = ${rate(M, depMs)} dependencies/s (target 50,000); CPU ${depCpu.toFixed(0)} ms = ${rate(M, depCpu)}/CPU-s`);
  console.log(`csv parse:    ${parsed.length} entity rows (${(csvText.length / 1e6).toFixed(1)} MB) in ${csvMs.toFixed(0)} ms = ${rate(parsed.length, csvMs)} rows/s`);
  console.log(`HTTP, one text/csv request each (whole API path: auth, body parsing, validation, transaction, audit):`);
  console.log(`  POST /v1/entities/bulk:     ${http.entities} rows (${(http.entityBytes / 1e6).toFixed(1)} MB) in ${http.entityMs.toFixed(0)} ms = ${rate(http.entities, http.entityMs)} entities/s`);
  console.log(`  POST /v1/dependencies/bulk: ${http.dependencies} rows (${(http.dependencyBytes / 1e6).toFixed(1)} MB) in ${http.dependencyMs.toFixed(0)} ms = ${rate(http.dependencies, http.dependencyMs)} dependencies/s`);
  await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The same import through the real HTTP API on a fresh SQLite file: one 100,000-row CSV request
 * for entities, one for the dependencies among them.
 */
async function viaHttp(entities: Record<string, unknown>[], allDependencies: Record<string, unknown>[], dir: string) {
  const key = 'spo_bench_admin_key_0123456789abcdefghijklmnop';
  Object.assign(process.env, { DATA_DIR: join(dir, 'http'), DATABASE_URL: `sqlite:${join(dir, 'http', 'api.sqlite')}`, DEMO_SCENARIO: 'false', SPILLOVER_ADMIN_KEY: key, LOG_LEVEL: 'error' });
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../../src/app.module');
  const { configureApp } = await import('../../src/app.setup');
  const { loadConfig } = await import('../../src/config/app-config');
  const { createAppLogger } = await import('../../src/common/logging/logger');
  const config = loadConfig();
  const app = await NestFactory.create(AppModule, { logger: createAppLogger('error'), bodyParser: false });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const ids = new Set(entities.map((e) => e.id as string));
  const dependencies = allDependencies.filter((d) => ids.has(d.sourceId as string) && ids.has(d.targetId as string)).slice(0, MAX_BULK_ROWS);
  const post = async (path: string, body: string) => {
    const t = process.hrtime.bigint();
    const res = await fetch(url + path, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/csv' }, body });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 500)}`);
    return ms;
  };
  const entityCsv = toCsv(entities, [...ENTITY_COLUMNS]);
  const dependencyCsv = toCsv(dependencies, ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional']);
  const entityMs = await post('/v1/entities/bulk', entityCsv);
  const dependencyMs = await post('/v1/dependencies/bulk', dependencyCsv);
  await app.close();
  return { entities: entities.length, entityMs, entityBytes: entityCsv.length, dependencies: dependencies.length, dependencyMs, dependencyBytes: dependencyCsv.length };
}

/** Entities other features registered that share the tables' foreign keys (none needed here). */
function extraEntities(): never[] {
  return [];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
