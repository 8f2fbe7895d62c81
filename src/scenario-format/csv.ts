/**
 * CSV through csv-parse and csv-stringify, with the project's reading rules in one place:
 * fields separated by `,`; records by CRLF, LF or a lone CR (mixed); quoted fields with `""`
 * inside; a UTF-8 byte-order mark at the start dropped; blank lines skipped (a line holding `""`
 * is a record with one empty field); ragged rows returned as they are (callers name them).
 * A quote inside an unquoted field, text after a closing quote or a quote left open is a
 * {@link CsvSyntaxError} naming the record. Fields come back as strings, exactly as written.
 */
import { parse, type Options as ParseOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const READ: ParseOptions = { bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] };
/** A lone CR ends a record when read back, so any field holding CR or LF is quoted. */
const WRITE = { quoted_match: /[\r\n]/, cast: { boolean: (v: boolean) => String(v) } };

/** Malformed CSV. `record` is the 1-based record number in the file (the header is record 1). */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly record: number,
  ) {
    super(`CSV record ${record}: ${message}`);
  }
}

/** csv-parse's errors (its sync and stream builds each have their own CsvError class) as CsvSyntaxError. */
function syntaxError(err: unknown): unknown {
  const e = err as { code?: unknown; records?: unknown; message?: string };
  if (typeof e?.code !== 'string' || typeof e.records !== 'number') return err;
  // `records` counts the records completed before the faulty one
  return new CsvSyntaxError(e.message ?? String(err), e.records + 1);
}

export interface ParsedCsv {
  header: string[];
  /** Data rows; `rows[i]` is data row i+1 (file record i+2). */
  rows: string[][];
}

/** Parses a whole CSV text whose first record is the header. An empty text gives an empty header. */
export function parseCsv(text: string): ParsedCsv {
  let all: string[][];
  try {
    all = parseSync(text, READ) as string[][];
  } catch (err) {
    throw syntaxError(err);
  }
  return { header: all.length ? all[0] : [], rows: all.slice(1) };
}

/**
 * Parses a stream of text or byte chunks (e.g. `createReadStream(path)`), yielding data rows in
 * batches with the number of their first row; the header is the first record. Memory stays
 * bounded by the batch and chunk sizes (csv-parse's stream parser, fed with back-pressure).
 */
export async function* parseCsvStream(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<{ header: string[]; rows: string[][]; firstRow: number }> {
  const parser = parse(READ);
  // Records are taken as the parser emits them and handed out once per input chunk: an
  // async step per record would cost more than the parsing.
  let records: string[][] = [];
  let failure: unknown = null;
  parser.on('data', (r: string[]) => records.push(r));
  parser.on('error', (err) => (failure ??= err));
  const ended = new Promise<void>((resolve) => parser.once('end', resolve).once('error', () => resolve()));
  let header: string[] | null = null;
  let firstRow = 1;
  const take = () => {
    if (failure) throw syntaxError(failure);
    const rows = records;
    records = [];
    if (header === null && rows.length) header = rows.shift()!;
    const batch = { header: header ?? [], rows, firstRow };
    firstRow += rows.length;
    return batch;
  };
  for await (const chunk of chunks) {
    if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve).once('error', resolve));
    await new Promise(setImmediate);
    const batch = take();
    if (batch.rows.length) yield batch;
  }
  parser.end();
  await ended;
  const last = take();
  if (last.rows.length || header === null) yield last;
}

/** One record, without its line break. */
export function csvLine(values: readonly unknown[]): string {
  return stringify([values as unknown[]], { ...WRITE, record_delimiter: '\n' }).slice(0, -1);
}

/** One field, quoted when it holds a comma, quote, CR or LF (and then with quotes doubled). */
export function csvField(value: unknown): string {
  return csvLine([value]);
}

/**
 * Serialises a header and rows. Records end with CRLF as RFC 4180 says, unless `eol` says
 * otherwise (the scenario files use LF); the last record is terminated too.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>, eol: '\r\n' | '\n' = '\r\n'): string {
  return stringify([header as string[], ...(Array.from(rows) as unknown[][])], { ...WRITE, record_delimiter: eol });
}
