/**
 * Property-based fuzzing of every route the app declares (read from its own OpenAPI document, so
 * a new route is fuzzed without touching this file), on the database DATABASE_URL names.
 * Properties: no answer is a 5xx, none takes longer than 5 s, and every 4xx is in the error shape.
 *
 * FUZZ_RUNS sets the requests per route (default 1,000), FUZZ_SEED the seed (printed on every run,
 * so a failure reproduces with `FUZZ_SEED=<seed>`); a failure lists the requests that broke a property.
 */
import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { ADMIN_KEY, createTestApp, Keys, request, seedKeys } from './support/app';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const SLOW_MS = 5_000;
const IN_FLIGHT = 8;

jest.setTimeout(30 * 60_000);

type Operation = { method: string; template: string; query: string[]; bodyFields: string[]; hasBody: boolean };
type Sent = { method: string; path: string; headers: Record<string, string>; body?: Buffer };
type Answer = { status: number; ms: number; body: string };

/** Strings an attacker tries first, beside the random ones. */
const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '%00', '..', '../../etc/passwd', "' OR '1'='1", '"; DROP TABLE reports; --', '${jndi:ldap://x}',
  '<script>alert(1)</script>', '\u202e\u0000', '\ud800', '💥', 'null', 'undefined', 'NaN', '-1', '0', '0x10', '1e308', '-0', '9'.repeat(400),
  '__proto__', 'constructor', 'x'.repeat(70_000), 'TLP:RED', 'RED', 'amber+strict', '2017-06-27T08:00:00Z', '9999-99-99', '00000000-0000-0000-0000-000000000000',
];
/** Raw path segments, some not valid percent-encoding. */
const RAW_SEGMENTS = ['%', '%E0%A4%A', '%ff', '%00', '%2e%2e', '%c0%ae', '..%2F..', ';', '%20', '~', '*'];

/** Percent-encodes every byte but the unreserved ones (a lone surrogate becomes U+FFFD's bytes). */
const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9.:_-]{0,20}$/) },
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE));
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text a parser meets in the wild: deep, huge, prototype keys, broken. */
const hostileJsonText = fc.oneof(
  fc.integer({ min: 65, max: 5000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 65, max: 5000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.constantFrom('{', '[1,', '{"a":}', 'nul', '"\\ud800"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '1', '"x"', 'null', '[]', '{}'),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

function bodyArbitrary(op: Operation): fc.Arbitrary<{ type?: string; text: Buffer }> {
  const fields = op.bodyFields.length ? op.bodyFields : ['id', 'name'];
  const shaped = fc
    .dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: hostileString }), hostileValue, { maxKeys: fields.length + 2 })
    .map((o) => JSON.stringify(o));
  const json = fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: fc.array(shaped, { maxLength: 5 }).map((rows) => `[${rows.join(',')}]`) },
  );
  const type = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(undefined, 'text/csv', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16',
        'application/stix+json', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*', 'application/merge-patch+json'),
    },
  );
  const csv = fc.array(fc.array(hostileString, { maxLength: 5 }), { maxLength: 5 }).map((rows) => [fields.join(','), ...rows.map((r) => r.join(','))].join('\n'));
  return fc.tuple(type, json, csv).map(([t, j, c]) => ({ type: t, text: Buffer.from(t?.startsWith('text/') ? c : j, 'utf8') }));
}

