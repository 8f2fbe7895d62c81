import { DomainError, ErrorDetail, invalid } from '../common/errors/domain-error';
import { CsvSyntaxError, parseCsv } from '../scenario-format/csv';
import { csvRowToInput } from './report-rules';
import { MAX_BULK_REPORTS } from './report-writer';

/** CSV columns of a bulk upload; dotted ones build nested values. */
export const CSV_COLUMNS = [
  'weaponId', 'entityId', 'observedAt', 'status', 'hostsAffected', 'downtimeHours', 'lossUsd.low', 'lossUsd.high', 'confidence', 'tlp',
  'source', 'supersedes', 'organizationId', 'entity.id', 'entity.name', 'entity.kind', 'entity.parentId', 'entity.country', 'entity.sector',
  'entity.hosts', 'entity.dailyValueUsd', 'entity.populationServed', 'entity.tags', 'entity.protected',
] as const;
const KNOWN = new Set<string>(CSV_COLUMNS);

/**
 * The rows of a bulk body: a JSON array, or `text/csv` with a header row. For CSV, `rowOffset`
 * is 1 so error rows are the file's record numbers (the header is record 1).
 */
export function bulkRows(body: unknown, contentType: string | undefined): { rows: unknown[]; rowOffset: number } {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv' || type === 'text/plain') {
    if (typeof body !== 'string') throw invalid('empty CSV body', [{ field: 'body', rule: 'csv', message: 'send a header row and data rows' }]);
    let parsed;
    try {
      parsed = parseCsv(body);
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw invalid(err.message, [{ row: err.record, field: 'body', rule: 'csv', message: err.message }]);
      throw err;
    }
    const header = parsed.header.map((h) => h.trim());
    const errors: ErrorDetail[] = [];
    header.forEach((h) => {
      if (!KNOWN.has(h)) errors.push({ row: 1, field: h, rule: 'unknownProperty', message: `unknown column '${h}'; columns: ${CSV_COLUMNS.join(', ')}` });
    });
    for (const required of ['weaponId', 'observedAt', 'status']) {
      if (!header.includes(required)) errors.push({ row: 1, field: required, rule: 'required', message: `the header needs a '${required}' column` });
    }
    if (!header.includes('entityId') && !header.includes('entity.id')) errors.push({ row: 1, field: 'entityId', rule: 'required', message: "the header needs an 'entityId' (or 'entity.id') column" });
    if (new Set(header).size !== header.length) errors.push({ row: 1, field: 'header', rule: 'duplicate', message: 'a column appears twice' });
    if (errors.length) throw invalid('bad CSV header', errors);
    if (parsed.rows.length > MAX_BULK_REPORTS) throw tooMany();
    parsed.rows.forEach((cells, i) => {
      if (cells.length !== header.length) {
        errors.push({ row: i + 2, field: 'row', rule: 'columns', message: `${cells.length} fields where the header has ${header.length}` });
      }
    });
    if (errors.length) throw invalid(`${errors.length} CSV row(s) rejected; nothing was written`, errors);
    return { rows: parsed.rows.map((cells) => csvRowToInput(header, cells)), rowOffset: 1 };
  }
  if (type !== '' && type !== 'application/json') {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `unsupported content type '${type}'`, [
      { field: 'content-type', rule: 'mediaType', message: 'send application/json (an array of reports) or text/csv' },
    ]);
  }
  if (!Array.isArray(body)) throw invalid('the body must be a JSON array of reports', [{ field: 'body', rule: 'isArray', message: 'send [report, ...] (1 to 10,000)' }]);
  if (body.length > MAX_BULK_REPORTS) throw tooMany();
  return { rows: body, rowOffset: 0 };
}

const tooMany = () =>
  invalid(`at most ${MAX_BULK_REPORTS} reports per bulk request`, [{ field: 'body', rule: 'maxSize', message: `send at most ${MAX_BULK_REPORTS} reports; split larger uploads` }]);
