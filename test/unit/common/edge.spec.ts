/** The cursor codec and the JSON depth scan, byte by byte. */
import type { Request, Response } from 'express';
import { DomainError } from '../../../src/common/errors/domain-error';
import { limitJsonDepth, MAX_JSON_DEPTH } from '../../../src/common/http/edge';
import { CursorCodec } from '../../../src/common/http/pagination';

const depthOf = (text: string) => () => limitJsonDepth({} as Request, {} as Response, Buffer.from(text, 'utf8'));

describe('limitJsonDepth', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(depthOf('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).not.toThrow();
    expect(depthOf('{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1))).toThrow(DomainError);
  });

  it('counts no bracket inside a string, escaped quotes and backslashes included', () => {
    const inString = JSON.stringify({ s: '['.repeat(1000) + '\\"' + '{'.repeat(1000) + '\\' });
    expect(depthOf(inString)).not.toThrow();
    // After the string closes, brackets count again.
    expect(depthOf(`["\\\\"${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}]`)).toThrow(DomainError);
  });

  it('names the body and the rule', () => {
    try {
      depthOf('['.repeat(5000))();
      throw new Error('not refused');
    } catch (err) {
      expect((err as DomainError).details).toEqual([expect.objectContaining({ field: 'body', rule: 'maxDepth' })]);
    }
  });
});

describe('CursorCodec', () => {
  const reports = new CursorCodec('reports', ['timestamp', 'id'] as const);
  const audit = new CursorCodec('audit', ['int'] as const);

  it('gives back what it encoded', () => {
    const at = new Date('2017-06-27T10:00:00.123Z');
    expect(reports.decode(reports.encode(at, 'r-1'))).toEqual([at, 'r-1']);
    expect(audit.decode(audit.encode(42))).toEqual([42]);
  });

  it('refuses garbage, altered, foreign and ill-typed cursors', () => {
    const good = audit.encode(42);
    const altered = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['', 'eA', 'Z2FyYmFnZXx4', '%%%', altered, good + '=', reports.encode(new Date(0), 'x'), b64(['audit', -1]), b64(['audit', 1.5]),
      b64(['audit', '42']), b64(['audit']), b64(['audit', 1, 2]), 'x'.repeat(3000)]) {
      expect(audit.tryDecode(bad)).toBeNull();
    }
    for (const bad of [b64(['reports', '2017-06-27', 'x']), b64(['reports', '2017-13-27T10:00:00.000Z', 'x']), b64(['reports', '2017-06-27T10:00:00.000Z', '']),
      b64(['reports', '2017-06-27T10:00:00.000Z', 'a\u0000b'])]) {
      expect(reports.tryDecode(bad)).toBeNull();
    }
    expect(() => audit.decode('eA')).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'cursor', rule: 'cursor' })] }));
  });
});
