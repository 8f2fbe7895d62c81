import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ErrorDetail, invalid } from '../errors/domain-error';

/** A page of a list and the opaque cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Query parameters every list accepts. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional() @IsString()
  cursor?: string;
}

/** What a cursor may hold: a non-negative integer id, a string id, or an instant (returned as a Date). */
type CursorPart = 'int' | 'id' | 'timestamp';
type PartValue<P extends CursorPart> = P extends 'int' ? number : P extends 'timestamp' ? Date : string;
type CursorValues<P extends readonly CursorPart[]> = { [K in keyof P]: PartValue<P[K]> };

export const CURSOR_ERROR: ErrorDetail = { field: 'cursor', rule: 'cursor', message: 'pass the nextCursor of the previous page unchanged' };

const MAX_CURSOR_LENGTH = 2048;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function validPart(part: CursorPart, value: unknown): boolean {
  switch (part) {
    case 'int':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'id':
      return typeof value === 'string' && value.length > 0 && value.length <= 512 && !value.includes('\0');
    case 'timestamp':
      return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
  }
}

/**
 * The one cursor format of every list: base64url of the JSON array `[list, ...keys]`. Decoding is
 * strict, so garbage, a cursor of another list, or a key of the wrong type is a 400 naming `cursor`
 * before any query runs, on both databases alike.
 */
export class CursorCodec<P extends readonly CursorPart[]> {
  constructor(
    private readonly list: string,
    private readonly parts: P,
  ) {}

  encode(...values: CursorValues<P>): string {
    const keys = (values as unknown[]).map((v) => (v instanceof Date ? v.toISOString() : v));
    return Buffer.from(JSON.stringify([this.list, ...keys]), 'utf8').toString('base64url');
  }

  /** The keys of a cursor this list issued, or null for anything else. */
  tryDecode(cursor: string): CursorValues<P> | null {
    if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
    // Re-encoding must give the cursor back: base64url ignores trailing bits a tamperer may flip.
    const bytes = Buffer.from(cursor, 'base64url');
    if (bytes.toString('base64url') !== cursor) return null;
    let decoded: unknown;
    try {
      decoded = JSON.parse(bytes.toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(decoded) || decoded.length !== this.parts.length + 1 || decoded[0] !== this.list) return null;
    const keys = decoded.slice(1);
    if (!this.parts.every((part, i) => validPart(part, keys[i]))) return null;
    return this.parts.map((part, i) => (part === 'timestamp' ? new Date(keys[i] as string) : keys[i])) as CursorValues<P>;
  }

  /** The keys of a cursor this list issued; a 400 naming `cursor` otherwise. */
  decode(cursor: string): CursorValues<P> {
    const keys = this.tryDecode(cursor);
    if (!keys) throw invalid('invalid cursor', [CURSOR_ERROR]);
    return keys;
  }
}
