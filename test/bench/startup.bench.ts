/**
 * How long a fresh checkout takes from `npm start` to `/health` answering 200: the build (the
 * `prestart` script, from an empty `dist/`) plus the boot on a new SQLite file with the demo
 * scenario loaded, as the README's first command does. Target: within 10 s.
 *
 *   npm run bench -- startup
 *   node -r @swc-node/register test/bench/startup.bench.ts [--warm]
 *
 * --warm keeps `dist/` (boot only). Prints figures and the machine load; asserts nothing.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

const load = () => execSync('uptime').toString().trim().replace(/^.*load average:/, 'load average:');

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
    s.on('error', fail);
  });
}

async function main(): Promise<void> {
  const warm = process.argv.includes('--warm');
  if (!warm) rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  const dir = mkdtempSync(join(tmpdir(), 'spillover-startup-'));
  const port = await freePort();
  console.log(`before: ${load()}`);
  const started = performance.now();
  // detached: npm, its prestart build and node form one process group, stopped together below.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PORT: String(port), DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'spillover.sqlite')}`, LOG_LEVEL: 'error' },
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('npm start exited before /health answered');
      if (performance.now() - started > 120_000) throw new Error('/health did not answer within 120 s');
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`/health 200 after ${seconds.toFixed(2)} s of npm start (${warm ? 'boot only' : 'build from an empty dist/ and boot'}; target 10 s)`);
    console.log(`after: ${load()}`);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
