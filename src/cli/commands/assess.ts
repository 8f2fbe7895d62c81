/**
 * `spillover assess --scenario DIR --runs N --seed S [--as-of ISO] [--horizon-hours H]
 *   [--model sir|ic] [--threads K] [--level 0.9] [--forward] [--sampler adaptive|prior] [--full] --json`
 *
 * `--sampler prior` draws every calibrated parameter from its prior (the original importance
 * weighting); the default, adaptive, is described in src/engine/README.md (Calibration).
 *
 * Reads a scenario folder (scenario.json, entities.csv, dependencies.csv, weapon.json,
 * reports.json), runs the assessment and prints the summary as the API returns it
 * (`--full`: the whole result: entities, groups, timeline, early warning, runs).
 */
import { availableParallelism } from 'node:os';
import { GraphInputError, prepareScenario, runAssessment, ScenarioInputError, UnstableDependencyMatrixError } from '../../engine';
import { readScenario, ScenarioError } from '../../scenario';
import { CliUsageError, numberOption, parseArgs } from '../args';

const SPEC = {
  scenario: 'string',
  runs: 'string',
  seed: 'string',
  'as-of': 'string',
  'horizon-hours': 'string',
  model: 'string',
  threads: 'string',
  level: 'string',
  forward: 'boolean',
  sampler: 'string',
  full: 'boolean',
  json: 'boolean',
  help: 'boolean',
} as const;

const USAGE = `usage: spillover assess --scenario DIR [--runs N] [--seed S] [--as-of ISO] [--horizon-hours H]
                       [--model sir|ic] [--threads K] [--level 0.9] [--forward] [--sampler adaptive|prior]
                       [--full] [--json]
`;

export async function run(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, SPEC);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positional.length) throw new CliUsageError(`unexpected argument '${positional[0]}'`);
  const dir = options.scenario;
  if (typeof dir !== 'string') throw new CliUsageError('option --scenario DIR is required');
  const runs = numberOption(options, 'runs', 1000, { min: 1, max: 1_000_000, integer: true });
  const seed = numberOption(options, 'seed', 1, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  const threads = numberOption(options, 'threads', availableParallelism(), { min: 0, max: 256, integer: true });
  const level = numberOption(options, 'level', 0.9, { min: 0.01, max: 0.999 });
  const model = options.model ?? 'sir';
  if (model !== 'ic' && model !== 'sir') throw new CliUsageError(`--model must be ic or sir, got '${String(model)}'`);
  let asOf: string | undefined;
  if (options['as-of'] !== undefined) {
    asOf = String(options['as-of']);
    if (!Number.isFinite(Date.parse(asOf))) throw new CliUsageError(`--as-of must be an ISO 8601 time, got '${asOf}'`);
  }
  let data;
  try {
    data = await readScenario(dir);
  } catch (err) {
    if (err instanceof ScenarioError) throw new CliUsageError(err.message);
    throw err;
  }
  const horizonHours = numberOption(options, 'horizon-hours', data.scenario.horizonHours ?? 168, { min: 0 });
  let prepared;
  try {
    prepared = prepareScenario({
      entities: data.entities,
      dependencies: data.dependencies,
      weapon: data.weapon,
      reports: data.reports,
      asOf: asOf ?? data.scenario.asOf,
      horizonHours,
    });
  } catch (err) {
    if (err instanceof ScenarioInputError || err instanceof UnstableDependencyMatrixError || err instanceof GraphInputError) throw new CliUsageError(`${dir}: ${err.message}`);
    throw err;
  }
  const sampler = options.sampler ?? 'adaptive';
  if (sampler !== 'adaptive' && sampler !== 'prior') throw new CliUsageError(`--sampler must be adaptive or prior, got '${String(sampler)}'`);
  const result = await runAssessment(prepared, { runs, seed, threads, model, confidenceLevel: level, calibrate: options.forward !== true, sampler });
  const out = options.full
    ? result
    : {
        scenario: data.scenario.id,
        weaponId: data.weapon.id,
        model,
        runs,
        seed,
        asOf: result.asOf,
        horizonHours: result.horizonHours,
        reportsUsed: result.reportsUsed,
        seconds: Math.round(result.stats.seconds * 1000) / 1000,
        ...result.summary,
        warnings: result.warnings,
      };
  if (options.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
