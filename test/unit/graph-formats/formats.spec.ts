/**
 * Graphs written by networkx (test/fixtures/graphs, made by make.py there) give the same runs as
 * the same graph as an edge list, through the CLI.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';

jest.setTimeout(600_000);
const FIX = join(__dirname, '../../fixtures/graphs');

async function simulateJson(argv: string[]): Promise<Record<string, unknown>> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(['simulate', ...argv, '--threads', '0', '--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const j = JSON.parse(out);
  // timings differ from run to run; everything else must not
  for (const k of ['seconds', 'msPerRun', 'arcsPerSecond', 'arcsPerSecondPerCore', 'format']) delete j[k];
  return j;
}

describe('graph formats through spillover simulate', () => {
  it.each(['karate.graphml', 'karate.gexf', 'karate.node-link.json'])('%s: same sir runs, time series and infection times as karate.edgelist', async (file) => {
    const args = ['--model', 'sir', '--rate', '0.4', '--recovery', '1', '--random-seeds', '2', '--runs', '60', '--seed', '9', '--times', '0,0.5,1,2,4,8', '--full-data'];
    const edgeList = await simulateJson(['--graph', join(FIX, 'karate.edgelist'), ...args]);
    const other = await simulateJson(['--graph', join(FIX, file), ...args]);
    expect(other).toEqual(edgeList);
    expect(edgeList).toMatchObject({ nodes: 34, edges: 78, directed: false });
    const ts = edgeList.timeSeries as { S: number[][]; I: number[][]; R: number[][] };
    expect(ts.S).toHaveLength(60);
    ts.S.forEach((s, r) => s.forEach((x, j) => expect(x + ts.I[r][j] + ts.R[r][j]).toBe(34)));
  });

  it.each(['orgs-directed.graphml', 'orgs-directed.gexf', 'orgs-directed.node-link.json'])('%s: directed, weighted, kinds and string ids: same ic runs as the edge list', async (file) => {
    const args = ['--model', 'ic', '--transmissibility', '0.9', '--seeds', 'org-03,org-11', '--runs', '200', '--seed', '2', '--full-data'];
    const edgeList = await simulateJson(['--graph', join(FIX, 'orgs-directed.edgelist'), '--directed', ...args]);
    // the file says it is directed; no --directed needed
    const other = await simulateJson(['--graph', join(FIX, file), ...args]);
    expect(other).toEqual(edgeList);
    expect(edgeList).toMatchObject({ nodes: 30, edges: 90, directed: true });
  });

  it("a scenario's dependencies.csv runs as the directed edge list with both arcs of its bidirectional rows", async () => {
    const csv = readFileSync(join(__dirname, '../../../fixtures/stuxnet-2010/dependencies.csv'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'graph-formats-'));
    const lines: string[] = [];
    for (const row of csv.trim().split('\n').slice(1)) {
      const [s, t, kind, weight, both] = row.split(',');
      lines.push(`${s} ${t} ${weight || 1} ${kind}`);
      if (both === 'true') lines.push(`${t} ${s} ${weight || 1} ${kind}`);
    }
    writeFileSync(join(dir, 'deps.txt'), lines.join('\n') + '\n');
    const args = ['--model', 'sir', '--rate', '2', '--recovery', '1', '--random-seeds', '1', '--runs', '100', '--seed', '3'];
    const fromCsv = await simulateJson(['--graph', join(__dirname, '../../../fixtures/stuxnet-2010/dependencies.csv'), ...args]);
    const fromEdges = await simulateJson(['--graph', join(dir, 'deps.txt'), '--directed', ...args]);
    expect(fromCsv).toEqual({ ...fromEdges, edges: fromCsv.edges });
    expect((fromCsv.finalSize as { high: number }).high).toBeGreaterThan(1);
  });
});
