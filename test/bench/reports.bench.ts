/**
 * Report ingestion speed, against the real server in a child process on a fresh SQLite file, or
 * with DATABASE_URL=postgres://... on a fresh PostgreSQL database of its own (dropped after):
 * 1. bulk: 100,000 reports as 10 JSON bulk requests of 10,000 (target >= 10,000 reports/s on
 *    SQLite, >= 20,000 on PostgreSQL);
 * 2. single: POST /v1/reports under load with autocannon, 50 connections for 30 s
 *    (target >= 1,000 requests/s, p99 <= 50 ms, no errors).
 *
 *   npm run bench -- reports                       # both, 30 s of load
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npm run bench -- reports
 *   node -r @swc-node/register test/bench/reports.bench.ts --duration 10 --connections 50 --bulk 100000 --keys 1
 *
 * --idempotency sends each single post with an Idempotency-Key of its own (a retrying client's
 * posts; each then stores its response in the same transaction).
 *
 * --rate R offers R single posts a second in all (autocannon's overallRate) instead of as many as
 * the connections can send: the latency at a given ingestion rate rather than at saturation.
 * --bulk-parallel P keeps P bulk requests in flight (an importer's worker pool; default 1).
 *
 * --keys N spreads the single posts over N responder keys. The global rate limiter
 * (@nestjs/throttler's in-memory storage) keeps one timestamp per hit per key for a minute and
 * scans them on every request, so one key at 1,000+ req/s slows down over a 30 s run.
 *
 * Prints figures; asserts nothing (timings depend on the machine).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { Client } from 'pg';
import { join, resolve } from 'node:path';

// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (options: Record<string, unknown>) => Promise<any> = require('autocannon');

const ROOT = resolve(__dirname, '../..');
const ADMIN = 'spo_bench_admin_key_0123456789abcdefghijklmnop';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

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

async function startServer(dir: string, port: number, databaseUrl: string): Promise<ChildProcess> {
  const profile = process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`] : [];
  const child = spawn(process.execPath, [...profile, '-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: dir, DEMO_SCENARIO: 'false',
      SPILLOVER_ADMIN_KEY: ADMIN, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '100000000', BODY_LIMIT: '50mb',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
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

/**
 * CPU time (user + system, ms) of the server process and of the PostgreSQL backends serving its
 * database, read from /proc (Linux): the time they ran, not the time they waited for a core. It
 * still grows with other work on the machine (a single post's server CPU was 4-8 ms at load
 * 14-20), so compare runs taken back to back.
 */
class CpuMeter {
  private readonly start = new Map<number, number>();

  constructor(private readonly server: number, private readonly postgres: { pids: () => Promise<number[]> } | null) {}

  static ms(pid: number): number {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return 0;
    }
  }

  async begin(): Promise<void> {
    this.start.clear();
    for (const pid of [this.server, ...((await this.postgres?.pids()) ?? [])]) this.start.set(pid, CpuMeter.ms(pid));
  }

  /** Server and PostgreSQL CPU ms since `begin`, per 1,000 reports. */
  async per1000(reports: number): Promise<string> {
    const since = (pid: number) => CpuMeter.ms(pid) - (this.start.get(pid) ?? 0);
    const server = since(this.server);
    const database = this.postgres ? (await this.postgres.pids()).reduce((sum, pid) => sum + since(pid), 0) : null;
    const per = (ms: number) => ((ms * 1000) / reports).toFixed(0);
    return `CPU per 1,000 reports: server ${per(server)} ms${database === null ? '' : `, PostgreSQL ${per(database)} ms`}`;
  }
}

