/**
 * `spillover scenario check <folder>`: validates a scenario folder (every file, every row) and
 * prints its counts as JSON on stdout. Exit 0 when valid; exit 2 with every problem listed (as JSON
 * on stdout and readable lines on stderr) when not.
 *
 * `spillover scenario load <folder>` writes a folder into the configured database (scenario-load.ts).
 */
import { CliUsageError, numberOption, parseCommand, type CommandSpec } from '../options';
import { checkScenario, formatProblems, summarise } from '../../scenario-format';

const USAGE =
  'usage: spillover scenario check <folder> [--max-problems N]\n       spillover scenario load <folder>\n\n' +
  'subcommands (each takes --help):\n' +
  '  check  validate every file and row of a scenario folder and print its counts as JSON (exit 2 when invalid)\n' +
  '  load   write a scenario folder into the database of DATABASE_URL (as `npm start` uses it) in one transaction';

const CHECK: CommandSpec = {
  usage: 'spillover scenario check <folder> [--max-problems N]',
  about: 'Validates every file and row of a scenario folder and prints its counts (exit 2 and every problem when invalid).',
  options: { 'max-problems': { type: 'string', value: 'N', help: 'problems listed in the JSON answer', default: '1000' } },
  positionals: true,
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (sub === 'load') return (await import('./scenario-load')).runLoad(rest);
  if (sub !== 'check') throw new CliUsageError(sub ? `unknown subcommand '${sub}'\n${USAGE}` : USAGE);
  const parsed = parseCommand(rest, CHECK);
  if (!parsed) return 0;
  const positional = parsed.positionals;
  if (positional.length !== 1) throw new CliUsageError(`scenario check needs exactly one folder\n${USAGE}`);
  const max = numberOption(parsed.values, 'max-problems', 1000, { min: 0, integer: true });
  const t0 = Date.now();
  const { data, problems } = await checkScenario(positional[0]);
  if (!data) {
    process.stdout.write(
      JSON.stringify({ valid: false, folder: positional[0], problemCount: problems.length, problems: problems.slice(0, max) }, null, 2) + '\n',
    );
    process.stderr.write(`scenario ${positional[0]}: ${problems.length} problem(s)\n${formatProblems(problems, 50)}\n`);
    return 2;
  }
  const summary = summarise(data);
  process.stdout.write(JSON.stringify({ valid: true, folder: positional[0], ...summary, checkMs: Date.now() - t0 }, null, 2) + '\n');
  return 0;
}
