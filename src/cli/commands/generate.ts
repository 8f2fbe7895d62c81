/**
 * `spillover generate --entities N --out DIR [--seed S] [--degree K] [--alpha A] [--reports R] [--check]`:
 * writes a synthetic scenario folder (src/scenario-format/generate.ts documents the model) and prints its
 * figures as JSON. Same options, same files. `--check` validates the folder afterwards.
 */
import { existsSync, readdirSync } from 'node:fs';
import { CliUsageError, numberOption, parseCommand, type CommandSpec } from '../options';
import { generateScenario } from '../../scenario-format/generate';
import { checkScenario, formatProblems } from '../../scenario-format';

const SPEC: CommandSpec = {
  usage: 'spillover generate --entities N --out DIR [options]',
  about: 'Writes a synthetic scenario folder (src/scenario-format/generate.ts documents the model) and prints its figures as JSON. Same options, same files.',
  options: {
    entities: { type: 'string', value: 'N', help: 'entities to generate, organisations and their sites (required)' },
    out: { type: 'string', value: 'DIR', help: 'folder to write (required; must be empty unless --force)' },
    seed: { type: 'string', value: 'S', help: 'seed (any text)', default: '1' },
    degree: { type: 'string', value: 'K', help: 'mean dependencies per entity, hierarchy edges included', default: '10' },
    alpha: { type: 'string', value: 'A', help: 'power-law exponent of the degree distribution (> 2)', default: '2.5' },
    reports: { type: 'string', value: 'R', help: 'seed reports in reports.json', default: '10' },
    force: { type: 'boolean', help: 'write into a folder that is not empty', default: 'off' },
    check: { type: 'boolean', help: 'validate the folder afterwards (exit 1 when invalid)', default: 'off' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, SPEC);
  if (!parsed) return 0;
  const options = parsed.values;
  const entities = numberOption(options, 'entities', undefined, { min: 2, max: 50_000_000, integer: true });
  const avgDegree = numberOption(options, 'degree', 10, { min: 0, max: 1000 });
  const alpha = numberOption(options, 'alpha', 2.5, { min: 2.01, max: 10 });
  const reports = numberOption(options, 'reports', 10, { min: 0, max: 100_000, integer: true });
  const out = options.out;
  if (typeof out !== 'string' || !out) throw new CliUsageError('option --out DIR is required');
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
