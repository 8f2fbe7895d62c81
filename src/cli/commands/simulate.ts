/**
 * `spillover simulate --graph FILE --model ic|sir ...`: runs a spread model on a graph file
 * (edge list, GraphML, GEXF, node-link JSON or a scenario's dependencies.csv) and prints one JSON
 * object: final size and fraction as ranges, large outbreaks, throughput; on request the S, I, R
 * counts of every run on a time grid and every run's infection and recovery times.
 */
import { availableParallelism } from 'node:os';
import { GraphInputError, historiesOf, methodOf, simulate, timeSeriesOf, WeightedSample, type SimulateSpec } from '../../engine';
import { formatOf, GRAPH_FORMATS, readGraphFile, type GraphFormat } from '../../graph-formats';
import { CliUsageError, numberOption, parseCommand, type CommandSpec } from '../options';

const SPEC: CommandSpec = {
  usage: 'spillover simulate --graph FILE --model ic|sir (--transmissibility T | --rate R --recovery G) [options]',
  about:
    'Runs a spread model on a graph file and prints JSON. Formats: edge list (`u v [weight [kind]]` per line), GraphML, GEXF,\n' +
    "node-link JSON (networkx node_link_data) and a scenario's dependencies.csv. Integer node ids are node indices; other ids\n" +
    'are numbered in order of first appearance in the edges, so one graph gives the same runs in every format.',
  options: {
    graph: { type: 'string', value: 'FILE', help: 'the graph file (required, or --edges)' },
    edges: { type: 'string', value: 'FILE', help: 'the same as --graph, its older name (one of the two is required)' },
    format: { type: 'string', value: GRAPH_FORMATS.join('|'), help: 'format of the file', default: 'from the extension: .graphml/.xml, .gexf, .json, .csv, else edge list' },
    directed: { type: 'boolean', help: 'read edges as directed arcs u -> v (GraphML, GEXF and node-link files say it themselves)', default: 'undirected' },
    model: { type: 'string', value: 'ic|sir', help: 'ic: discrete independent cascade (each arc one chance); sir: continuous-time Markovian SIR', default: 'ic' },
    transmissibility: { type: 'string', value: 'T', help: 'per-arc transmissibility in [0,1] (times the arc weight); for sir it sets rate T/(1-T) with recovery 1 (required unless --rate and --recovery)' },
    rate: { type: 'string', value: 'R', help: 'sir: transmission rate per arc (times the weight); ic: with --recovery gives T = R/(R+G) (required with --recovery unless --transmissibility)' },
    recovery: { type: 'string', value: 'G', help: 'recovery rate per node (required with --rate)' },
    seeds: { type: 'string', value: 'a,b,c', help: 'seed nodes, the same in every run', default: 'one random node per run' },
    'random-seeds': { type: 'string', value: 'K', help: 'K distinct random seed nodes drawn per run', default: '1' },
    runs: { type: 'string', value: 'N', help: 'runs', default: '100' },
    seed: { type: 'string', value: 'S', help: "random seed: run i's result depends only on (S, i), whatever the threads", default: '1' },
    threads: { type: 'string', value: 'K', help: 'worker threads (0 = this thread)', default: 'available cores' },
    level: { type: 'string', value: 'L', help: 'central interval of the final-size ranges', default: '0.9' },
    method: { type: 'string', value: 'percolation|cascade', help: 'ic on undirected graphs: percolation (union-find, fastest) or cascade (breadth-first); a time grid or --full-data needs the cascade', default: 'percolation when it applies' },
    times: { type: 'string', value: 't1,t2,...', help: 'also print every run\'s S, I, R counts at these times (sir: model time; ic: generations)', default: 'none' },
    'full-data': { type: 'boolean', help: "also print every run's infected nodes with infection and recovery times (EoN's return_full_data)", default: 'off' },
    json: { type: 'boolean', help: 'print JSON (otherwise three readable lines)', default: 'off' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, SPEC);
  if (!parsed) return 0;
  const options = parsed.values;
  if (options.graph !== undefined && options.edges !== undefined) throw new CliUsageError('give --graph or --edges, not both');
  const file = options.graph ?? options.edges;
  if (typeof file !== 'string') throw new CliUsageError('option --graph FILE is required');
  const format = (options.format ?? formatOf(file)) as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) throw new CliUsageError(`--format must be one of ${GRAPH_FORMATS.join(', ')}`);
  const model = options.model ?? 'ic';
  if (model !== 'ic' && model !== 'sir') throw new CliUsageError(`--model must be ic or sir, got '${String(model)}'`);
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'percolation' && method !== 'cascade') throw new CliUsageError(`--method must be percolation or cascade`);
  const runs = numberOption(options, 'runs', 100, { min: 1, max: 10_000_000, integer: true });
  const seed = numberOption(options, 'seed', 1, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  const threads = numberOption(options, 'threads', availableParallelism(), { min: 0, max: 256, integer: true });
  const level = numberOption(options, 'level', 0.9, { min: 0.01, max: 0.999 });
  let transmissibility: number | undefined;
  let rate: number | undefined;
  let recovery: number | undefined;
  if (options.transmissibility !== undefined) {
    if (options.rate !== undefined || options.recovery !== undefined) throw new CliUsageError('give --transmissibility or --rate with --recovery, not both');
    transmissibility = numberOption(options, 'transmissibility', undefined, { min: 0, max: 1 });
  } else if (options.rate !== undefined || options.recovery !== undefined) {
    rate = numberOption(options, 'rate', undefined, { min: 0 });
    recovery = numberOption(options, 'recovery', undefined, { min: Number.MIN_VALUE });
  } else throw new CliUsageError('give --transmissibility T, or --rate R and --recovery G');
  if (options.seeds !== undefined && options['random-seeds'] !== undefined) throw new CliUsageError('give --seeds or --random-seeds, not both');
  let times: number[] | undefined;
  if (options.times !== undefined) {
    times = String(options.times).split(',').map(Number);
    if (!times.every((t, j) => Number.isFinite(t) && t >= 0 && (j === 0 || t > times![j - 1]))) throw new CliUsageError('--times must be ascending numbers >= 0, e.g. 0,1,2,5');
  }

  let g;
  try {
    g = readGraphFile(file, { format, directed: options.directed === true });
  } catch (err) {
    if (err instanceof GraphInputError) throw new CliUsageError(err.message);
    throw err;
  }
  if (g.graph.n === 0) throw new CliUsageError(`${file}: no edges`);
  const spec: SimulateSpec = { model, transmissibility, rate, recovery, runs, seed, method, times, fullData: options['full-data'] === true };
  if (options.seeds !== undefined) {
    const labels = String(options.seeds)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (labels.length === 0) throw new CliUsageError('--seeds: empty list');
    spec.seeds = labels.map((l) => {
      const v = g.lookup(l);
      if (v < 0) throw new CliUsageError(`${file}: --seeds: unknown node '${l}' (not in the graph)`);
      return v;
    });
  } else {
    spec.randomSeeds = numberOption(options, 'random-seeds', 1, { min: 1, max: g.graph.n, integer: true });
  }

  const r = await simulate(g.graph, spec, { threads });
  const n = g.graph.n;
  const ones = new Float64Array(runs).fill(1);
  const major = Array.from(r.finalSizes).filter((x) => x > 0.01 * n);
  const out = {
    model,
    format,
    nodes: n,
    edges: g.edges,
    directed: g.directed,
    runs,
    seed,
    threads: r.threads,
    parameters: { transmissibility, rate, recovery },
    seconds: round(r.seconds, 4),
    msPerRun: round((r.kernelSeconds * 1000) / runs, 3),
    finalSize: new WeightedSample(r.finalSizes, ones).range(level),
    finalFraction: new WeightedSample(Float64Array.from(r.finalSizes, (x) => x / n), ones).range(level),
    largeOutbreaks: {
      thresholdFraction: 0.01,
      probability: major.length / runs,
      meanFraction: major.length ? major.reduce((a, b) => a + b, 0) / major.length / n : null,
    },
    arcsExamined: r.arcsExamined,
    arcsPerSecond: Math.round(r.arcsExamined / r.seconds),
    arcsPerSecondPerCore: Math.round(r.arcsExamined / Math.max(r.kernelSeconds, 1e-9)),
    method: methodOf(g.graph, spec),
  };
  const outputs = {
    timeSeries: times ? timeSeriesOf(r, times) : undefined,
    nodeHistories: spec.fullData ? historiesOf(r, (v) => (g.labels ? g.labels[v] : String(v))) : undefined,
  };
  if (options.json) process.stdout.write(`${JSON.stringify({ ...out, ...outputs })}\n`);
  else
    process.stdout.write(
      `${model} on ${file}: ${n} nodes, ${g.edges} edges, ${runs} runs in ${out.seconds} s (${out.msPerRun} ms/run/core)\n` +
        `final size mean ${out.finalSize.mean.toFixed(1)}, median ${out.finalSize.median}, ${level * 100}% [${out.finalSize.low}, ${out.finalSize.high}]\n` +
        `large outbreaks: ${(out.largeOutbreaks.probability * 100).toFixed(1)}% of runs, mean fraction ${out.largeOutbreaks.meanFraction?.toFixed(4) ?? '-'}\n`,
    );
  return 0;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
