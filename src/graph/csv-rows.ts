/**
 * The rows of a bulk request body: a JSON array of objects, or CSV text sent as `text/csv`.
 * CSV is parsed by src/scenario-format/csv.ts (RFC 4180) with the header rules of scenario files
 * (src/scenario-format/validate.ts: known columns only, required ones present, `tags` separated by
 * `;`); its rows become objects of text cells that the row rules parse (`text` mode), so JSON
 * and CSV pass exactly the same checks. Row numbers are data rows, 1-based, header excluded.
 */
import { DomainError, ErrorDetail, invalid } from '../common/errors/domain-error';
import { CsvSyntaxError, parseCsv } from '../scenario-format/csv';
import { checkDependencyHeader, checkEntityHeader, type CsvColumns } from '../scenario-format/validate';

export const MAX_BULK_ROWS = 100_000;

export type BulkKind = 'entity' | 'dependency';

export interface BulkRows {
  rows: unknown[];
  /** True for CSV: the values are text cells. */
  text: boolean;
}

const HEADER: Record<BulkKind, (header: string[], errors: ErrorDetail[]) => CsvColumns | null> = {
  entity: checkEntityHeader,
  dependency: checkDependencyHeader,
};

/** CSV text to objects of text cells, one per data row; malformed CSV (syntax, header, ragged rows) is a 400 listing every problem. */
export function csvToRecords(text: string, kind: BulkKind): Record<string, string>[] {
  let parsed;
  try {
    parsed = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw invalid('malformed CSV', [{ row: err.record - 1, field: 'body', rule: 'csv', message: err.message }]);
    }
    throw err;
  }
  if (parsed.header.length === 0) return [];
  const headerErrors: ErrorDetail[] = [];
  const cols = HEADER[kind](parsed.header, headerErrors);
  if (!cols) throw invalid('invalid CSV header', headerErrors);
  const ragged: ErrorDetail[] = [];
  const out: Record<string, string>[] = new Array(parsed.rows.length);
  for (let r = 0; r < parsed.rows.length; r++) {
    const cells = parsed.rows[r];
    if (cells.length !== cols.names.length) {
      ragged.push({ row: r + 1, field: 'row', rule: 'columns', message: `row has ${cells.length} fields, the header ${cols.names.length}` });
      continue;
    }
    const o: Record<string, string> = {};
    for (const [name, i] of cols.index) o[name] = cells[i];
    out[r] = o;
  }
  if (ragged.length) throw invalid(`malformed CSV: ${ragged.length} row(s) with the wrong number of fields`, ragged);
  return out;
}

/** The rows of a bulk request: a JSON array or CSV text. Refuses other bodies and more than MAX_BULK_ROWS rows. */
export function bulkRows(body: unknown, kind: BulkKind): BulkRows {
  let result: BulkRows;
  if (Array.isArray(body)) result = { rows: body, text: false };
  else if (typeof body === 'string') result = { rows: csvToRecords(body, kind), text: true };
  else {
    throw invalid('the body must be a JSON array or text/csv', [
      { field: 'body', rule: 'bulkBody', message: 'send a JSON array of objects (application/json) or CSV with a header row (text/csv)' },
    ]);
  }
  if (result.rows.length === 0) throw invalid('no rows', [{ field: 'body', rule: 'minRows', message: 'the request has no rows' }]);
  if (result.rows.length > MAX_BULK_ROWS) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `at most ${MAX_BULK_ROWS} rows per request`, [
      { field: 'body', rule: 'maxRows', message: `${result.rows.length} rows; split the import into requests of at most ${MAX_BULK_ROWS}` },
    ]);
  }
  return result;
}
