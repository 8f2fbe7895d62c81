/**
 * Crash safety of report ingestion: the real server runs as a child process (swc-registered
 * src/main.ts) on a temporary SQLite file (or the PostgreSQL database of DATABASE_URL). Several
 * clients stream bulk posts, each with its own Idempotency-Key; the server is killed with SIGKILL
 * in the middle of the stream and restarted on the same database. Then every acknowledged batch
 * must be there exactly once, with the acknowledged ids; no batch may be half-written; and
 * retrying every batch with its key completes the stream with each batch exactly once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN_KEY, resetPostgres } from './support/app';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../..');
const BATCH = 200;
const CLIENTS = 4;

describe('crash safety: SIGKILL in the middle of a stream of bulk posts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spillover-crash-'));
  const databaseUrl = /^postgres/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : `sqlite:${join(dir, 'crash.sqlite')}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | null = null;
  let log = '';

  async function start(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: dir, DEMO_SCENARIO: 'false', SPILLOVER_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'error' },
    });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${log}`);
      try {
        if ((await fetch(`${base}/health`)).ok) return child;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not start:\n${log}`);
  }

  const call = async (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  const batchBody = (k: number) =>
    Array.from({ length: BATCH }, (_, i) => ({
      weaponId: 'notpetya', entityId: `site-${(k * 7 + i) % 50}`, observedAt: new Date(Date.UTC(2017, 5, 27, 9) + i * 60_000).toISOString(),
      status: 'confirmed', hostsAffected: i, tlp: 'green', source: `batch-${k}`,
    }));

  /** Every report, grouped by batch (`source`), read back through the API. */
  async function reportsByBatch(key: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    let cursor: string | null = null;
    do {
      const page: any = (await call(key, 'GET', `/v1/reports?weaponId=notpetya&includeSuperseded=true&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).body;
      for (const r of page.items) out.set(r.source, [...(out.get(r.source) ?? []), r.id]);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  beforeAll(async () => {
    if (databaseUrl.startsWith('postgres')) await resetPostgres(databaseUrl);
    server = await start();
  });
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
  });

  it('keeps every acknowledged report exactly once and never half a batch', async () => {
    await call(ADMIN_KEY, 'POST', '/v1/organizations', { id: 'cert-crash', name: 'CERT Crash' });
    const key: string = (await call(ADMIN_KEY, 'POST', '/v1/api-keys', { name: 'soc', organizationId: 'cert-crash', role: 'responder' })).body.secret;
    const r = (low: number, high: number) => ({ low, high });
    expect((await call(ADMIN_KEY, 'POST', '/v1/weapons', {
      id: 'notpetya', name: 'NotPetya', payload: 'wiper', vectors: { network: { transmissibility: r(0.2, 0.7), delayHours: r(0.1, 2) } },
      impact: { hostShare: r(0.3, 0.9), costPerHostUsd: r(500, 3000), downtimeDays: r(3, 21) },
    })).status).toBe(201);
    expect((await call(ADMIN_KEY, 'POST', '/v1/entities/bulk', Array.from({ length: 50 }, (_, i) => ({ id: `site-${i}`, name: `Site ${i}` })))).status).toBe(201);

    // Stream batches from several clients; kill the server once enough are acknowledged.
    const acked = new Map<number, string[]>();
    const attempted = new Set<number>();
    let next = 0;
    let killed = false;
    const client = async () => {
      while (!killed) {
        const k = next++;
        attempted.add(k);
        try {
          const res = await call(key, 'POST', '/v1/reports/bulk', batchBody(k), { 'Idempotency-Key': `crash-batch-${k}` });
          if (res.status === 201) acked.set(k, res.body.ids);
          else throw new Error(`batch ${k}: ${res.status} ${JSON.stringify(res.body)}`);
        } catch (err) {
          if (!killed) throw err;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    while (acked.size < 12) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    server!.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    await Promise.all(clients);
    const unacknowledged = [...attempted].filter((k) => !acked.has(k));
    expect(unacknowledged.length).toBeGreaterThan(0);

    // Restart on the same database.
    server = await start();
    const stored = await reportsByBatch(key);
    for (const [k, ids] of acked) expect([...(stored.get(`batch-${k}`) ?? [])].sort()).toEqual([...ids].sort());
    for (const [source, ids] of stored) expect([source, ids.length]).toEqual([source, BATCH]);
    const total = [...stored.values()].reduce((n, ids) => n + ids.length, 0);
    expect(total % BATCH).toBe(0);

    // Retry every attempted batch with its key: acknowledged ones replay, the rest complete.
    for (const k of [...attempted].sort((a, b) => a - b)) {
      const res = await call(key, 'POST', '/v1/reports/bulk', batchBody(k), { 'Idempotency-Key': `crash-batch-${k}` });
      expect(res.status).toBe(201);
      if (acked.has(k)) {
        expect(res.headers.get('idempotent-replayed')).toBe('true');
        expect(res.body.ids).toEqual(acked.get(k));
      }
    }
    const after = await reportsByBatch(key);
    expect([...after.keys()].sort()).toEqual([...attempted].map((k) => `batch-${k}`).sort());
    for (const [source, ids] of after) expect([source, new Set(ids).size]).toEqual([source, BATCH]);
  });
});
