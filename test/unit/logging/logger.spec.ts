/**
 * Logs through nestjs-pino (src/common/logging/logger.ts): Nest's start-up narration stays out of
 * info, secrets are censored, errors go to stderr; URLs in logs lose their passwords.
 */
import { Writable } from 'node:stream';
// Test hook of nestjs-pino: its out-of-request pino instance is made once per process.
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { AppLogger, createAppLogger } from '../../../src/common/logging/logger';
import { redactUrl } from '../../../src/common/logging/redact-url';

type Line = Record<string, unknown>;

function capture(level: 'info' | 'debug', write: (l: AppLogger) => void): { out: Line[]; err: Line[] } {
  const sink = (into: string[]) => new Writable({ write: (chunk, _enc, done) => (into.push(String(chunk)), done()) });
  const out: string[] = [];
  const err: string[] = [];
  __resetOutOfContextForTests();
  write(createAppLogger(level, { out: sink(out), err: sink(err) }));
  const parse = (chunks: string[]) => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  return { out: parse(out), err: parse(err) };
}

describe('AppLogger (nestjs-pino)', () => {
  it('logs route and module narration at debug only; other info stays info', () => {
    const say = (l: AppLogger) => {
      l.log('Mapped {/health, GET} route', 'RouterExplorer');
      l.log('AppModule dependencies initialized', 'InstanceLoader');
      l.log({ msg: 'listening', dashboard: 'http://localhost:3000/' }, 'main');
    };
    expect(capture('info', say).out.map((l) => [l.level, l.context, l.msg])).toEqual([['info', 'main', 'listening']]);
    expect(capture('debug', say).out.map((l) => [l.level, l.context])).toEqual([['debug', 'RouterExplorer'], ['debug', 'InstanceLoader'], ['info', 'main']]);
  });

  it('writes JSON lines with an ISO time and the level name; errors to stderr only', () => {
    const { out, err } = capture('info', (l) => {
      l.warn({ msg: 'slow' }, 'db');
      l.error({ msg: 'unhandled error', error: 'boom' }, 'HttpErrorFilter');
    });
    expect(out).toEqual([expect.objectContaining({ level: 'warn', context: 'db', msg: 'slow' })]);
    expect(err).toEqual([expect.objectContaining({ level: 'error', context: 'HttpErrorFilter', msg: 'unhandled error', error: 'boom' })]);
    expect(new Date(out[0].time as string).toISOString()).toBe(out[0].time);
  });

  it('censors authorization headers, API keys and secrets wherever they are logged', () => {
    const key = 'spo_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    const { out } = capture('info', (l) => l.log({
      msg: 'oops', authorization: `Bearer ${key}`, secret: key, apiKey: key,
      req: { headers: { authorization: `Bearer ${key}`, cookie: 'a=b', 'x-api-key': key } },
      headers: { authorization: `Basic ${key}` }, created: { secret: key, id: 'k1' },
    }, 'test'));
    const text = JSON.stringify(out);
    expect(text).not.toContain(key);
    expect(out[0]).toMatchObject({ authorization: '[redacted]', secret: '[redacted]', apiKey: '[redacted]', created: { secret: '[redacted]', id: 'k1' } });
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
