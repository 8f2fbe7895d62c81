/**
 * RFC 4180 CSV, parsing and writing, with no dependency.
 *
 * Parsing accepts what RFC 4180 describes plus what real files carry:
 * - fields separated by `,`, records by CRLF, LF or a lone CR (all three, mixed);
 * - quoted fields (`"a,b"`), with `""` for a quote inside them, holding commas, quotes, CR and LF;
 * - a UTF-8 byte-order mark (U+FEFF) at the very start, which is dropped;
 * - a missing final line break;
 * - completely empty lines, which are skipped (a line holding `""` is a record with one empty field).
 * It refuses, with a {@link CsvSyntaxError} naming the record, a quote inside an unquoted field,
 * anything but a separator or a line break after a closing quote, and a quote left open at the end.
 *
 * {@link CsvParser} is incremental (feed it chunks of any size, e.g. from a file stream: a record
 * may straddle chunks); {@link parseCsv} is the one-shot form. Fields are returned as strings,
 * exactly as written: typing and trimming are the caller's business.
 */

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Malformed CSV. `record` is the 1-based record number in the file (the header is record 1). */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly record: number,
  ) {
    super(`CSV record ${record}: ${message}`);
  }
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote seen inside a quoted field: either `""` or the closing quote. */
  QuoteInQuoted,
  /** A CR ended a record: swallow a following LF. */
  AfterCr,
}

export class CsvParser {
  private state: State = State.FieldStart;
  private record: string[] = [];
  private partial = '';
  private recordQuoted = false;
  private started = false;
  private count = 0;

  /** Number of records completed so far (blank lines not counted). */
  get records(): number {
    return this.count;
  }

  /** Feeds a chunk; returns (appends to `out`) the records it completed. */
  push(chunk: string, out: string[][] = []): string[][] {
    let i = 0;
    const n = chunk.length;
    if (!this.started && n > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    let start = i;
    while (i < n) {
      switch (this.state) {
        case State.AfterCr:
          if (chunk.charCodeAt(i) === LF) i++;
          this.state = State.FieldStart;
          start = i;
          break;
        case State.FieldStart:
          if (chunk.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted;
            this.recordQuoted = true;
            i++;
            break;
          }
          this.state = State.Unquoted;
          start = i;
          break;
        case State.Unquoted: {
          let c = 0;
          while (i < n) {
            c = chunk.charCodeAt(i);
            if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
            i++;
          }
          if (i === n) {
            this.partial += chunk.slice(start, n);
            return out;
          }
          if (c === QUOTE) throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field and double the quote)', this.count + 1);
          const field = this.partial.length ? this.partial + chunk.slice(start, i) : chunk.slice(start, i);
          this.partial = '';
          this.record.push(field);
          i++;
          if (c === COMMA) this.state = State.FieldStart;
          else this.endRecord(out, c === CR);
          start = i;
          break;
        }
        case State.Quoted: {
          const j = chunk.indexOf('"', i);
          if (j < 0) {
            this.partial += chunk.slice(i);
            return out;
          }
          this.partial += chunk.slice(i, j);
          i = j + 1;
          this.state = State.QuoteInQuoted;
          break;
        }
        case State.QuoteInQuoted: {
          const c = chunk.charCodeAt(i);
          if (c === QUOTE) {
            this.partial += '"';
            this.state = State.Quoted;
            i++;
            break;
          }
          if (c !== COMMA && c !== LF && c !== CR) {
            throw new CsvSyntaxError('unexpected character after a closing quote', this.count + 1);
          }
          this.record.push(this.partial);
          this.partial = '';
          i++;
          if (c === COMMA) this.state = State.FieldStart;
          else this.endRecord(out, c === CR);
          start = i;
          break;
        }
      }
    }
    return out;
  }

  /** Ends the input; returns (appends to `out`) the last record if the file had no final line break. */
  end(out: string[][] = []): string[][] {
    switch (this.state) {
      case State.Quoted:
        throw new CsvSyntaxError('a quoted field is not closed at the end of the file', this.count + 1);
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.record.push(this.partial);
        this.partial = '';
        this.endRecord(out, false);
        break;
      case State.FieldStart:
        // `a,b,` then EOF: the trailing empty field.
        if (this.record.length) {
          this.record.push('');
          this.endRecord(out, false);
        }
        break;
      case State.AfterCr:
        break;
    }
    this.state = State.FieldStart;
    return out;
  }

  private endRecord(out: string[][], cr: boolean): void {
    const r = this.record;
    this.record = [];
    this.state = cr ? State.AfterCr : State.FieldStart;
    const blank = r.length === 1 && r[0] === '' && !this.recordQuoted;
    this.recordQuoted = false;
    if (blank) return;
    this.count++;
    out.push(r);
  }
}

export interface ParsedCsv {
  header: string[];
  /** Data rows; `rows[i]` is data row i+1 (file record i+2). */
  rows: string[][];
}

/** Parses a whole CSV text whose first record is the header. An empty text gives an empty header. */
export function parseCsv(text: string): ParsedCsv {
  const p = new CsvParser();
  const all = p.push(text);
  p.end(all);
  const header = all.length ? all[0] : [];
  return { header, rows: all.slice(1) };
}

/**
 * Parses a stream of text chunks (e.g. `createReadStream(path, 'utf8')`), yielding data rows in
 * batches; the header is the first record. Memory stays bounded by the batch and chunk sizes.
 */
export async function* parseCsvStream(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<{ header: string[]; rows: string[][]; firstRow: number }> {
  const p = new CsvParser();
  let header: string[] | null = null;
  let dataRows = 0;
  const decoder = new TextDecoder('utf-8');
  const emit = (records: string[][]) => {
    if (header === null && records.length) header = records.shift()!;
    const firstRow = dataRows + 1;
    dataRows += records.length;
    return { header: header ?? [], rows: records, firstRow };
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const records = p.push(text);
    if (records.length) yield emit(records);
  }
  const tail = decoder.decode();
  const last = p.push(tail);
  p.end(last);
  if (last.length || header === null) yield emit(last);
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted when it holds a comma, quote, CR or LF (and then with quotes doubled). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, without its line break. */
export function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += ',';
    line += csvField(values[i]);
  }
  return line;
}

/**
 * Serialises a header and rows. Records end with CRLF as RFC 4180 says, unless `eol` says
 * otherwise (the scenario files use LF); the last record is terminated too.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>, eol: '\r\n' | '\n' = '\r\n'): string {
  const parts = [csvLine(header)];
  for (const row of rows) parts.push(csvLine(row));
  return parts.join(eol) + eol;
}
