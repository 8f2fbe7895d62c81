/**
 * 10,000 runs on the NotPetya fixture end to end through the API (POST, poll, result), with
 * progress samples and the time. Target: at most 30 s on the project machine (2 cores).
 *
 *     node -r @swc-node/register test/bench/assessments.bench.ts [runs]
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import type { EvidenceReport } from '../../src/domain/records';
import { insertRows } from '../../src/database/bulk-sql';
import { DatabaseService } from '../../src/database/database.service';
import { readScenario } from '../../src/scenario-format';
import { Weapon } from '../../src/weapons/weapon.entity';
import { auth, createTestApp, request, seedKeys } from '../e2e/support/app';

async function main() {
  const runs = Number(process.argv[2] ?? 10_000);
  const d = await readScenario('fixtures/notpetya-2017');
  const app = await createTestApp({ logLevel: 'error' });
  const ds = app.get(DataSource);
  const parent = new Map(d.entities.map((e) => [e.id, e.parentId ?? null]));
  const depth = (id: string): number => (parent.get(id) ? depth(parent.get(id)!) + 1 : 0);
  const entities = [...d.entities].sort((a, b) => depth(a.id) - depth(b.id));
  // through the service's writer: SQLite has one connection, and the app's own writes (jobs
  // recovered at start) share it
  await app.get(DatabaseService).write(async (m) => {
    await insertRows(m, 'entities', ['id', 'name', 'kind', 'parentId', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected'],
      entities.map((e) => [e.id, e.name, e.kind, e.parentId ?? null, e.country ?? null, e.sector ?? null, e.hosts, e.dailyValueUsd, e.populationServed, JSON.stringify(e.tags), !!e.protected]));
    await insertRows(m, 'dependencies', ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional'], d.dependencies.map((x) => [x.sourceId, x.targetId, x.kind, x.weight, !!x.bidirectional]));
    const w = d.weapon;
    await m.getRepository(Weapon).save({ id: w.id, name: w.name, aliases: w.aliases ?? [], payload: w.payload, vectors: w.vectors, requiredTags: w.requiredTags ?? [], targeting: w.targeting ?? {}, impact: w.impact, containmentHours: w.containmentHours ?? null, killSwitchAt: w.killSwitchAt ? new Date(w.killSwitchAt) : null, firstSeenAt: w.firstSeenAt ? new Date(w.firstSeenAt) : null, characterised: true, stixId: null });
  });
  const evidence: EvidenceReport[] = d.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() }));
  app.get(EvidenceSource).evidenceWithin = async (_m, weaponId, asOf) => evidence.filter((r) => r.weaponId === weaponId && r.observedAt <= asOf);
  const keys = await seedKeys(app);
  const http = request(app.getHttpServer());

  const t0 = Date.now();
  const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: d.weapon.id, asOf: d.scenario.asOf, horizonHours: d.scenario.horizonHours, runs, seed: 1 });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${JSON.stringify(res.body)}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = (await http.get(`/v1/assessments/${res.body.id}`).set(auth(keys.a.analyst))).body;
    console.log(JSON.stringify({ t: (Date.now() - t0) / 1000, status: s.status, progress: s.progress, etaSeconds: s.etaSeconds }));
    if (s.status === 'done') {
      const seconds = (Date.now() - t0) / 1000;
      console.log(JSON.stringify({ bench: 'assessment end to end through the API', fixture: 'notpetya-2017', runs, seconds, target: 30, ok: seconds <= 30, entitiesInfected: s.result.total.entitiesInfected, effectiveSampleSize: s.result.calibration.effectiveSampleSize }));
      break;
    }
    if (s.status !== 'queued' && s.status !== 'running') throw new Error(`job ${s.status}: ${JSON.stringify(s.error)}`);
  }
  await app.close();
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
