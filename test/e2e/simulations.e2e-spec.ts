/**
 * POST /v1/simulations on the real simulation core: results against percolation theory on a
 * posted Erdos-Renyi graph (S = 1 - exp(-c T S), threshold T_c = 1/c) for ic and sir, same seed
 * same result (synchronously and as a job), the stored graph, the switch to a job above the
 * synchronous budget, field-level errors and roles.
 */
import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { erdosRenyiEdges } from '../../src/engine/graph';
import { Rng } from '../../src/engine/prng';
import { insertRows } from '../../src/database/bulk-sql';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';

const N = 3000;
const C = 4; // mean degree
const M = (N * C) / 2;

/** Largest root of S = 1 - exp(-c T S). */
function finalSize(c: number, T: number): number {
  let s = 1;
  for (let i = 0; i < 500; i++) s = 1 - Math.exp(-c * T * s);
  return s;
}

describe('simulations (real engine)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let edges: Array<[number, number]>;
  /** Every node listed: isolated nodes count in the fraction of the theory. */
  let graph: { nodes: number[]; edges: Array<[number, number]> };
  const seeds = [0, 1, 2, 3, 4];
  const post = (body: unknown, key?: string) => http.post('/v1/simulations').set(auth(key ?? keys.a.researcher)).send(body as object);

  beforeAll(async () => {
    app = await createTestApp({ workerThreads: 2 });
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    const er = erdosRenyiEdges(N, M, new Rng(2024, 0, 0));
    edges = Array.from(er.src, (u, i) => [u, er.dst[i]] as [number, number]);
    graph = { nodes: Array.from({ length: N }, (_, i) => i), edges };
  }, 600_000);
  afterAll(async () => {
    await app?.close();
  });

  async function waitDone(id: string, timeoutMs = 600_000): Promise<any> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await http.get(`/v1/simulations/${id}`).set(auth(keys.a.researcher)).expect(200);
      if (['done', 'failed', 'cancelled'].includes(body.status)) return body;
      if (Date.now() > end) throw new Error(`simulation ${id} still ${body.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('ic on an Erdos-Renyi graph: large outbreaks match S = 1 - exp(-c T S)', async () => {
    const T = 0.5;
    const { body } = await post({ model: 'ic', params: { transmissibility: T }, graph, seeds, runs: 200, seed: 7 }).expect(200);
    const S = finalSize(C, T);
    expect(body).toMatchObject({ model: 'ic', graph: 'posted', nodes: N, edges: M, runs: 200, seed: 7, directed: false, transmissibility: T });
    expect(body.largeOutbreaks.probability).toBeGreaterThan(0.95);
    expect(Math.abs(body.largeOutbreaks.meanFraction - S) / S).toBeLessThan(0.03);
    for (const r of [body.finalSize, body.finalFraction]) expect(r.low <= r.median && r.median <= r.high).toBe(true);
    expect(body.finalFraction.level).toBe(0.9);
  });

  it('sir with T = rate / (rate + recovery) matches the same final size; below threshold outbreaks stay small', async () => {
    const { body } = await post({ model: 'sir', params: { rate: 1, recovery: 1 }, graph, seeds, runs: 100, seed: 3 }).expect(200);
    const S = finalSize(C, 0.5);
    expect(body.transmissibility).toBeCloseTo(0.5, 12);
    expect(Math.abs(body.largeOutbreaks.meanFraction - S) / S).toBeLessThan(0.03);
    const below = await post({ model: 'ic', params: { transmissibility: 0.1 }, graph, seeds, runs: 200, seed: 3 }).expect(200);
    // c T = 0.4 < 1: five seeds reach a few nodes each, never a finite share of the graph
    expect(below.body.finalFraction.mean).toBeLessThan(0.01);
    expect(below.body.largeOutbreaks.probability).toBe(0);
  });

  it('same seed, same result; synchronously and as a job on worker threads', async () => {
    const body = { model: 'ic', params: { transmissibility: 0.3 }, graph, seeds, runs: 300, seed: 11, includeRuns: true };
    const a = (await post(body).expect(200)).body;
    const b = (await post(body).expect(200)).body;
    expect(a.finalSizes).toHaveLength(300);
    expect(b.finalSizes).toEqual(a.finalSizes);
    const other = (await post({ ...body, seed: 12 }).expect(200)).body;
    expect(other.finalSizes).not.toEqual(a.finalSizes);
    const job = await post({ ...body, mode: 'job' }).expect(202);
    expect(job.body).toMatchObject({ kind: 'simulation', status: 'queued', inputs: { seed: 11, runs: 300, graph: 'posted', model: 'ic' } });
    const done = await waitDone(job.body.id);
    expect(done.status).toBe('done');
    expect(done.progress).toBe(1);
    expect(done.result.finalSizes).toEqual(a.finalSizes);
    expect(done.result.finalSize).toEqual(a.finalSize);
  });

  it('becomes a job above the synchronous budget (edges x runs)', async () => {
    const res = await post({ model: 'ic', params: { transmissibility: 0.5 }, graph, seeds, runs: 1000, seed: 5 }).expect(202);
    expect(res.body.id).toEqual(expect.any(String));
    const done = await waitDone(res.body.id);
    expect(done.status).toBe('done');
    expect(done.result.runs).toBe(1000);
    expect(Math.abs(done.result.largeOutbreaks.meanFraction - finalSize(C, 0.5)) / finalSize(C, 0.5)).toBeLessThan(0.03);
    // not an assessment
    await http.get(`/v1/assessments/${res.body.id}`).set(auth(keys.a.researcher)).expect(404);
  });

  it('cancels a simulation job', async () => {
    const res = await post({ model: 'sir', params: { rate: 1, recovery: 1 }, graph, seeds, runs: 20000, seed: 1, mode: 'job' }).expect(202);
    const cancelled = await http.delete(`/v1/simulations/${res.body.id}`).set(auth(keys.a.researcher)).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await http.delete(`/v1/simulations/${res.body.id}`).set(auth(keys.a.researcher)).expect(409);
  });

  it('runs on the stored graph (entities and dependencies, directed arcs, weights)', async () => {
    const ds = app.get(DataSource);
    await ds.transaction(async (m) => {
      await insertRows(m, 'entities', ['id', 'name', 'kind', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected'],
        ['a', 'b', 'c', 'd', 'e'].map((id) => [id, `Entity ${id}`, 'organization', 'UA', 'energy', 10, 1000, 0, '[]', false]));
      await insertRows(m, 'dependencies', ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional'], [
        ['a', 'b', 'network', 1, false],
        ['b', 'c', 'supply-chain', 1, false],
        ['d', 'a', 'network', 1, false],
        ['c', 'e', 'network', 0, false],
      ]);
    });
    const { body } = await post({ graph: 'stored', model: 'ic', params: { transmissibility: 1 }, seeds: ['a'], runs: 10, seed: 1 }).expect(200);
    // a -> b -> c at T = 1; d -> a points the other way; c -> e has weight 0
    expect(body).toMatchObject({ graph: 'stored', nodes: 5, edges: 4, directed: true });
    expect(body.finalSize).toMatchObject({ low: 3, high: 3, median: 3, mean: 3 });
    const unknown = await post({ graph: 'stored', model: 'ic', params: { transmissibility: 1 }, seeds: ['a', 'zz'] }).expect(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'seeds[1]', rule: 'knownNode' })]);
  });

  it('refuses bad graphs and parameters field by field', async () => {
    const base = { model: 'ic', params: { transmissibility: 0.5 }, seeds: ['x'] };
    const rulesOf = (res: any) => res.body.details.map((d: any) => `${d.field}:${d.rule}`);
    let res = await post({ ...base, edges: [['x', 'y'], ['y', 'y'], ['y', 'z', 1.5], ['z', 'x', 0.5, 'carrier-pigeon'], ['z']] }).expect(400);
    expect(rulesOf(res)).toEqual(['edges[1]:noSelfLoop', 'edges[2][2]:range', 'edges[3][3]:isIn', 'edges[4]:type']);
    res = await post({ ...base, seeds: ['x', 'nowhere'], edges: [['x', 'y']] }).expect(400);
    expect(rulesOf(res)).toEqual(['seeds[1]:knownNode']);
    res = await post({ ...base, graph: { nodes: ['x', 'y'], edges: [['x', 'w']] } }).expect(400);
    expect(rulesOf(res)).toEqual(['graph.edges[0][1]:knownNode']);
    res = await post({ model: 'ic', params: {}, seeds: [], edges: [] }).expect(400);
    expect(rulesOf(res)).toEqual(expect.arrayContaining(['edges:minItems', 'seeds:size']));
    res = await post({ model: 'ic', params: { transmissibility: 2, extra: 1 }, edges: [['x', 'y']], seeds: ['x'] }).expect(400);
    expect(rulesOf(res)).toEqual(expect.arrayContaining(['params.transmissibility:maximum', 'params.extra:unknownProperty']));
    res = await post({ model: 'sir', params: { transmissibility: 0.5 }, edges: [['x', 'y']], seeds: ['x'] }).expect(400);
    expect(rulesOf(res)).toEqual(expect.arrayContaining(['params.rate:required', 'params.recovery:required']));
    res = await post({ model: 'magic', edges: [['x', 'y']], seeds: ['x'] }).expect(400);
    expect(rulesOf(res)).toEqual(['model:isIn']);
    res = await post({ ...base, edges: [['x', 'y']], runs: 0, bogus: true }).expect(400);
    expect(rulesOf(res)).toEqual(expect.arrayContaining(['runs:range', 'bogus:unknownProperty']));
    res = await post({ ...base, graph: 'somewhere' }).expect(400);
    expect(rulesOf(res)).toContain('graph:isIn');
    const tooMany = Array.from({ length: 200_001 }, (_, i) => [i, i + 1]);
    res = await post({ ...base, seeds: [0], edges: tooMany }).expect(413);
    expect(rulesOf(res)).toEqual(['edges:maxItems']);
  });

  describe('graph files written by networkx (test/fixtures/graphs)', () => {
    const FIX = join(__dirname, '../fixtures/graphs');
    const text = (f: string) => readFileSync(join(FIX, f), 'utf8');
    /** The edge list file as posted edges [u, v, weight?, kind?]. */
    const edgesOf = (f: string) =>
      text(f).trim().split('\n').map((l) => {
        const [u, v, w, k] = l.split(/\s+/);
        return w === undefined ? [u, v] : [u, v, Number(w), k];
      });
    const timeless = (b: Record<string, unknown>) => {
      const { seconds, msPerRun, arcsPerSecond, ...rest } = b;
      return rest;
    };

    it.each([
      ['graphml', 'karate.graphml'],
      ['gexf', 'karate.gexf'],
      ['node-link', 'karate.node-link.json'],
    ])('%s: the same sir runs, series and infection times as the edge list', async (format, file) => {
      const base = { model: 'sir', params: { rate: 0.4, recovery: 1 }, seeds: ['0', '33'], runs: 50, seed: 9, times: [0, 0.5, 1, 2, 4, 8], fullData: true, includeRuns: true };
      const asEdges = await post({ ...base, graph: { edges: edgesOf('karate.edgelist') } }).expect(200);
      const data = format === 'node-link' ? JSON.parse(text(file)) : text(file);
      const asFile = await post({ ...base, graph: { format, data } }).expect(200);
      expect(timeless(asFile.body)).toEqual(timeless(asEdges.body));
      expect(asFile.body).toMatchObject({ nodes: 34, edges: 78, directed: false });
      expect(asFile.body.timeSeries.S).toHaveLength(50);
      expect(asFile.body.nodeHistories[0].nodes).toEqual(expect.arrayContaining(['0', '33']));
    });

    it('a directed, weighted GraphML with kinds gives the edge list\'s ic runs, also as a job', async () => {
      const base = { model: 'ic', params: { transmissibility: 0.9 }, seeds: ['org-03'], runs: 100, seed: 4, includeRuns: true };
      const asEdges = await post({ ...base, graph: { edges: edgesOf('orgs-directed.edgelist'), directed: true } }).expect(200);
      const asFile = await post({ ...base, graph: { format: 'graphml', data: text('orgs-directed.graphml') } }).expect(200);
      expect(timeless(asFile.body)).toEqual(timeless(asEdges.body));
      expect(asFile.body).toMatchObject({ nodes: 30, edges: 90, directed: true });
      const job = await post({ ...base, mode: 'job', graph: { format: 'node-link', data: text('orgs-directed.node-link.json') } }).expect(202);
      const done = await waitDone(job.body.id);
      expect(done.status).toBe('done');
      expect(done.result.finalSizes).toEqual(asEdges.body.finalSizes);
    });

    it('refuses an unreadable file, an unknown format and a bad grid field by field', async () => {
      const base = { model: 'ic', params: { transmissibility: 0.5 }, seeds: ['0'] };
      const rulesOf = (r: { body: { details: Array<{ field: string; rule: string }> } }) => r.body.details.map((x) => `${x.field}:${x.rule}`);
      expect(rulesOf(await post({ ...base, graph: { format: 'graphml', data: '<not-graphml/>' } }).expect(400))).toEqual(['graph.data:format']);
      expect(rulesOf(await post({ ...base, graph: { format: 'pajek', data: '' } }).expect(400))).toEqual(['graph.format:isIn']);
      expect(rulesOf(await post({ ...base, graph: { edges: [['0', '1']] }, times: [2, 1] }).expect(400))).toEqual(['times:ascending']);
      expect(rulesOf(await post({ ...base, graph: { edges: [['0', '1']] }, runs: 5000, fullData: true }).expect(400))).toEqual(['fullData:maxRuns']);
    });
  });

  it('lets researchers, analysts and admins run; responders get 403', async () => {
    const body = { model: 'ic', params: { transmissibility: 1 }, edges: [[1, 2], [2, 3]], seeds: [1], runs: 5 };
    for (const key of [keys.a.analyst, keys.b.researcher, keys.admin]) {
      const { body: r } = await post(body, key).expect(200);
      expect(r.finalSize.mean).toBe(3);
    }
    await post(body, keys.a.responder).expect(403);
    await http.post('/v1/simulations').send(body).expect(401);
  });
});
