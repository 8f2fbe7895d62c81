/**
 * Reads under load, against the real server in a child process, on a fresh SQLite file and on a
 * fresh PostgreSQL database (both unless --db sqlite|postgres):
 * 1. files --reports (default 30,000) reports of one weapon in bulk, a tenth of the entities
 *    reported only at TLP RED (so the reader's entity-level views suppress groups), then runs a
 *    small assessment to done;
 * 2. 50 connections for 30 s on GET /v1/assessments/:id as an analyst of another organisation
 *    (target: 0 errors, p99 <= 100 ms), with GET /health polled every 200 ms (target: 200 throughout);
 * 3. 50 connections for 30 s on GET /v1/reports (target: >= 1,000 req/s, p99 <= 100 ms).
 *
 *   npm run bench -- load
 *   node -r @swc-node/register test/bench/load.bench.ts --db sqlite --duration 10 --reports 30000 [--keep]
 *
 * --keep leaves the database (SQLite folder or PostgreSQL database) in place, for EXPLAIN.
 * --route reports|assessment measures one route only (default both).
 * --cpu-prof DIR writes the server's V8 CPU profile into DIR (open it in Chrome DevTools).
 *
 * Prints figures and the machine load (`uptime`); asserts nothing (timings depend on the machine).
 */
import { ChildProcess, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (options: Record<string, unknown>) => Promise<any> = require('autocannon');

const ROOT = resolve(__dirname, '../..');
const ADMIN = 'spo_bench_admin_key_0123456789abcdefghijklmnop';
const PG_ADMIN_URL = process.env.PG_BENCH_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const load = () => execSync('uptime').toString().trim().replace(/^.*load average:/, 'load average:');

async function call(base: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function startServer(databaseUrl: string, dir: string, port: number): Promise<ChildProcess> {
  const profile = process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', arg('cpu-prof', '.')] : [];
  const child = spawn(process.execPath, [...profile, '-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: dir, DEMO_SCENARIO: 'false',
      SPILLOVER_ADMIN_KEY: ADMIN, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '100000000', BODY_LIMIT: '50mb', WORKER_THREADS: '1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

/** Polls /health every 200 ms while `work` runs: how many answers were not 200, and the slowest. */
async function watchHealth<T>(base: string, work: Promise<T>): Promise<{ result: T; polls: number; bad: number; slowestMs: number }> {
  let polls = 0;
  let bad = 0;
  let slowestMs = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      const t = Date.now();
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
        await res.text();
        if (res.status !== 200) bad++;
      } catch {
        bad++;
      }
      polls++;
      slowestMs = Math.max(slowestMs, Date.now() - t);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const result = await work;
  running = false;
  await poller;
  return { result, polls, bad, slowestMs };
}

async function hammer(url: string, key: string, connections: number, duration: number) {
  return autocannon({ url, connections, duration, headers: { Authorization: `Bearer ${key}` } });
}

async function scenario(db: 'sqlite' | 'postgres', reports: number, connections: number, duration: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spillover-load-'));
  const pgName = `spillover_load_${randomBytes(4).toString('hex')}`;
  let databaseUrl = `sqlite:${join(dir, 'load.sqlite')}`;
  if (db === 'postgres') {
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${pgName}"`);
    await admin.end();
    databaseUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${pgName}`);
  }
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(databaseUrl, dir, port);
  try {
    for (const id of ['cert-filer', 'cert-reader']) await call(base, ADMIN, 'POST', '/v1/organizations', { id, name: id });
    const filer = (await call(base, ADMIN, 'POST', '/v1/api-keys', { name: 'filer', organizationId: 'cert-filer', role: 'responder' })).secret;
    const reader = (await call(base, ADMIN, 'POST', '/v1/api-keys', { name: 'reader', organizationId: 'cert-reader', role: 'analyst' })).secret;
    const r = (low: number, high: number) => ({ low, high });
    await call(base, ADMIN, 'POST', '/v1/weapons', {
      id: 'notpetya', name: 'NotPetya', payload: 'wiper', firstSeenAt: '2017-06-27T08:00:00Z',
      vectors: { network: { transmissibility: r(0.2, 0.7), delayHours: r(0.1, 2) } },
      impact: { hostShare: r(0.3, 0.9), costPerHostUsd: r(500, 3000), downtimeDays: r(3, 21) },
    });
    const ENTITIES = 1000;
    const sectors = ['energy', 'financial-services', 'transportation-systems', 'healthcare-and-public-health'];
    await call(base, ADMIN, 'POST', '/v1/entities/bulk', Array.from({ length: ENTITIES }, (_, i) => ({
      id: `org-${i}`, name: `Organisation ${i}`, country: ['UA', 'DE', 'GB', 'US'][i % 4], sector: sectors[Math.floor(i / 4) % 4], hosts: 100,
    })));
    await call(base, ADMIN, 'POST', '/v1/dependencies/bulk', Array.from({ length: ENTITIES - 1 }, (_, i) => ({ sourceId: `org-${i}`, targetId: `org-${i + 1}`, kind: 'network', weight: 0.5 })));
    const report = (i: number) => {
      const entity = i % ENTITIES;
      return {
        weaponId: 'notpetya', entityId: `org-${entity}`, observedAt: new Date(Date.UTC(2017, 5, 27, 9) + i * 1000).toISOString(),
        status: 'confirmed', hostsAffected: 1 + (i % 50), tlp: entity >= ENTITIES * 0.9 ? 'red' : 'green', confidence: 80,
      };
    };
    const filing = Date.now();
    for (let done = 0; done < reports; done += 10_000) {
      await call(base, filer, 'POST', '/v1/reports/bulk', Array.from({ length: Math.min(10_000, reports - done) }, (_, k) => report(done + k)));
    }
    console.log(`[${db}] filed ${reports} reports in ${((Date.now() - filing) / 1000).toFixed(1)} s`);
    const job = await call(base, reader, 'POST', '/v1/assessments', { weaponId: 'notpetya', runs: 100, horizonHours: 48, seed: 7 });
    const deadline = Date.now() + 600_000;
    let status = job.status;
    while (status !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await call(base, reader, 'GET', `/v1/assessments/${job.id}`)).status;
      if (['failed', 'cancelled'].includes(status)) throw new Error(`assessment ${status}`);
    }
    const done = await call(base, reader, 'GET', `/v1/assessments/${job.id}`);
    console.log(`[${db}] assessment ${job.id} ${done.status}, reportsUsed ${done.inputs.reportsUsed} (visible to the reader), stale ${done.stale}`);

    const route = arg('route', 'both');
    for (const [name, path, target] of [
      ...(route === 'both' || route === 'assessment' ? [['GET /v1/assessments/:id', `/v1/assessments/${job.id}`, { rps: 0, p99: 100 }] as const] : []),
      ...(route === 'both' || route === 'reports' ? [['GET /v1/reports', '/v1/reports', { rps: 1000, p99: 100 }] as const] : []),
    ]) {
      const before = load();
      const { result, polls, bad, slowestMs } = await watchHealth(base, hammer(base + path, reader, connections, duration));
      const failures = result.errors + result.timeouts + result.non2xx;
      const ok = failures === 0 && result.latency.p99 <= target.p99 && result.requests.average >= target.rps && bad === 0;
      console.log(
        `[${db}] ${name}: ${connections} connections, ${duration} s: ${Math.round(result.requests.average)} req/s, ` +
          `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}; ` +
          `/health ${polls - bad}/${polls} answered 200, slowest ${slowestMs} ms; ${ok ? 'OK' : 'BELOW TARGET'} ` +
          `(targets: p99 <= ${target.p99} ms${target.rps ? `, >= ${target.rps} req/s` : ''}, 0 errors, /health 200); ${before} before, ${load()} after`,
      );
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    if (process.argv.includes('--keep')) console.log(`[${db}] kept ${db === 'postgres' ? databaseUrl : dir}`);
    else rmSync(dir, { recursive: true, force: true });
    if (db === 'postgres' && !process.argv.includes('--keep')) {
      const admin = new Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${pgName}"`);
      await admin.end();
    }
  }
}

async function main() {
  const which = arg('db', 'both');
  const reports = Number(arg('reports', '30000'));
  const connections = Number(arg('connections', '50'));
  const duration = Number(arg('duration', '30'));
  console.log(`load bench: ${reports} reports, ${connections} connections, ${duration} s per route; ${load()}`);
  for (const db of ['sqlite', 'postgres'] as const) if (which === 'both' || which === db) await scenario(db, reports, connections, duration);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
