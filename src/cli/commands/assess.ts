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
import { readScenario, ScenarioError } from '../../scenario-format';
import { CliUsageError, numberOption, parseCommand, type CommandSpec } from '../options';

const SPEC: CommandSpec = {
  usage: 'spillover assess --scenario DIR [options]',
  about: 'Assesses the damage of a scenario folder and prints the summary as the API returns it.',
  options: {
    scenario: { type: 'string', value: 'DIR', help: 'scenario folder: scenario.json, entities.csv, dependencies.csv, weapon.json, reports.json (required)' },
    runs: { type: 'string', value: 'N', help: 'Monte Carlo runs', default: '1000' },
    seed: { type: 'string', value: 'S', help: 'random seed: the same seed and inputs give the same result', default: '1' },
    'as-of': { type: 'string', value: 'ISO', help: "time of the assessment: reports after it are ignored, infections before it are 'by asOf'", default: "the scenario's asOf" },
    'horizon-hours': { type: 'string', value: 'H', help: 'how far past asOf the spread is forecast', default: "the scenario's horizonHours, else 168" },
    model: { type: 'string', value: 'sir|ic', help: 'spread model: sir (event-driven, in time) or ic (independent cascade, no time)', default: 'sir' },
    threads: { type: 'string', value: 'K', help: 'worker threads (0 = this thread)', default: 'available cores' },
    level: { type: 'string', value: 'L', help: 'central interval of every range', default: '0.9' },
    forward: { type: 'boolean', help: 'forward mode: no calibration to the reports (parameters from their priors, runs unweighted)', default: 'off (calibrated)' },
    sampler: { type: 'string', value: 'adaptive|prior', help: 'calibration sampler: adaptive (a pilot fits a proposal) or prior (parameters from their priors, importance-weighted)', default: 'adaptive' },
    full: { type: 'boolean', help: 'print the whole result (entities, groups, timeline, early warning, runs), not only the summary', default: 'off' },
    json: { type: 'boolean', help: 'one line of JSON instead of indented JSON', default: 'off' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, SPEC);
  if (!parsed) return 0;
  const options = parsed.values;
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