async function main() {
  const duration = arg('duration', 30);
  const connections = arg('connections', 50);
  const bulkTotal = arg('bulk', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'spillover-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? await freshPostgres(process.env.DATABASE_URL!) : null;
  console.log(`database: ${postgres ? 'PostgreSQL' : 'SQLite'}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
  const server = await startServer(dir, port, postgres?.url ?? `sqlite:${join(dir, 'bench.sqlite')}`);
  try {
    await call(base, ADMIN, 'POST', '/v1/organizations', { id: 'cert-bench', name: 'CERT Bench' });
    const keyCount = Math.max(1, arg('keys', 1));
    const keys: string[] = [];
    for (let i = 0; i < keyCount; i++) keys.push((await call(base, ADMIN, 'POST', '/v1/api-keys', { name: `bench-${i}`, organizationId: 'cert-bench', role: 'responder' })).secret);
    const key = keys[0];
    const r = (low: number, high: number) => ({ low, high });
    await call(base, ADMIN, 'POST', '/v1/weapons', {
      id: 'notpetya', name: 'NotPetya', payload: 'wiper', firstSeenAt: '2017-06-27T08:00:00Z',
      vectors: { network: { transmissibility: r(0.2, 0.7), delayHours: r(0.1, 2) } },
      impact: { hostShare: r(0.3, 0.9), costPerHostUsd: r(500, 3000), downtimeDays: r(3, 21) },
    });
    const ENTITIES = 1000;
    await call(base, ADMIN, 'POST', '/v1/entities/bulk', Array.from({ length: ENTITIES }, (_, i) => ({ id: `org-${i}`, name: `Organisation ${i}`, country: 'UA', hosts: 100 })));
    const report = (i: number) => ({
      weaponId: 'notpetya', entityId: `org-${i % ENTITIES}`, observedAt: new Date(Date.UTC(2017, 5, 27, 9) + i * 1000).toISOString(),
      status: 'confirmed', hostsAffected: i % 500, tlp: 'green', confidence: 80,
    });

    const cpu = new CpuMeter(server.pid!, postgres);

    // 1. Bulk ingestion.
    const batch = 10_000;
    const inFlight = Math.max(1, arg('bulk-parallel', 1));
    const requestMs: number[] = [];
    await cpu.begin();
    const started = process.hrtime.bigint();
    let next = 0;
    const importer = async () => {
      for (let done = next; done < bulkTotal; done = next) {
        next += batch;
        const rows = Array.from({ length: Math.min(batch, bulkTotal - done) }, (_, k) => report(done + k));
        const t = performance.now();
        await call(base, key, 'POST', '/v1/reports/bulk', rows);
        requestMs.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, importer));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = bulkTotal / seconds;
    const target = postgres ? 20_000 : 10_000;
    const ms = requestMs.sort((a, b) => a - b).map((x) => Math.round(x));
    console.log(
      `bulk: ${bulkTotal} reports in ${seconds.toFixed(2)} s = ${Math.round(rate)} reports/s (target >= ${target}) ${rate >= target ? 'OK' : 'BELOW TARGET'}, ` +
        `${inFlight} request(s) in flight, a request of ${batch} min/median/max ${ms[0]}/${ms[ms.length >> 1]}/${ms[ms.length - 1]} ms; ${await cpu.per1000(bulkTotal)}`,
    );

    // 2. Single posts under load.
    let sent = 0;
    const idempotent = process.argv.includes('--idempotency');
    const runId = randomBytes(4).toString('hex');
    await cpu.begin();
    const result = await autocannon({
      url: `${base}/v1/reports`,
      method: 'POST',
      connections,
      duration,
      ...(arg('rate', 0) > 0 ? { overallRate: arg('rate', 0) } : {}),
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(report(7)),
      // With --keys N the requests rotate over N responder keys (N SOCs posting at once).
      requests: [{
        setupRequest: (req: any) => {
          const n = sent++;
          const headers = { ...req.headers, Authorization: `Bearer ${keys[n % keys.length]}`, ...(idempotent ? { 'Idempotency-Key': `bench-${runId}-${n}` } : {}) };
          return { ...req, headers };
        },
      }],
    });
    const rps = result.requests.average;
    const p99 = result.latency.p99;
    const failures = result.errors + result.timeouts + result.non2xx;
    console.log(
      `single${idempotent ? ' (Idempotency-Key each)' : ''}: ${connections} connections${arg('rate', 0) > 0 ? ` offering ${arg('rate', 0)} req/s` : ''}, ${duration} s, ${keys.length} key(s): ${Math.round(rps)} req/s (target >= 1000), p99 ${p99} ms (target <= 50), ` +
        `p50 ${result.latency.p50} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx} ` +
        `${rps >= 1000 && p99 <= 50 && failures === 0 ? 'OK' : 'BELOW TARGET'}; ${await cpu.per1000(result.requests.total)}`,
    );
    console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await postgres?.drop();
    if (process.argv.includes('--profile')) console.log(`CPU profile in ${join(dir, 'profile')}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** A database of this run's own on the server DATABASE_URL names. */
async function freshPostgres(url: string): Promise<{ url: string; pids: () => Promise<number[]>; drop: () => Promise<void> }> {
  const name = `spillover_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    url: own.toString(),
    pids: async () => (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r: { pid: number }) => r.pid),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
