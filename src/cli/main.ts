#!/usr/bin/env node
/**
 * The researchers' command line: `spillover <command> [options]` (or `npm run cli -- <command> ...`).
 * Each command lives in its own module under ./commands and exports `run(argv): Promise<number>`
 * (the process exit code). Usage errors exit 2 with the reason on stderr.
 */
import { CliUsageError } from './options';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

// Each command module adds its line here.
const COMMANDS: Record<string, Command> = {
  simulate: { summary: 'run a spread model (ic, sir) on a graph file (edge list, GraphML, GEXF, node-link JSON, dependencies.csv)', load: () => import('./commands/simulate') },
  assess: { summary: 'assess the damage of a scenario folder', load: () => import('./commands/assess') },
  generate: { summary: 'write a large synthetic scenario folder (seeded, heavy-tailed)', load: () => import('./commands/generate') },
  scenario: { summary: 'check a scenario folder (validate every file and row, print counts)', load: () => import('./commands/scenario') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: spillover <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`spillover: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (err) {
    if (err instanceof CliUsageError) {
      process.stderr.write(`spillover ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

// Set exitCode and let the process end by itself: process.exit() would drop what a pipe has not yet
// read from stdout (anything past the 64 kB pipe buffer when the reader is slower than the writer).
if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: nothing more to write, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit();
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`spillover: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
