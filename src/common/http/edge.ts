import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError, ErrorDetail, invalid } from '../errors/domain-error';

/**
 * Checks every request meets before a route sees it, the same on SQLite and PostgreSQL: a body's
 * media type, how deep its JSON nests, NUL characters anywhere, and keys that name an object's
 * prototype. Each refusal is a 4xx in the error shape naming the field.
 */

/** Deepest nesting of objects and arrays a JSON body may have; the deepest real body (a STIX bundle) nests 6. */
export const MAX_JSON_DEPTH = 64;

/** JSON media types, all parsed (and depth-limited) alike: plain JSON and STIX/TAXII's. */
export const JSON_TYPES = ['application/json', 'application/stix+json', 'application/taxii+json', 'application/vnd.oasis.stix+json'];
/** Media types a body may have; anything else is a 415. */
export const BODY_TYPES = [...JSON_TYPES, 'text/csv', 'text/plain'];

/** Keys that would reach an object's prototype when copied; refused like any unknown property. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const OPEN_BRACE = 0x7b, OPEN_BRACKET = 0x5b, CLOSE_BRACE = 0x7d, CLOSE_BRACKET = 0x5d, QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * body-parser's `verify` hook: scans the raw UTF-8 bytes once, before JSON.parse, so a body
 * nested thousands deep never reaches the recursive code after it (validation, hashing).
 */
export function limitJsonDepth(_req: Request, _res: Response, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) {
        throw invalid(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, [
          { field: 'body', rule: 'maxDepth', message: `objects and arrays may nest at most ${MAX_JSON_DEPTH} deep` },
        ]);
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
}

/**
 * Requests Node's HTTP parser refuses before express sees them (headers over 16 kB, malformed
 * request lines) get the error shape too, instead of Node's bare 400 or 431.
 */
export function answerParserErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason] = tooLarge ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const message = tooLarge ? 'the request headers are too large' : 'malformed HTTP request';
    const body = JSON.stringify({ statusCode: status, error: reason, message, details: [{ field: 'headers', rule: tooLarge ? 'maxSize' : 'http', message }] });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/** 415 for a body whose media type no route reads, or whose charset is not UTF-8. */
export function requireBodyType(req: Request, _res: Response, next: NextFunction): void {
  // req.is answers null when the request has no body; browsers send `Content-Length: 0` for a bodiless POST or DELETE.
  const type = req.is(BODY_TYPES);
  if (type === null || req.headers['content-length'] === '0') return next();
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (type === false || (charset && !/^utf-?8$/i.test(charset))) {
    const sent = req.headers['content-type'] ?? 'none';
    return next(
      new DomainError('UNSUPPORTED_MEDIA_TYPE', `unsupported content type '${sent}'`, [
        { field: 'content-type', rule: 'mediaType', message: `send ${BODY_TYPES.join(', ')} (UTF-8)` },
      ]),
    );
  }
  next();
}

/** 400 for a path that does not decode or holds a NUL, and for a NUL or reserved key in the query. */
export function checkPathAndQuery(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(invalid('the path is not valid percent-encoding', [{ field: 'path', rule: 'percentEncoding', message: 'the path is not valid percent-encoded UTF-8' }]));
  }
  if (path.includes('\0')) return next(invalid('the path holds a NUL character', [{ field: 'path', rule: 'noNul', message: 'NUL characters are not allowed' }]));
  const details = problems(req.query, 'query');
  next(details.length ? invalid(`invalid query: ${fieldsOf(details)}`, details) : undefined);
}

/** 400 for a NUL character or a reserved key anywhere in a parsed body (JSON or text). */
export function checkBody(req: Request, _res: Response, next: NextFunction): void {
  const details = problems(req.body, 'body');
  next(details.length ? invalid(`invalid input: ${fieldsOf(details)}`, details) : undefined);
}

const fieldsOf = (details: ErrorDetail[]) => [...new Set(details.map((d) => d.field))].join(', ');

/** The NUL strings and reserved keys of a value, by dotted path; recursion is bounded by MAX_JSON_DEPTH. */
function problems(value: unknown, root: string): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  const walk = (v: unknown, path: string) => {
    if (found.length >= 20) return;
    if (typeof v === 'string') {
      if (v.includes('\0')) found.push({ field: path, rule: 'noNul', message: 'NUL characters are not allowed' });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const field = path === root ? key : `${path}.${key}`;
        if (RESERVED_KEYS.has(key)) found.push({ field, rule: 'unknownProperty', message: `property '${key}' is not allowed` });
        else if (key.includes('\0')) found.push({ field: path, rule: 'noNul', message: 'NUL characters are not allowed in keys' });
        else walk((v as Record<string, unknown>)[key], field);
      }
    }
  };
  walk(value, root);
  return found;
}
