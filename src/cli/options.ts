/**
 * Command-line options through Node's own parser (`node:util` parseArgs): each command declares
 * its options once, with what each means and its default, and gets parsing, `--help` and usage
 * errors from that one declaration.
 */
import { parseArgs } from 'node:util';

/** A problem with the command line or its input files: exit code 2, message on stderr. */
export class CliUsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the value is, in the help (`N`, `FILE`, ...). */
  value?: string;
  help: string;
  /** The default as the help shows it. */
  default?: string;
}

export interface CommandSpec {
  /** `spillover simulate --edges FILE ...` */
  usage: string;
  /** A paragraph under the usage line. */
  about?: string;
  options: Record<string, OptionSpec>;
  /** Whether bare arguments are allowed. */
  positionals?: boolean;
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** The help text: usage, then every option with what it means and its default. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [`  --${name}${o.value ? ` ${o.value}` : ''}`, o.help + (o.default !== undefined ? ` (default: ${o.default})` : '')]);
  rows.push(['  -h, --help', 'print this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `usage: ${spec.usage}\n${spec.about ? `\n${spec.about}\n` : ''}\noptions:\n${rows.map(([l, r]) => l.padEnd(width) + r).join('\n')}\n`;
}

/** Parses argv against the spec; null when help was asked for (and printed). Unknown options are usage errors. */
export function parseCommand(argv: string[], spec: CommandSpec): { values: OptionValues; positionals: string[] } | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new CliUsageError(`${(err as Error).message}\n${helpText(spec)}`);
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(spec));
    return null;
  }
  if (!spec.positionals && parsed.positionals.length) throw new CliUsageError(`unexpected argument '${parsed.positionals[0]}'`);
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/** A numeric option, checked against its range. */
export function numberOption(
  values: OptionValues,
  key: string,
  fallback: number | undefined,
  check: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = values[key];
  if (raw === undefined) {
    if (fallback === undefined) throw new CliUsageError(`option --${key} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) throw new CliUsageError(`option --${key} must be a number, got '${raw}'`);
  if (check.integer && !Number.isInteger(value)) throw new CliUsageError(`option --${key} must be an integer`);
  if (check.min !== undefined && value < check.min) throw new CliUsageError(`option --${key} must be >= ${check.min}`);
  if (check.max !== undefined && value > check.max) throw new CliUsageError(`option --${key} must be <= ${check.max}`);
  return value;
}
