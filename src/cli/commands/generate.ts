/**
 * `spillover generate --entities N --out DIR [--seed S] [--degree K] [--alpha A] [--reports R] [--check]`:
 * writes a synthetic scenario folder (src/scenario/generate.ts documents the model) and prints its
 * figures as JSON. Same options, same files. `--check` validates the folder afterwards.
 */
import { existsSync, readdirSync } from 'node:fs';
import { CliUsageError, numberOption, parseArgs } from '../args';
import { generateScenario } from '../../scenario/generate';
import { checkScenario, formatProblems } from '../../scenario';

const USAGE =
  'usage: spillover generate --entities N --out DIR [--seed S] [--degree K=10] [--alpha A=2.5] [--reports R=10] [--force] [--check]';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { options, positional } = parseArgs(argv, {
    entities: 'string', out: 'string', seed: 'string', degree: 'string', alpha: 'string', reports: 'string', force: 'boolean', check: 'boolean',
  });
  if (positional.length) throw new CliUsageError(`unexpected argument '${positional[0]}'\n${USAGE}`);
  const entities = numberOption(options, 'entities', undefined, { min: 2, max: 50_000_000, integer: true });
  const avgDegree = numberOption(options, 'degree', 10, { min: 0, max: 1000 });
  const alpha = numberOption(options, 'alpha', 2.5, { min: 2.01, max: 10 });
  const reports = numberOption(options, 'reports', 10, { min: 0, max: 100_000, integer: true });
  const out = options.out;
  if (typeof out !== 'string' || !out) throw new CliUsageError(`--out DIR is required\n${USAGE}`);
  if (existsSync(out) && readdirSync(out).length && !options.force) throw new CliUsageError(`${out} is not empty (use --force to overwrite)`);
  const seed = typeof options.seed === 'string' ? options.seed : '1';
  const stats = generateScenario(out, { entities, avgDegree, alpha, reports, seed });
  const result: Record<string, unknown> = {
    ...stats,
    entitiesPerSecond: Math.round(stats.entities / (stats.ms / 1000)),
    dependenciesPerSecond: Math.round(stats.dependencies / (stats.ms / 1000)),
    megabytes: Math.round(stats.bytes / 1e5) / 10,
    peakRssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
  if (options.check) {
    const t0 = Date.now();
    const { problems } = await checkScenario(out);
    result.valid = problems.length === 0;
    result.checkMs = Date.now() - t0;
    if (problems.length) process.stderr.write(formatProblems(problems, 50) + '\n');
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return result.valid === false ? 1 : 0;
}
