/**
 * A scripted engine for the job tests: fake work in 20 steps honouring the abort signal, a
 * fixed output built from the scenario, and shards that merge by concatenating run indices.
 */
import { unprocessable } from '../../src/common/errors/domain-error';
import type { AssessmentJobInput } from '../../src/jobs/job-input';
import type { EngineOutput, Range } from '../../src/results/result-types';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { ENGINE_BINDING, EngineBinding, RunOptions, ShardSpec } from '../../src/jobs/monte-carlo-runner';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DiscoveryModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import type { EvidenceReport } from '../../src/domain/records';
import { APP_CONFIG, JobsConfig } from '../../src/config/app-config';
import { createAppLogger } from '../../src/common/logging/logger';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { Weapon } from '../../src/weapons/weapon.entity';
import { resetPostgres, testConfig } from './support/app';

export interface ScriptedPartial {
  runs: number[];
}

export const R = (x: number): Range => ({ mean: x, median: x, low: x * 0.5, high: x * 1.5, level: 0.9 });
export const figures = (x: number) => ({
  entitiesInfected: R(x), entitiesDisrupted: R(x), unreportedInfections: R(x), forecastInfections: R(x),
  lossUsd: { direct: R(x), indirect: R(x), total: R(2 * x) }, populationAffected: R(x), countriesAffected: R(1),
});

/** A scripted engine: `durationMs` of fake work in 20 steps, honouring the abort signal. */
export class ScriptedEngine implements EngineBinding<ScriptedPartial, EngineOutput> {
  calls = 0;
  durationMs = 300;
  async runAll(s: ScenarioSnapshot, _input: AssessmentJobInput, opts: RunOptions): Promise<EngineOutput> {
    this.calls++;
    for (let i = 1; i <= 20; i++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      await new Promise((r) => setTimeout(r, this.durationMs / 20));
      opts.onProgress?.(i / 20);
    }
    return this.output(s);
  }
  output(s: ScenarioSnapshot): EngineOutput {
    const reported = new Set(s.reports.map((r) => r.entityId));
    const P = (p: number) => ({ p, low: Math.max(0, p - 0.1), high: Math.min(1, p + 0.1) });
    return {
      model: 'sir', seed: 1, runCount: 2, level: 0.9, calibrated: true, origin: s.asOf, asOf: s.asOf, horizonHours: s.horizonHours,
      reportsUsed: s.reports.length, reportedEntities: reported.size, spectralRadius: 0, warnings: [],
      summary: {
        total: figures(3), intended: figures(1), collateral: figures(2),
        protectedHits: s.entities.filter((e) => e.protected).map((e) => ({ entityId: e.id, name: e.name, sector: e.sector ?? null, probability: 1, probabilityInfected: 1, norms: ['13(f)' as const] })),
        calibration: { method: 'scripted', parameters: {}, prior: {}, effectiveSampleSize: 10 },
        monteCarloError: { runs: 2, effectiveSampleSize: 2, method: 'scripted', figures: {} },
      },
      entities: s.entities.map((e, i) => ({
        entityId: e.id, name: e.name, country: e.country ?? null, sector: e.sector ?? null, intended: false,
        reported: reported.has(e.id), protected: !!e.protected,
        probabilityInfected: reported.has(e.id) ? P(1) : P(0.1 * (i + 1)),
        probabilityDisrupted: P(0),
        expectedLossUsd: 100 * (i + 1),
      })),
      groups: { country: [{ key: 'UA', entitiesInfected: R(3), entitiesDisrupted: R(0), lossUsd: R(600), populationAffected: R(0) }], sector: [] },
      timeline: [{ at: s.asOf, hours: 0, infections: R(1), reported: 1 }],
      earlyWarning: {
        asOf: s.asOf,
        windows: [24, 72].map((h) => ({
          withinHours: h,
          entities: s.entities.filter((e) => !reported.has(e.id)).map((e) => ({ entityId: e.id, name: e.name, country: e.country ?? null, sector: e.sector ?? null, probability: P(h / 200), path: ['secret-site', e.id] })),
        })),
      },
      runs: { columns: ['run', 'weight', 'infected'], rows: [[0, 0.5, 2], [1, 0.5, 4]] },
    };
  }
  shardCalls = 0;
  async runShard(s: ScenarioSnapshot, input: AssessmentJobInput, shard: ShardSpec, opts: RunOptions): Promise<ScriptedPartial> {
    this.shardCalls++;
    for (let i = 1; i <= 20; i++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      await new Promise((r) => setTimeout(r, this.durationMs / 20));
      opts.onProgress?.(i / 20);
    }
    return { runs: Array.from({ length: shard.runCount }, (_, k) => shard.runStart + k) };
  }
  merge(parts: ScriptedPartial[]): ScriptedPartial {
    return { runs: parts.flatMap((p) => p.runs).sort((a, b) => a - b) };
  }
  async finalize(s: ScenarioSnapshot, input: AssessmentJobInput, merged: ScriptedPartial): Promise<EngineOutput> {
    const out = this.output(s);
    out.runs = { columns: ['run'], rows: merged.runs.map((r) => [r]) };
    return out;
  }
}


