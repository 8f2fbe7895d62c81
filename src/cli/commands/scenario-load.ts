/**
 * `spillover scenario load <folder>`: writes a scenario folder into the configured database
 * (DATABASE_URL, as `npm start` uses it) through a Nest application context, in one transaction,
 * and prints the summary as JSON. Exit 0 on success; 2 when the folder is invalid (every problem
 * on stderr); 1 when it cannot be loaded (already loaded, database down).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliUsageError, parseCommand, type CommandSpec } from '../options';
import { DomainError } from '../../common/errors/domain-error';
import { createAppLogger } from '../../common/logging/logger';

const LOAD: CommandSpec = {
  usage: 'spillover scenario load <folder>',
  about:
    'Writes a scenario folder into the database of DATABASE_URL (default: the SQLite file `npm start` uses) in one transaction and\n' +
    'prints the summary as JSON. Exit 0 when loaded; 2 when the folder is invalid (every problem on stderr); 1 when it cannot be\n' +
    'loaded (already loaded, database down). LOG_LEVEL sets the log level (default: warn).',
  options: {},
  positionals: true,
};

export async function runLoad(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, LOAD);
  if (!parsed) return 0;
  const args = parsed.positionals;
  if (args.length !== 1) throw new CliUsageError('usage: spillover scenario load <folder>');
  const dir = resolve(args[0]);
  if (!existsSync(dir)) throw new CliUsageError(`no folder ${args[0]}`);
  // The CLI loads what it is told to, never the demo on top of it.
  process.env.DEMO_SCENARIO = 'false';
  // Only warnings and errors unless asked: stdout carries the summary.
  process.env.LOG_LEVEL ??= 'warn';
  const { AppModule } = await import('../../app.module');
  const { ScenariosService } = await import('../../scenarios/scenarios.service');
  const app = await NestFactory.createApplicationContext(AppModule, { logger: createAppLogger(process.env.LOG_LEVEL as 'warn') });
  try {
    const summary = await app.get(ScenariosService).loadDir(dir, null);
    process.stdout.write(JSON.stringify({ loaded: true, folder: args[0], ...summary }, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const lines = err.details.slice(0, 50).map((d) => `  ${d.row !== undefined ? `row ${d.row} ` : ''}${d.field} [${d.rule}]: ${d.message}`);
    if (err.details.length > 50) lines.push(`  ... and ${err.details.length - 50} more`);
    process.stderr.write(`spillover scenario load: ${err.message}\n${lines.join('\n')}\n`);
    return err.code === 'UNPROCESSABLE' || err.code === 'INVALID_INPUT' ? 2 : 1;
  } finally {
    await app.close();
  }
}
