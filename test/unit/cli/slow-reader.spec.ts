/** The CLI's whole output reaches a reader slower than the writer (a pipe holds only 64 kB). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(600_000);

const root = join(__dirname, '..', '..', '..');

it('assess --json of NotPetya arrives whole through a pipe into a reader that sleeps first', () => {
  // pipefail: the exit status is the CLI's, not the reader's.
  const cli = 'node -r @swc-node/register src/cli/main.ts assess --scenario fixtures/notpetya-2017 --runs 200 --json';
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${cli} | (sleep 2; cat)`], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.length).toBeGreaterThan(3 * 65_536);
  const report = JSON.parse(r.stdout);
  expect(report).toHaveProperty('scenario');
});