/** Reports of weapon `wpn`: the only report of `secret-site` is RED, filed by org-a. */
export const EVIDENCE: EvidenceReport[] = [
  { id: 'r1', weaponId: 'wpn', entityId: 'secret-site', observedAt: '2017-06-27T09:00:00.000Z', status: 'confirmed', tlp: 'red', organizationId: 'org-a' },
  { id: 'r2', weaponId: 'wpn', entityId: 'open-site', observedAt: '2017-06-27T10:00:00.000Z', status: 'confirmed', tlp: 'green', organizationId: 'org-b' },
];

/**
 * The real app with the scripted engine, the evidence above, three entities in UA/energy and
 * weapons `wpn` (reported) and `quiet` (never reported).
 */
export async function createScriptedApp(engine: ScriptedEngine, jobs: Partial<JobsConfig> = {}): Promise<INestApplication> {
  const config = testConfig();
  if (config.database.type === 'postgres') await resetPostgres(config.database.url);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule, DiscoveryModule] })
    .overrideProvider(APP_CONFIG).useValue({ ...config, jobs: { ...config.jobs, staleSeconds: 3, ...jobs } })
    .overrideProvider(ENGINE_BINDING).useValue(engine)
    .compile();
  const app = moduleRef.createNestApplication({ logger: createAppLogger(config.logLevel), bodyParser: false });
  configureApp(app, config);
  await app.init();
  app.get(EvidenceSource).evidenceWithin = async (_m: unknown, weaponId: string, asOf: string) =>
    EVIDENCE.filter((r) => r.weaponId === weaponId && r.observedAt <= asOf);
  const ds = app.get(DataSource);
  const entity = (id: string, extra: Partial<EntityNode> = {}) => ({ id, name: id, kind: 'organization', parentId: null, country: 'UA', sector: 'energy', hosts: 10, dailyValueUsd: 1000, populationServed: 0, tags: [], protected: false, stixId: null, ...extra });
  await ds.getRepository(EntityNode).save([entity('secret-site', { protected: true }), entity('open-site'), entity('neighbour')]);
  const weapon = { name: 'W', aliases: [], payload: 'wiper' as const, vectors: {}, requiredTags: [], targeting: {}, impact: { hostShare: { low: 0.1, high: 0.5 }, costPerHostUsd: { low: 1, high: 2 }, downtimeDays: { low: 1, high: 2 } }, containmentHours: null, killSwitchAt: null, firstSeenAt: null, characterised: true, stixId: null };
  await ds.getRepository(Weapon).save([{ id: 'wpn', ...weapon }, { id: 'quiet', ...weapon }]);
  return app;
}
