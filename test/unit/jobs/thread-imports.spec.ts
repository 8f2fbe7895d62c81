/**
 * What each engine thread loads when it starts. A coordinator starts two threads a job (the
 * fold and finalise thread, and its group-range helper) while the shard workers run, and every
 * module they load is CPU taken from the workers: @nestjs/common alone (with rxjs) took a thread
 * ~0.3 CPU-s, the Redis client ~0.1. The threads need neither Nest nor TypeORM, and only the
 * fold needs Redis (it loads the client on its first 'fold-start').
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const ROOT = join(__dirname, '..', '..', '..');

/** What a fresh thread has loaded once it has required `entry` (from the sources, as startThread does): packages, and the project's files. */
function loadedBy(entry: string): Promise<{ packages: string[]; sources: string[] }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(join(ROOT, entry))});
    const names = new Set();
    const sources = [];
    for (const path of Object.keys(require.cache)) {
      if (before.has(path)) continue;
      if (!path.includes('/node_modules/')) {
        sources.push(path.slice(${JSON.stringify(ROOT + '/')}.length));
        continue;
      }
      const rest = path.split('/node_modules/').pop().split('/');
      names.add(rest[0].startsWith('@') ? rest[0] + '/' + rest[1] : rest[0]);
    }
    parentPort.postMessage({ packages: [...names].sort(), sources });
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, execArgv: ['-r', require.resolve('@swc-node/register')] });
    w.once('message', (loaded: { packages: string[]; sources: string[] }) => {
      void w.terminate();
      resolve(loaded);
    });
    w.once('error', reject);
  });
}

const SERVICE_PACKAGES = /^(@nestjs\/|typeorm$|rxjs$|reflect-metadata$|class-validator$|class-transformer$|bullmq$|pg$|sqlite3$)/;

describe('engine threads load no service framework', () => {
  it.each(['src/jobs/finalize.worker.ts', 'src/jobs/shard.worker.ts', 'src/engine/worker.ts', 'src/decisions/counterfactual.worker.ts'])('%s', async (entry) => {
    const { packages, sources } = await loadedBy(entry);
    // (the engine was loaded: a wrong path would pass the check below vacuously)
    expect(sources).toEqual(expect.arrayContaining([entry, 'src/engine/prng.ts']));
    expect(packages.filter((p) => SERVICE_PACKAGES.test(p))).toEqual([]);
  });

  it('a group-range thread (finalize.worker.ts before any fold) loads no Redis client', async () => {
    const { packages, sources } = await loadedBy('src/jobs/finalize.worker.ts');
    expect(sources).toContain('src/engine/group-stats.ts');
    expect(packages.filter((p) => p === 'ioredis' || p.startsWith('@ioredis/'))).toEqual([]);
  });
});
