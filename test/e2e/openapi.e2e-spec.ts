/**
 * The OpenAPI document can drive a client: every operation names its 2xx response schema and
 * carries examples (path parameters, request body), and each GET example, sent as written, answers 2xx on the demo data (the
 * NotPetya scenario and its seeded demo assessment that a first start loads).
 */
import { INestApplication } from '@nestjs/common';
import { ADMIN_KEY, auth, createTestApp, request } from './support/app';

type Schema = { $ref?: string; example?: unknown; examples?: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema; allOf?: Schema[]; oneOf?: Schema[]; enum?: unknown[]; default?: unknown; type?: string };
type Parameter = { name: string; in: string; required?: boolean; example?: unknown; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema; example?: unknown; examples?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema; example?: unknown }> }>;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** GET routes whose example names what a client makes, not the demo data: a simulation job, a subscription, a TAXII add. */
const NOT_IN_DEMO = ['GET /v1/simulations/{id}', 'GET /v1/webhooks/{id}/deliveries', 'GET /taxii2/spillover/status/{statusId}'];

describe('OpenAPI document', () => {
  let app: INestApplication;
  let doc: { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>; components: { schemas: Record<string, Schema> } };
  let http: ReturnType<typeof request>;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method]! })));
  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
  const paramExample = (p: Parameter) => p.example ?? p.schema?.example;

  beforeAll(async () => {
    app = await createTestApp({ demoScenario: true });
    http = request(app.getHttpServer());
    doc = (await http.get('/docs-json').expect(200)).body;
  }, 600_000);
  afterAll(() => app?.close());

  it('every operation has a 2xx response with a schema', () => {
    const missing = operations()
      .filter(({ op }) => !Object.entries(op.responses).some(([status, r]) => /^2/.test(status) && Object.values(r.content ?? {}).some((c) => c.schema)))
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
    expect(operations().length).toBeGreaterThan(60);
  });

  it('every operation carries an example of each path parameter and of its request body', () => {
    /** A body schema is exemplified by its own example or by one on every required property. */
    const exemplified = (s: Schema | undefined): boolean => {
      const r = resolve(s);
      if (!r) return false;
      if (r.example !== undefined || r.examples !== undefined) return true;
      const required = r.required ?? [];
      return required.length > 0 && required.every((k) => {
        const p = r.properties?.[k];
        return p !== undefined && (p.example !== undefined || p.enum !== undefined || p.default !== undefined || (p.$ref !== undefined && exemplified(p)));
      });
    };
    const lacking: string[] = [];
    for (const { method, path, op } of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) if (p.in === 'path' && paramExample(p) === undefined) lacking.push(`${name}: path parameter ${p.name}`);
      if (op.requestBody && !Object.values(op.requestBody.content).some((c) => c.example !== undefined || c.examples !== undefined || exemplified(c.schema))) {
        lacking.push(`${name}: request body`);
      }
    }
    expect(lacking).toEqual([]);
  });

  it('each GET example answers 2xx on the demo data', async () => {
    // Routes of an assessment's result answer once the demo assessment is done.
    const deadline = Date.now() + 540_000;
    let status = '';
    do {
      const list = (await http.get('/v1/assessments').set(auth(ADMIN_KEY)).expect(200)).body.items;
      status = list[0]?.status;
      if (status !== 'done') await new Promise((r) => setTimeout(r, 500));
    } while (status !== 'done' && Date.now() < deadline);
    expect(status).toBe('done');

    const failed: string[] = [];
    const gets = operations().filter((o) => o.method === 'get' && !NOT_IN_DEMO.includes(`GET ${o.path}`));
    for (const { path, op } of gets) {
      const params = op.parameters ?? [];
      const url = path.replace(/\{([^}]+)\}/g, (_m, name) => encodeURIComponent(String(paramExample(params.find((p) => p.in === 'path' && p.name === name)!))));
      const query = params.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(String(paramExample(p)))}`);
      const target = query.length ? `${url}?${query.join('&')}` : url;
      const ok = Object.entries(op.responses).find(([status]) => /^2/.test(status))?.[1];
      const accept = Object.keys(ok?.content ?? {})[0] ?? 'application/json';
      const res = await http.get(target).set(auth(ADMIN_KEY)).set('Accept', accept);
      if (res.status < 200 || res.status >= 300) failed.push(`GET ${target}: ${res.status} ${JSON.stringify(res.body?.details ?? res.body?.message ?? '').slice(0, 200)}`);
    }
    expect(failed).toEqual([]);
  }, 600_000);
});
