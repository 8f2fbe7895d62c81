import { ErrorDetail, invalid, unprocessable } from './domain-error';

/** Rules whose breach is about other rows or stored data (422), as opposed to the row's own shape (400). */
const REFERENCE_RULES = new Set(['unique', 'duplicate', 'reference', 'exists', 'cycle']);

/** Throws the error for a bulk validation: 400 when any row is malformed, else 422 (references, duplicates, cycles). */
export function throwRowErrors(what: string, errors: ErrorDetail[]): never {
  const rows = new Set(errors.map((e) => e.row ?? 0)).size;
  const message = `${rows} ${what} row(s) rejected; nothing was written`;
  if (errors.some((e) => !REFERENCE_RULES.has(e.rule))) throw invalid(message, errors);
  throw unprocessable(message, errors);
}
