/** A problem with the command line or its input files: exit code 2, message on stderr. */
export class CliUsageError extends Error {}

/** Minimal `--name value` / `--flag` parser; unknown options are usage errors. */
export function parseArgs(
  argv: string[],
  spec: Record<string, 'string' | 'boolean'>,
): { options: Record<string, string | boolean>; positional: string[] } {
  const options: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq === -1 ? undefined : eq);
    const type = spec[key];
    if (!type) throw new CliUsageError(`unknown option --${key}`);
    if (type === 'boolean') {
      options[key] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new CliUsageError(`option --${key} needs a value`);
    options[key] = value;
  }
  return { options, positional };
}

/** A numeric option, checked against its range. */
export function numberOption(
  options: Record<string, string | boolean>,
  key: string,
  fallback: number | undefined,
  check: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = options[key];
  if (raw === undefined) {
    if (fallback === undefined) throw new CliUsageError(`option --${key} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value))
    throw new CliUsageError(`option --${key} must be a number, got '${raw}'`);
  if (check.integer && !Number.isInteger(value)) throw new CliUsageError(`option --${key} must be an integer`);
  if (check.min !== undefined && value < check.min) throw new CliUsageError(`option --${key} must be >= ${check.min}`);
  if (check.max !== undefined && value > check.max) throw new CliUsageError(`option --${key} must be <= ${check.max}`);
  return value;
}
