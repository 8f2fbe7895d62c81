/** The logger keeps Nest's start-up narration out of info, and URLs in logs lose their passwords. */
import { JsonLogger } from '../../../src/common/logging/json-logger';
import { redactUrl } from '../../../src/common/logging/redact-url';

function lines(level: 'info' | 'debug', write: (l: JsonLogger) => void): Array<Record<string, unknown>> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    write(new JsonLogger(level));
  } finally {
    spy.mockRestore();
  }
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('JsonLogger', () => {
  it('logs route and module narration at debug only; other info stays info', () => {
    const say = (l: JsonLogger) => {
      l.log('Mapped {/health, GET} route', 'RouterExplorer');
      l.log('AppModule dependencies initialized', 'InstanceLoader');
      l.log({ msg: 'listening' }, 'main');
    };
    expect(lines('info', say).map((l) => l.msg)).toEqual(['listening']);
    expect(lines('debug', say).map((l) => [l.level, l.context])).toEqual([['debug', 'RouterExplorer'], ['debug', 'InstanceLoader'], ['info', 'main']]);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
