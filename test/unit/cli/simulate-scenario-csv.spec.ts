/**
 * `spillover simulate` reads a scenario folder's dependencies.csv as it reads a plain edge list:
 * every fixture's file runs, with a node per id and an arc per row (two for a bidirectional row).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';

jest.setTimeout(120_000);

const FIXTURES = join(__dirname, '../../../fixtures');
const scenarios = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'dependencies.csv')));
const ARGS = ['--model', 'ic', '--transmissibility', '0.4', '--random-seeds', '2', '--runs', '40', '--seed', '7', '--threads', '0', '--json'];

async function simulateJson(argv: string[]): Promise<Record<string, unknown>> {
  const r = await cli(['simulate', ...argv, ...ARGS]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

describe('simulate on the scenario folders\' dependencies.csv', () => {
  it('finds the three fixture scenarios', () => {
    expect(scenarios.sort()).toEqual(['notpetya-2017', 'stuxnet-2010', 'wannacry-2017']);
  });

  it.each(scenarios)('%s: a node per id, an arc per row and two per bidirectional row, the same runs as its edge list', async (scenario) => {
    const csv = join(FIXTURES, scenario, 'dependencies.csv');
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const ids = new Set(rows.flatMap(([s, t]) => [s, t]));
    const both = rows.filter((r) => r[4] === 'true').length;
    const fromCsv = await simulateJson(['--graph', csv]);
    expect(fromCsv).toMatchObject({ format: 'dependencies-csv', nodes: ids.size, edges: rows.length + both, directed: true, runs: 40 });

    // The same graph written as a directed edge list (`u v weight kind`, both arcs of a bidirectional row).
    const lines = rows.flatMap(([s, t, kind, weight, bidirectional]) => {
      const w = weight || '1';
      return bidirectional === 'true' ? [`${s} ${t} ${w} ${kind}`, `${t} ${s} ${w} ${kind}`] : [`${s} ${t} ${w} ${kind}`];
    });
    const edges = join(mkdtempSync(join(tmpdir(), 'spillover-csv-')), 'deps.txt');
    writeFileSync(edges, lines.join('\n') + '\n');
    const fromEdges = await simulateJson(['--edges', edges, '--directed']);
    const same = (j: Record<string, unknown>) => ({ nodes: j.nodes, finalSize: j.finalSize, largeOutbreaks: j.largeOutbreaks, arcsExamined: j.arcsExamined });
    expect(same(fromCsv)).toEqual(same(fromEdges));
  });

  it('says which row of a CSV file is broken (exit 2)', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'spillover-csv-')), 'dependencies.csv');
    writeFileSync(bad, 'sourceId,targetId,kind,weight,bidirectional\na,b,network,0.5,\nc,,network,0.5,\n');
    const r = await cli(['simulate', '--graph', bad, ...ARGS]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/dependencies\.csv.*3.*sourceId and targetId/);
  });
});
