/** CLI: bad input stops with exit code 2 and names file, line and reason; good input prints JSON. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/run-cli';

jest.setTimeout(600_000);

const dir = mkdtempSync(join(tmpdir(), 'spillover-cli-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('spillover simulate', () => {
  const good = file('good.txt', '# a triangle and a tail\n0 1\n1 2\n2 0\n2 3 0.5\n3 4 1 email\n');

  it('prints one JSON object', async () => {
    const r = await cli(['simulate', '--edges', good, '--model', 'ic', '--transmissibility', '0.5', '--seeds', '0', '--runs', '50', '--seed', '3', '--threads', '0', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ model: 'ic', nodes: 5, edges: 5, runs: 50 });
    for (const k of ['mean', 'median', 'low', 'high', 'level']) expect(j.finalSize).toHaveProperty(k);
    expect(j.finalSize.low).toBeGreaterThanOrEqual(1);
    expect(j.finalSize.high).toBeLessThanOrEqual(5);
    expect(typeof j.arcsPerSecond).toBe('number');
  });

  it('sir with rate and recovery', async () => {
    const r = await cli(['simulate', '--edges', good, '--model', 'sir', '--rate', '2', '--recovery', '1', '--random-seeds', '1', '--runs', '20', '--threads', '0', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model).toBe('sir');
  });

  it.each([
    ['a line with one field', '0 1\n7\n', /bad1\.txt:2: expected 'u v \[weight \[kind\]\]'/],
    ['a negative weight', '0 1\n1 2\n# c\n2 3 -0.5\n', /bad2\.txt:4: negative weight -0\.5/],
    ['a weight that is not a number', '0 1 x\n', /bad3\.txt:1: weight 'x' is not a number/],
    ['an unknown kind', '0 1 1 carrier-pigeon\n', /bad4\.txt:1: unknown kind 'carrier-pigeon'/],
  ])('%s: exit 2 with file:line: reason', async (_what, text, message) => {
    const name = `bad${['a line with one field', 'a negative weight', 'a weight that is not a number', 'an unknown kind'].indexOf(_what) + 1}.txt`;
    const r = await cli(['simulate', '--edges', file(name, text), '--model', 'ic', '--transmissibility', '0.3', '--seeds', '0', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('an unknown node in the seed list: exit 2 naming the file and the node', async () => {
    const r = await cli(['simulate', '--edges', good, '--model', 'ic', '--transmissibility', '0.3', '--seeds', '0,99', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/good\.txt: --seeds: unknown node '99'/);
  });

  it('a missing file and bad options: exit 2', async () => {
    expect((await cli(['simulate', '--edges', join(dir, 'nope.txt'), '--transmissibility', '0.3'])).err).toMatch(/nope\.txt: cannot read file/);
    expect((await cli(['simulate', '--edges', good, '--transmissibility', '1.5'])).code).toBe(2);
    expect((await cli(['simulate', '--edges', good, '--model', 'seir', '--transmissibility', '0.3'])).code).toBe(2);
  });
});

describe('spillover assess', () => {
  it('a missing scenario folder: exit 2', async () => {
    const r = await cli(['assess', '--scenario', join(dir, 'no-such-scenario'), '--runs', '10', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-scenario/);
  });
});
