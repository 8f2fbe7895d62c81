/**
 * `spillover simulate --edges FILE --model ic|sir [--transmissibility T | --rate R --recovery G]
 *   (--seeds 1,2,3 | --random-seeds K) --runs N --seed S [--threads K] [--directed] [--level 0.9] --json`
 *
 * Runs a spread model on an edge list (`u v [weight [kind]]` per line) and prints one JSON object:
 * {model, nodes, edges, runs, seconds, finalSize, finalFraction, arcsPerSecond, ...}.
 */
import { availableParallelism } from 'node:os';
import { GraphInputError, readEdgeList, simulate, WeightedSample, type SimulateSpec } from '../../engine';
import { CliUsageError, numberOption, parseArgs } from '../args';

const SPEC = {
  edges: 'string',
  directed: 'boolean',
  model: 'string',
  transmissibility: 'string',
  rate: 'string',
  recovery: 'string',
  seeds: 'string',
  'random-seeds': 'string',
  runs: 'string',
  seed: 'string',
  threads: 'string',
  level: 'string',
  method: 'string',
  json: 'boolean',
  help: 'boolean',
} as const;

const USAGE = `usage: spillover simulate --edges FILE --model ic|sir [--transmissibility T | --rate R --recovery G]
                         (--seeds 1,2,3 | --random-seeds K) [--runs N] [--seed S] [--threads K]
                         [--directed] [--level 0.9] [--method percolation|cascade] [--json]
`;

export async function run(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, SPEC);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positional.length) throw new CliUsageError(`unexpected argument '${positional[0]}'`);
  const file = options.edges;
  if (typeof file !== 'string') throw new CliUsageError('option --edges FILE is required');
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

  let g;
  try {
    g = readEdgeList(file, { directed: options.directed === true });
  } catch (err) {
    if (err instanceof GraphInputError) throw new CliUsageError(err.message);
    throw err;
  }
  const spec: SimulateSpec = { model, transmissibility, rate, recovery, runs, seed, method };
  if (options.seeds !== undefined) {
    const labels = String(options.seeds)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (labels.length === 0) throw new CliUsageError('--seeds: empty list');
    spec.seeds = labels.map((l) => {
      const v = g.lookup(l);
      if (v < 0) throw new CliUsageError(`${file}: --seeds: unknown node '${l}' (not in the edge list)`);
      return v;
    });
  } else {
    spec.randomSeeds = numberOption(options, 'random-seeds', 1, { min: 1, max: g.graph.n, integer: true });
  }
  if (g.graph.n === 0) throw new CliUsageError(`${file}: no edges`);

  const r = await simulate(g.graph, spec, { threads });
  const n = g.graph.n;
  const ones = new Float64Array(runs).fill(1);
  const sizes = new WeightedSample(r.finalSizes, ones);
  const fractions = new WeightedSample(Float64Array.from(r.finalSizes, (x) => x / n), ones);
  const major = Array.from(r.finalSizes).filter((x) => x > 0.01 * n);
  const cores = Math.max(1, r.threads);
  const out = {
    model,
    nodes: n,
    edges: g.edges,
    directed: options.directed === true,
    runs,
    seed,
    threads: r.threads,
    parameters: { transmissibility, rate, recovery },
    seconds: round(r.seconds, 4),
    msPerRun: round((r.kernelSeconds * 1000) / runs, 3),
    finalSize: sizes.range(level),
    finalFraction: fractions.range(level),
    largeOutbreaks: {
      thresholdFraction: 0.01,
      probability: major.length / runs,
      meanFraction: major.length ? major.reduce((a, b) => a + b, 0) / major.length / n : null,
    },
    arcsExamined: r.arcsExamined,
    arcsPerSecond: Math.round(r.arcsExamined / r.seconds),
    arcsPerSecondPerCore: Math.round(r.arcsExamined / Math.max(r.kernelSeconds, 1e-9)),
    method: model === 'ic' ? (g.graph.edges && method !== 'cascade' ? 'percolation (union-find over edges)' : 'cascade (breadth-first)') : 'event-driven (4-ary heap)',
  };
  void cores;
  if (options.json) process.stdout.write(`${JSON.stringify(out)}\n`);
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
