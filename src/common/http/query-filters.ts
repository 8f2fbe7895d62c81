import { invalid } from '../errors/domain-error';

/** Escapes LIKE wildcards; used with `ESCAPE '\'`. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/**
 * Values of a comma-separated filter (`country=GB,UA`), normalised; an unknown value is a 400
 * (a typo must not look like "no match").
 */
export function filterValues(field: string, raw: string | undefined, normalise: (v: string) => string | null, rule: string, expected: string): string[] {
  const values = raw ? raw.split(',').map((v) => v.trim()).filter(Boolean) : [];
  const out: string[] = [];
  const bad: string[] = [];
  for (const v of values) {
    const n = normalise(v);
    if (n === null) bad.push(v);
    else out.push(n);
  }
  if (bad.length) throw invalid(`invalid filter: ${field}`, [{ field, rule, message: `unknown ${field} ${bad.map((b) => `'${b}'`).join(', ')}; expected ${expected}` }]);
  return out;
}