function operationArbitrary(op: Operation, ids: string[], keys: string[]): fc.Arbitrary<Sent> {
  const segment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids).map(percent) },
    { weight: 4, arbitrary: hostileString.filter((s) => s.length < 3000).map(percent) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: fc.uuid() },
  );
  const names = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(op.query.length ? op.query : ['limit'])) }, { weight: 1, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 100) });
  const values = fc.oneof(
    hostileString.filter((s) => s.length < 3000).map((v) => percent(v)),
    fc.constantFrom('0x10', '1e3', '%2016', '-1', '0', '1001', '99999999999999999999', '1.5', 'true', '%', '%ZZ', 'a%00b'),
  );
  const query = fc.array(
    fc.tuple(names, values, fc.constantFrom('', '[]', '[a]', '[__proto__]')).map(([n, v, suffix]) => `${percent(n)}${suffix}=${v}`),
    { maxLength: 4 },
  );
  const auth = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...keys).map((k) => `Bearer ${k}`) }, { weight: 1, arbitrary: hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`) });
  const idempotency = fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }).filter((s) => /^[\x20-\x7e]*$/.test(s))), { nil: undefined });
  const body = op.hasBody || op.method !== 'GET' ? fc.option(bodyArbitrary(op), { freq: 6, nil: undefined }) : fc.constant(undefined);
  return fc.record({ segments: fc.array(segment, { minLength: 4, maxLength: 4 }), query, auth, idempotency, body }).map(({ segments, query: q, auth: a, idempotency: k, body: b }) => {
    let i = 0;
    const path = op.template.replace(/\{[^}]+\}/g, () => segments[i++]) + (q.length ? `?${q.join('&')}` : '');
    const headers: Record<string, string> = { authorization: a };
    if (k !== undefined) headers['idempotency-key'] = k;
    if (b?.type) headers['content-type'] = b.type;
    return { method: op.method, path, headers, body: b?.text };
  });
}

function send(base: URL, agent: Agent, r: Sent): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, method: r.method, path: r.path, agent, headers: { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    // A request Node itself refuses to send (e.g. an invalid header) is not the server's answer.
    req.on('error', (err) => resolve({ status: -1, ms: performance.now() - started, body: String(err.message) }));
    if (r.body) req.write(r.body);
    req.end();
  });
}

/** Why an answer breaks a property, or null. */
function violation(a: Answer): string | null {
  if (a.status >= 500) return `status ${a.status}`;
  if (a.ms > SLOW_MS) return `took ${Math.round(a.ms)} ms`;
  if (a.status >= 400) {
    let body: any;
    try {
      body = JSON.parse(a.body);
    } catch {
      return 'a 4xx that is not JSON';
    }
    const shaped =
      body && body.statusCode === a.status && typeof body.error === 'string' && typeof body.message === 'string' && Array.isArray(body.details) &&
      body.details.length > 0 && body.details.every((d: any) => typeof d.field === 'string' && typeof d.rule === 'string' && typeof d.message === 'string');
    if (!shaped) return 'a 4xx not in the error shape';
  }
  return null;
}

describe(`fuzz (seed ${SEED}, ${RUNS} requests per route)`, () => {
  let app: INestApplication;
  let keys: Keys;
  let base: URL;
  let operations: Operation[];
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`fuzz: seed ${SEED}, ${RUNS} requests per route (reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`);
    app = await createTestApp();
    keys = await seedKeys(app);
    await app.listen(0);
    base = new URL(await app.getUrl());
    const http = request(app.getHttpServer());
    const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
    const range = (low: number, high: number) => ({ low, high });
    await http.post('/v1/weapons').set(admin).send({
      id: 'fuzz-weapon', name: 'Fuzz', payload: 'wiper',
      vectors: { network: { transmissibility: range(0.2, 0.7), delayHours: range(0.1, 2) } },
      impact: { hostShare: range(0.3, 0.9), costPerHostUsd: range(500, 3000), downtimeDays: range(3, 21) },
    }).expect(201);
    await http.post('/v1/entities').set(admin).send({ id: 'fuzz-entity', name: 'Fuzz entity', kind: 'organization', country: 'UA' }).expect(201);
    const doc = (await http.get('/docs-json').expect(200)).body;
    operations = [];
    for (const [template, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const ref: string | undefined = op.requestBody?.content?.['application/json']?.schema?.$ref;
        const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
        operations.push({
          method: method.toUpperCase(), template,
          query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
          bodyFields: Object.keys(schema?.properties ?? {}),
          hasBody: !!op.requestBody,
        });
      }
    }
  });
  afterAll(async () => {
    agent.destroy();
    await app.close();
  });

  it('declares the routes it fuzzes', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('answers every hostile request to every route within 5 s, never 5xx, every 4xx in the error shape', async () => {
    const ids = ['fuzz-weapon', 'fuzz-entity', 'org-a', 'spillover'];
    const secrets = [ADMIN_KEY, keys.a.admin, keys.a.analyst, keys.a.responder, keys.b.researcher];
    const failures: string[] = [];
    const perRoute: string[] = [];
    let sent = 0;
    const unsent = new Map<string, number>();
    const statuses = new Map<number, number>();
    for (const [n, op] of operations.entries()) {
      // One seed per route, derived from the run's seed: a route's requests do not depend on the others'.
      const requests = fc.sample(operationArbitrary(op, ids, secrets), { seed: SEED + n, numRuns: RUNS });
      const started = performance.now();
      let slowest = 0;
      for (let start = 0; start < requests.length; start += IN_FLIGHT) {
        const batch = requests.slice(start, start + IN_FLIGHT);
        const answers = await Promise.all(batch.map((r) => send(base, agent, r)));
        answers.forEach((a, i) => {
          if (a.status === -1) return void unsent.set(a.body, (unsent.get(a.body) ?? 0) + 1);
          sent++;
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          slowest = Math.max(slowest, a.ms);
          const why = violation(a);
          if (why && failures.length < 30) {
            const r = batch[i];
            failures.push(`${why}: ${r.method} ${r.path.slice(0, 300)} ${JSON.stringify(r.headers).slice(0, 300)} body=${r.body?.toString('utf8').slice(0, 300)} -> ${a.body.slice(0, 300)}`);
          }
        });
      }
      perRoute.push(`${op.method} ${op.template}: ${requests.length} in ${Math.round(performance.now() - started)} ms, slowest ${Math.round(slowest)} ms`);
    }
    // eslint-disable-next-line no-console
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`fuzz: seed ${SEED}, ${sent} answers (${byStatus}); not sent by Node's client: ${JSON.stringify([...unsent])}\n${perRoute.join('\n')}`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(operations.length * RUNS * 0.95);
  });
});
