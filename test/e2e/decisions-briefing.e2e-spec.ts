/**
 * The briefing's protected infrastructure: each protected entity the reader may see, marked
 * reported exactly when the assessment's entity list says so. The briefing reads that from the
 * rows the summary names (namedEntities, src/results/entity-index.ts), not from all entities;
 * an assessment stored before those parts is read from all entities and briefs the same.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { JobResultPart } from '../../src/jobs/job.entity';
import { pdfPages } from '../support/pdf';
import type { EngineOutput } from '../../src/results/result-types';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

/** The scripted engine with per-run losses (the briefing's exceedance reads them). */
class LossEngine extends ScriptedEngine {
  output(s: ScenarioSnapshot): EngineOutput {
    const out = super.output(s);
    out.runs = { columns: ['run', 'weight', 'collateral.lossTotal', 'total.lossTotal'], rows: Array.from({ length: 10 }, (_, i) => [i, 0.1, (i + 1) * 1e9, (i + 1) * 2e9]) };
    return out;
  }
}

/** The parts stored beside `entities` since issue 16 (EntityIndexParts). */
const INDEX_PARTS = ['entityCells', 'namedEntities', 'entitiesByProbability', 'entitiesByLoss', 'entityColumns', 'entityLinks', 'entityIds', 'entityNames'];

describe('briefing: protected infrastructure reported or not', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  /** The same assessment twice: `indexed` as stored now, `before` without the parts beside `entities`. */
  let indexed: string;
  let before: string;

  const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };
  // Polled on the list, which reads no result part: GET /v1/assessments/:id reads the summary, and
  // the parts it reads are kept in memory, as they were stored (with the parts beside entities).
  const finish = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const done = (await http.get('/v1/assessments?status=done&limit=100').set(auth(keys.admin)).expect(200)).body.items as Array<{ id: string }>;
      if (done.some((a) => a.id === id)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`assessment ${id} did not finish`);
  };
  /** The briefing's PDF text, the assessment's id and the time it was generated taken out. */
  const briefingText = async (id: string, key: string) => {
    const res = await http.get(`/v1/assessments/${id}/briefing.pdf`).set(auth(key)).buffer(true).parse(binary).expect(200);
    return pdfPages(res.body).map((p) => p.text).join(' ').split(id).join('<id>').replace(/Generated \S+\./, 'Generated <time>.');
  };

  beforeAll(async () => {
    const engine = new LossEngine();
    engine.durationMs = 50;
    app = await createScriptedApp(engine);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    // Protected: secret-site (UA, reported, RED of org-a), in Germany open-site (reported, GREEN)
    // and two plants not reported. Four more in secret-site's cell make it a suppression group of
    // its own: org-b, who may not see secret-site, loses UA energy, not Germany.
    const ds = app.get(DataSource);
    await ds.getRepository(EntityNode).update({ id: 'open-site' }, { protected: true, country: 'DE' });
    const entity = (id: string, country: string, isProtected: boolean) => ({ id, name: id, kind: 'organization', parentId: null, country, sector: 'energy', hosts: 10, dailyValueUsd: 1000, populationServed: 0, tags: [], protected: isProtected, stixId: null });
    await ds.getRepository(EntityNode).save([entity('plant-north', 'DE', true), entity('plant-south', 'DE', true), ...[1, 2, 3, 4].map((i) => entity(`grid-${i}`, 'UA', false))]);
    for (const which of ['indexed', 'before'] as const) {
      const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-29T00:00:00Z', runs: 10, horizonHours: 72 }).expect(202);
      await finish(res.body.id);
      if (which === 'indexed') indexed = res.body.id;
      else before = res.body.id;
    }
    // Before any read of its parts (see finish).
    const parts = ds.getRepository(JobResultPart);
    await parts.delete({ jobId: before, part: In(INDEX_PARTS) });
    expect(await parts.countBy({ jobId: before, part: In(INDEX_PARTS) })).toBe(0);
    expect(await parts.countBy({ jobId: indexed, part: In(INDEX_PARTS) })).toBe(INDEX_PARTS.length);
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['org-a, who sees secret-site', 'a', ['secret-site', 'open-site'], ['plant-north', 'plant-south']],
    ['org-b, who does not', 'b', ['open-site'], ['plant-north', 'plant-south']],
  ] as const)('marks the protected entities the entity list says are reported (%s), and briefs a job stored before the parts beside entities the same', async (_, org, reported, unreported) => {
    const key = keys[org].analyst;
    const list = (await http.get(`/v1/assessments/${indexed}/entities?limit=100`).set(auth(key)).expect(200)).body.items as Array<{ entityId: string; reported: boolean; protected: boolean }>;
    const listed = list.filter((e) => e.protected);
    expect(listed.filter((e) => e.reported).map((e) => e.entityId).sort()).toEqual([...reported].sort());
    expect(listed.filter((e) => !e.reported).map((e) => e.entityId).sort()).toEqual([...unreported].sort());

    const text = await briefingText(indexed, key);
    expect(text).toContain(`${reported.length} protected entities are already reported hit.`);
    // The annex lists every protected entity the reader may see, `, reported` after those reported.
    for (const e of listed) {
      expect({ entity: e.entityId, annex: text.includes(`${e.entityId}, energy): 100%, reported`) }).toEqual({ entity: e.entityId, annex: e.reported });
      expect(text).toContain(`(${e.entityId}, energy): 100%`);
    }
    if (org === 'b') expect(text).not.toContain('secret-site');
    // At risk, in the body: the unreported ones only.
    const body = text.slice(text.indexOf('Not yet reported'), text.indexOf('Method in plain words'));
    for (const id of unreported) expect(body).toContain(`${id} (energy; norms 13(f)): 100%`);
    for (const id of reported) expect(body).not.toContain(id);

    expect(await briefingText(before, key)).toBe(text);
    const html = async (id: string) => (await http.get(`/v1/assessments/${id}/briefing.html`).set(auth(key)).expect(200)).text;
    expect(await html(before)).toBe(await html(indexed));
  });
});
