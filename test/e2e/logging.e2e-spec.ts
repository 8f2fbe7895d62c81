/**
 * Request logging through nestjs-pino: every request gets an id (the client's X-Request-Id when
 * well-formed), echoed back and on each line the request causes; one access line per request
 * names the key and organisation, never the key's secret.
 */
import { INestApplication } from '@nestjs/common';
import { ADMIN_KEY, auth, createTestApp, request } from './support/app';

describe('request logs', () => {
  let app: INestApplication;
  let lines: Array<Record<string, unknown>>;
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    app = await createTestApp({ logLevel: 'info' });
  });
  beforeEach(() => {
    lines = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      return true;
    });
  });
  afterEach(() => spy.mockRestore());
  afterAll(async () => {
    await app?.close();
  });

  const accessLines = () => lines.filter((l) => l.msg === 'request');
  const settle = () => new Promise((r) => setTimeout(r, 50)); // the access line is written on 'finish'

  it('keeps a well-formed X-Request-Id, and logs one access line with the key and organisation', async () => {
    const res = await request(app.getHttpServer()).get('/v1/weapons?limit=5').set(auth(ADMIN_KEY)).set('X-Request-Id', 'trace-42.a').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-42.a');
    await settle();
    expect(accessLines()).toEqual([
      expect.objectContaining({ level: 'info', requestId: 'trace-42.a', method: 'GET', path: '/v1/weapons', status: 200, organizationId: 'spillover', keyId: expect.any(String) }),
    ]);
    expect(typeof accessLines()[0].ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(ADMIN_KEY);
  });

  it('replaces a malformed X-Request-Id with a UUID, and logs refused requests too', async () => {
    const res = await request(app.getHttpServer()).get('/v1/weapons').set('X-Request-Id', 'no spaces allowed').set(auth('spo_not_a_key')).expect(401);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await settle();
    expect(accessLines()).toEqual([expect.objectContaining({ requestId: res.headers['x-request-id'], path: '/v1/weapons', status: 401 })]);
    expect(JSON.stringify(lines)).not.toContain('spo_not_a_key');
  });
});
