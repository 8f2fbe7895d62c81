/**
 * Turns a bulk request body (a JSON array, or CSV text sent as `text/csv`) into JSON-typed
 * records for entity-rules.ts, so both formats pass exactly the same checks.
 *
 * CSV: RFC 4180 (quoted fields, doubled quotes, CRLF or LF), a header row naming the fields;
 * empty cells are absent values; `tags` are separated by `;`; numbers and `true`/`false`
 * are converted where the field expects them (anything else is left as text so the rules
 * report it). Row numbers in errors are data rows, 1-based, header excluded.
 */
import { DomainError, ErrorDetail, invalid } from '../common/errors/domain-error';

export const MAX_BULK_ROWS = 100_000;

/** Parses CSV text into rows of cells. Throws on an unterminated quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (c === '\n') line++;
      cell += c; i++; continue;
    }
    if (c === '"' && cell === '') { quoted = true; quoteLine = line; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (c === '\n' || c === '\r') { row.push(cell); rows.push(row); row = []; cell = ''; line++; i++; continue; }
    cell += c; i++;
  }
  if (quoted) throw invalid('malformed CSV', [{ field: 'body', rule: 'csv', message: `unterminated quoted field starting on line ${quoteLine}` }]);
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

type FieldType = 'string' | 'number' | 'boolean' | 'list';

const ENTITY_TYPES: Record<string, FieldType> = {
  id: 'string', name: 'string', kind: 'string', parentId: 'string', country: 'string', sector: 'string',
  hosts: 'number', dailyValueUsd: 'number', populationServed: 'number', tags: 'list', protected: 'boolean', stixId: 'string',
};
const DEPENDENCY_TYPES: Record<string, FieldType> = {
  sourceId: 'string', targetId: 'string', kind: 'string', weight: 'number', bidirectional: 'boolean',
};
export const CSV_FIELDS = { entity: ENTITY_TYPES, dependency: DEPENDENCY_TYPES };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function convert(cell: string, type: FieldType): unknown {
  const v = cell.trim();
  if (v === '') return undefined;
  switch (type) {
    case 'number': return NUMBER.test(v) ? Number(v) : v;
    case 'boolean': return /^(true|1|yes)$/i.test(v) ? true : /^(false|0|no)$/i.test(v) ? false : v;
    case 'list': return v.split(';').map((s) => s.trim()).filter(Boolean);
    default: return v;
  }
}

/** CSV text to typed records; unknown header names are kept so the rules report them as unknown properties. */
export function csvToRecords(text: string, types: Record<string, FieldType>): Record<string, unknown>[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim());
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw invalid('malformed CSV', [{ field: 'body', rule: 'csvHeader', message: `column '${dup}' appears twice in the header` }]);
  // A row with the wrong number of cells is malformed CSV: every such row is reported before any field is checked.
  const ragged: ErrorDetail[] = [];
  for (let r = 1; r < rows.length; r++) {
    if (rows[r].length !== header.length) {
      ragged.push({ row: r, field: 'row', rule: 'csvColumns', message: `${rows[r].length} cells for ${header.length} columns` });
    }
  }
  if (ragged.length) throw invalid(`malformed CSV: ${ragged.length} row(s) with the wrong number of cells`, ragged);
  const out: Record<string, unknown>[] = new Array(rows.length - 1);
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    const rec: Record<string, unknown> = {};
    for (let c = 0; c < header.length; c++) {
      const value = convert(cells[c], types[header[c]] ?? 'string');
      if (value !== undefined) rec[header[c]] = value;
    }
    out[r - 1] = rec;
  }
  return out;
}

/** The rows of a bulk request: a JSON array or CSV text. Refuses other bodies and more than MAX_BULK_ROWS rows. */
export function bulkRows(body: unknown, kind: keyof typeof CSV_FIELDS): unknown[] {
  let rows: unknown[];
  if (Array.isArray(body)) rows = body;
  else if (typeof body === 'string') rows = csvToRecords(body, CSV_FIELDS[kind]);
  else {
    throw invalid('the body must be a JSON array or text/csv', [
      { field: 'body', rule: 'bulkBody', message: 'send a JSON array of objects (application/json) or CSV with a header row (text/csv)' },
    ]);
  }
  if (rows.length === 0) throw invalid('no rows', [{ field: 'body', rule: 'minRows', message: 'the request has no rows' }]);
  if (rows.length > MAX_BULK_ROWS) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `at most ${MAX_BULK_ROWS} rows per request`, [
      { field: 'body', rule: 'maxRows', message: `${rows.length} rows; split the import into requests of at most ${MAX_BULK_ROWS}` },
    ]);
  }
  return rows;
}
