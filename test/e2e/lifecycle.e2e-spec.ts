import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp, request, resetPostgres } from './support/app';

const ROOT = resolve(__dirname, '../..');

describe('health and lifecycle', () => {
  it('answers 503 in the error-free health shape when the database is unreachable', async () => {
    const app = await createTestApp();
    try {
      await request(app.getHttpServer()).get('/health').expect(200);
      await app.get(DataSource).destroy();
      const res = await request(app.getHttpServer()).get('/health').expect(503);
      expect(res.body).toEqual({ status: 'error', database: 'down' });
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('refuses to start on a bad configuration value and names the variable', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'sqlite::memory:' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT="eighty"');
  });

  describe('a running server', () => {
    let child: ChildProcess;
    let port: number;
    let log = '';

    beforeAll(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'spillover-life-'));
      port = 20000 + Math.floor(Math.random() * 20000);
      // A first start on an empty database is what this block is about.
      if (process.env.DATABASE_URL?.startsWith('postgres')) await resetPostgres(process.env.DATABASE_URL);
      child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${dataDir}/db.sqlite`, DEMO_SCENARIO: 'false', SPILLOVER_ADMIN_KEY: undefined },
      });
      child.stdout!.on('data', (d) => (log += d));
      child.stderr!.on('data', (d) => (log += d));
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline) {
        if (log.includes('"msg":"listening')) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`server did not start:\n${log}`);
    });
    afterAll(() => child.exitCode === null && child.kill('SIGKILL'));

    it('writes the generated admin key to a 0600 file, logs its path but never the key', async () => {
      const line = log.split('\n').find((l) => l.includes('created an admin API key'));
      expect(line).toBeDefined();
      const { path } = JSON.parse(line!);
      const { readFileSync, statSync } = await import('node:fs');
      const key = readFileSync(path, 'utf8').trim();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(log).not.toContain(key);
      const res = await fetch(`http://127.0.0.1:${port}/v1/audit`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 200)); // the access log line is written on 'finish'
      expect(log).toMatch(/"requestId":"[0-9a-f-]{36}".*"path":"\/v1\/audit","status":200/);
    });

    it('on SIGTERM answers the requests in flight, then exits 0', async () => {
      const { readFileSync } = await import('node:fs');
      const line = log.split('\n').find((l) => l.includes('created an admin API key'))!;
      const key = readFileSync(JSON.parse(line).path, 'utf8').trim();
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // A burst of writes, each queued behind the others on the database; the stop signal
      // arrives while most are still waiting for their turn.
      const writes = Array.from({ length: 200 }, (_, i) =>
        fetch(`http://127.0.0.1:${port}/v1/organizations`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ id: `org-inflight-${i}`, name: `In flight ${i}` }),
        }).then((r) => r.status, () => 'refused' as const),
      );
      await new Promise((r) => setTimeout(r, 30));
      child.kill('SIGTERM');
      const statuses = await Promise.all(writes);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 201 && s !== 'refused')).toEqual([]);
      expect(await exited).toBe(0);
    });
  });
});
