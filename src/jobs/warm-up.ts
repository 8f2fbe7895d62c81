/**
 * A shard thread's engine warmed before it takes work. Cold, a job's first 25-run pilot slice
 * took its worker 222-302 ms of runs after 102-124 ms of decoding and 180-314 ms of preparing,
 * against 10-40 ms for a later slice (scale bench, 10,000 entities): the first pilot round,
 * which no number of workers divides, waited for it. A small generated scenario's model, pilot,
 * shard and partial encoding, run once and thrown away, compile the same code first (warmed:
 * 71-204, 28-65 and 80-232 ms; docs/benchmarks-scale.md).
 */
import type { DependencyRecord, EntityRecord, ReportRecord, ScenarioSnapshot, WeaponRecord } from '../domain/records';
import { SECTORS } from '../domain/vocabulary';
import { encodePartial } from './codec';
import { engineBinding, prepare, runShardOn } from './engine-binding';
import type { AssessmentJobInput } from './job-input';
import type { AssessmentPartial } from '../engine/partial';

/** Entities of the warm-up scenario: enough for every step to run its loops, small enough to take well under a second. */
const ENTITIES = 300;
const AS_OF = '2017-06-28T00:00:00Z';

/** A scenario with every kind of step a job takes: spread over two vectors, service dependencies (inoperability), reports to calibrate on. */
export function warmUpJob(runs = 120): { snapshot: ScenarioSnapshot; input: AssessmentJobInput } {
  const countries = ['UA', 'DE', 'US', 'FR'];
  const entities: EntityRecord[] = Array.from({ length: ENTITIES }, (_, i) => ({
    id: `warm-${i}`,
    name: `Warm-up ${i}`,
    kind: 'organization',
    country: countries[i % countries.length],
    sector: SECTORS[i % SECTORS.length],
    hosts: 20 + (i % 40),
    dailyValueUsd: 10_000 + 100 * i,
    populationServed: 100,
    tags: ['windows'],
  }));
  const dependencies: DependencyRecord[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    dependencies.push({ sourceId: `warm-${i}`, targetId: `warm-${(i + 1) % ENTITIES}`, kind: 'network', weight: 1, bidirectional: true });
    dependencies.push({ sourceId: `warm-${i}`, targetId: `warm-${(i * 7 + 3) % ENTITIES}`, kind: 'supply-chain', weight: 0.5, bidirectional: false });
    if (i % 3 === 0) dependencies.push({ sourceId: `warm-${i}`, targetId: `warm-${(i * 11 + 5) % ENTITIES}`, kind: 'service', weight: 0.3, bidirectional: false });
  }
  const weapon: WeaponRecord = {
    id: 'warm-up',
    name: 'Warm-up weapon',
    payload: 'wiper',
    vectors: {
      network: { transmissibility: { low: 0.3, high: 0.6 }, delayHours: { low: 2, high: 24 } },
      'supply-chain': { transmissibility: { low: 0.1, high: 0.3 }, delayHours: { low: 6, high: 48 } },
    },
    impact: { hostShare: { low: 0.2, high: 0.8 }, costPerHostUsd: { low: 300, high: 3000 }, downtimeDays: { low: 1, high: 10 } },
  };
  const reports: ReportRecord[] = [0, 1, 40, 90].map((e, k) => ({
    id: `warm-r${k}`,
    weaponId: weapon.id,
    entityId: `warm-${e}`,
    observedAt: new Date(Date.parse(AS_OF) - (24 - 4 * k) * 3_600_000).toISOString(),
    status: k === 3 ? 'suspected' : 'confirmed',
    tlp: 'clear',
  }));
  return {
    snapshot: { entities, dependencies, weapon, reports, asOf: AS_OF, horizonHours: 72 },
    input: { kind: 'assessment', weaponId: weapon.id, asOf: AS_OF, horizonHours: 72, model: 'sir', runs, seed: 1, confidenceLevel: 0.9, calibrate: true },
  };
}

/** Runs the warm-up job's pilot and one shard on this thread, and encodes its partial; returns what it computed (the thread drops it). */
export async function warmUp(): Promise<{ proposal: unknown; partial: AssessmentPartial; encodedBytes: number }> {
  const { snapshot, input } = warmUpJob();
  const model = prepare(snapshot, input);
  const proposal = await engineBinding.proposal!(snapshot, input, { threads: 0 });
  const partial = await runShardOn(model, input, { index: 0, runStart: 0, runCount: input.runs }, { threads: 0, proposal });
  return { proposal, partial, encodedBytes: encodePartial(partial).length };
}
