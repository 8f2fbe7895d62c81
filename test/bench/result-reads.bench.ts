/**
 * Result reads of a large assessment (issue 16): the entity page, the early warning and the
 * rollup, through ResultsService on result parts built in memory in the stored shapes and
 * served as stored JSON text by a stand-in for the database (so the figures are the parse and
 * the views, not the database's transfer of the text).
 *
 *     node --expose-gc -r @swc-node/register test/bench/result-reads.bench.ts --entities 1000000 [--seed 1] [--before]
 *
 * The parts are those an assessment stores at finish, with the parts beside `entities` that cold
 * reads use instead of it (src/results/entity-index.ts); `--before`: without those, as a job
 * stored before them is read (every entity view parses the whole entities part). Prints how long
 * the organisations' key ranks (`entityKeyRanks`, one of those parts) take to build alone.
 *
 * Parts: N entity rows (every entity infected in some run, as at 32 runs on the 1M bench graph),
 * organisations ~ N/10 with sites below them (a fifth of them in another country than their
 * organisation's), countries and sectors drawn with the scenario generator's weights
 * (src/scenario-format/generate.ts), per-group ranges for every country, sector and cell of each
 * part, three early-warning windows of 500 entities of each part with paths from reported
 * entities, and RED reports of another organisation on 2% of the reported entities.
 *
 * Each read is timed cold (a fresh ResultsService: reading and parsing its parts, building what
 * it keeps) and warm (median of 5 on the same service), for an analyst of another organisation
 * (the suppression of TLP applies) and an admin. Prints one JSON line per read and the heap and
 * RSS; asserts nothing.
 */
import type { JobsService } from '../../src/jobs/jobs.service';
import type { HierarchyLevel } from '../../src/graph/hierarchy';
import type { Principal } from '../../src/common/http/principal';
import type { JobOf } from '../../src/jobs/job.entity';
import type { AssessmentParts, EntityRow } from '../../src/results/result-parts';
import { groupKey } from '../../src/results/result-parts';
import type { GroupStat, Range, Summary } from '../../src/results/result-types';
import { ResultsService } from '../../src/results/results.service';
import { entityIndexParts, keyRanks } from '../../src/results/entity-index';
import { GENERATOR_COUNTRIES, GENERATOR_SECTOR_WEIGHTS } from '../../src/scenario-format/generate';
import { SECTORS } from '../../src/domain/vocabulary';
import { loadavg } from 'node:os';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** mulberry32: a small deterministic generator, so two runs build the same parts. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = rand() * total;
  for (let i = 0; i < items.length; i++) if ((x -= weights[i]) < 0) return items[i];
  return items[items.length - 1];
}

const range = (mean: number): Range => ({ mean, median: mean, low: mean * 0.6, high: mean * 1.5, level: 0.9 });

export function benchParts(n: number, seed: number): AssessmentParts {
  const rand = prng(seed);
  const countries = GENERATOR_COUNTRIES.map(([c]) => c);
  const countryWeights = GENERATOR_COUNTRIES.map(([, w]) => w);
  const sectorWeights = SECTORS.map((s) => GENERATOR_SECTOR_WEIGHTS[s]);
  const orgs = Math.max(1, Math.round(n / 10));
  const rows: EntityRow[] = [];
  for (let i = 0; i < n; i++) {
    const isOrg = i < orgs;
    const org = isOrg ? i : Math.floor(rand() * orgs);
    const own = isOrg || rand() < 0.2;
    const country = own ? pick(rand, countries, countryWeights) : rows[org].country;
    const sector = own ? pick(rand, SECTORS, sectorWeights) : rows[org].sector;
    const p = Math.min(1, rand() ** 3);
    const pd = p * rand();
    const intended = country === 'UA' && rand() < 0.5;
    const reported = rand() < 0.01;
    const q = (x: number) => ({ p: x, low: Math.max(0, x - 0.05), high: Math.min(1, x + 0.05) });
    rows.push({
      entityId: isOrg ? `org-${i}` : `site-${i}`,
      name: isOrg ? `Organisation ${i}` : `Site ${i} of organisation ${org}`,
      kind: isOrg ? 'organization' : 'site',
      parentId: isOrg ? null : `org-${org}`,
      country,
      sector,
      protected: sector === 'healthcare-and-public-health' || sector === 'energy',
      intended,
      collateral: !intended,
      reported,
      probabilityInfected: q(reported ? 1 : p),
      probabilityDisrupted: q(reported ? 1 : pd),
      expectedLossUsd: Math.round(rand() * 5e6 * p * 100) / 100,
    });
  }
  // The core lists entities by probability of infection.
  rows.sort((a, b) => b.probabilityInfected.p - a.probabilityInfected.p);

  const groups: Record<string, GroupStat> = {};
  const stat = (key: string, part: 'total' | 'intended' | 'collateral'): GroupStat => ({
    key, part, entitiesInfected: range(100 * rand()), entitiesDisrupted: range(30 * rand()), lossUsd: range(1e8 * rand()), populationAffected: range(1e4 * rand()),
  });
  for (const r of rows) {
    for (const part of ['total', r.collateral ? 'collateral' : 'intended'] as const) {
      for (const [c, s] of [[r.country, null], [null, r.sector], [r.country, r.sector]] as const) {
        const k = groupKey(part, c, s);
        if (!groups[k]) groups[k] = stat(c && s ? `${c}/${s}` : (c ?? s)!, part);
      }
    }
  }

  const reported = rows.filter((r) => r.reported);
  const unreported = rows.filter((r) => !r.reported);
  const windows = [24, 72, 168].map((withinHours, w) => {
    const entities = [];
    for (const part of [true, false]) {
      const list = unreported.filter((r) => r.intended === part).slice(0, 500);
      for (const r of list) {
        const path = [reported[Math.floor(rand() * reported.length)].entityId];
        const hops = 1 + Math.floor(rand() * 6);
        for (let h = 0; h < hops; h++) path.push(unreported[Math.floor(rand() * unreported.length)].entityId);
        path.push(r.entityId);
        const p = r.probabilityInfected.p * (w + 1) / 3;
        entities.push({ entityId: r.entityId, name: r.name, country: r.country, sector: r.sector, probability: { p, low: p * 0.8, high: Math.min(1, p * 1.2) }, path });
      }
    }
    return { withinHours, entities: entities.sort((a, b) => b.probability.p - a.probability.p) };
  });

  const restricted: AssessmentParts['restricted'] = {};
  for (const r of reported) if (rand() < 0.02) restricted[r.entityId] = [{ tlp: 'red', organizationId: 'org-a' }];

  const figures = () => ({
    entitiesInfected: range(n / 10), entitiesDisrupted: range(n / 30), unreportedInfections: range(n / 12), forecastInfections: range(n / 9),
    lossUsd: { direct: range(1e10), indirect: range(1e9), total: range(1.1e10) }, populationAffected: range(1e6), countriesAffected: range(40),
  });
  const summary: Summary = {
    total: figures(), intended: figures(), collateral: figures(),
    protectedHits: rows.filter((r) => r.protected).slice(0, 50).map((r) => ({
      entityId: r.entityId, name: r.name, sector: r.sector, probability: r.probabilityInfected.p, probabilityInfected: r.probabilityInfected.p, norms: [],
    })),
    calibration: { method: 'none', parameters: {}, prior: {}, effectiveSampleSize: 32 },
    monteCarloError: { runs: 32, effectiveSampleSize: 32, method: 'bench', figures: {} },
  };
  const asOf = '2026-12-01T00:00:00.000Z';
  return {
    summary,
    meta: { model: 'ic', seed, runCount: 32, warnings: [] },
    entities: rows,
    groups,
    timeline: { asOf, origin: asOf, horizonHours: 168, points: [] },
    earlyWarning: { asOf, windows },
    runs: { columns: ['run', 'weight'], rows: Array.from({ length: 32 }, (_, i) => [i, 1]) },
    restricted,
  };
}

/** The stored parts as ResultsService reads them (JobsService.part): one JSON body per part. */
function storedParts(bodies: Map<string, string>): JobsService {
  return { part: async (_jobId: string, part: string) => bodies.get(part) ?? null } as unknown as JobsService;
}

const ORGANIZATION_LEVELS: HierarchyLevel[] = ['country', 'sector', 'organization'];

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

async function main() {
  const n = arg('entities', 1_000_000);
  const seed = arg('seed', 1);
  const t0 = performance.now();
  const before = process.argv.includes('--before');
  const parts = benchParts(n, seed);
  const index = before ? null : entityIndexParts(parts);
  // The organisations' key ranks alone (entityKeyRanks, part of the above): what they add to the finish.
  let t = performance.now();
  if (!before) keyRanks(parts.entities);
  const keyRanksMs = Math.round(performance.now() - t);
  if (!before && !index) throw new Error('the bench rows should have the parts beside entities');
  const bodies = new Map(Object.entries({ ...parts, ...index }).map(([k, v]) => [k, JSON.stringify(v)]));
  const builtMs = performance.now() - t0 - keyRanksMs;
  console.log(JSON.stringify({
    bench: 'result reads', parts: before ? 'before issue 16 (entities only)' : 'with the parts beside entities', entities: n, organisations: Math.round(n / 10), hidden: Object.keys(parts.restricted).length,
    buildSeconds: +(builtMs / 1000).toFixed(1), keyRanksMs, storedMB: Object.fromEntries([...bodies].map(([k, v]) => [k, mb(v.length)])), load: loadavg().map((x) => +x.toFixed(2)),
  }));
  (parts as { entities?: unknown }).entities = undefined;
  if (index) (index as Partial<typeof index>).entityLinks = undefined;
  // What every cold read of the entities part pays first: parsing it.
  t = performance.now();
  JSON.parse(bodies.get('entities')!);
  console.log(JSON.stringify({ parseEntitiesMs: Math.round(performance.now() - t), load: loadavg().map((x) => +x.toFixed(2)) }));

  const db = storedParts(bodies);
  const job = { id: '00000000-0000-4000-8000-000000000016', kind: 'assessment', status: 'done', input: { kind: 'assessment' } } as unknown as JobOf<'assessment'>;
  const analyst: Principal = { keyId: 'k-b', organizationId: 'org-b', role: 'analyst' };
  const admin: Principal = { keyId: 'k-admin', organizationId: 'org-admin', role: 'admin' };
  const reads: Array<[string, Principal, (s: ResultsService, who: Principal) => Promise<unknown>]> = [];
  for (const who of [analyst, admin]) {
    reads.push(
      ['entities page (probability, 100)', who, (s, r) => s.entities(job, r, { sort: 'probability', limit: 100 })],
      ['entities page (loss, collateral, 100)', who, (s, r) => s.entities(job, r, { sort: 'loss', collateral: true, limit: 100 })],
      ['early warning (default)', who, (s, r) => s.earlyWarning(job, r, { limit: 50 })],
      ['early warning (withinHours 48, collateral)', who, (s, r) => s.earlyWarning(job, r, { withinHours: 48, limit: 50, collateral: true })],
      ['rollup country', who, (s, r) => s.rollup(job, r, ['country'], 'total')],
      ['rollup country,sector', who, (s, r) => s.rollup(job, r, ['country', 'sector'], 'total')],
      ['rollup country,sector collateral', who, (s, r) => s.rollup(job, r, ['country', 'sector'], 'collateral')],
      // The route's default page of organisations (100 per group), and the second page.
      ['rollup country,sector,organization', who, (s, r) => s.rollup(job, r, ORGANIZATION_LEVELS, 'total', { limit: 100, offset: 0 })],
      ['rollup country,sector,organization, 2nd page', who, (s, r) => s.rollup(job, r, ORGANIZATION_LEVELS, 'total', { limit: 100, offset: 100 })],
      ['rollup organization', who, (s, r) => s.rollup(job, r, ['organization'], 'total', { limit: 100, offset: 0 })],
    );
  }
  // Run with node --expose-gc: each cold read starts from a collected heap, as a process does
  // after its start, not with the garbage of the bench's own parse and of the reads before.
  const collect = (globalThis as { gc?: () => void }).gc;
  for (const [name, who, read] of reads) {
    collect?.();
    const cold = new ResultsService(db);
    t = performance.now();
    const answer = await read(cold, who);
    const coldMs = performance.now() - t;
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      await read(cold, who);
      warm.push(performance.now() - t);
    }
    warm.sort((a, b) => a - b);
    const m = process.memoryUsage();
    console.log(JSON.stringify({
      read: name, reader: who.role, coldMs: Math.round(coldMs), warmMs: { min: Math.round(warm[0]), median: Math.round(warm[2]), max: Math.round(warm[4]) },
      answerMB: mb(JSON.stringify(answer).length), heapMB: Math.round(m.heapUsed / 1e6), rssMB: Math.round(m.rss / 1e6),
    }));
  }
  console.log(JSON.stringify({ peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), load: loadavg().map((x) => +x.toFixed(2)) }));
}

// Run when started, not when imported (benchParts is exported): an import would start a million-entity run.
if (require.main === module) main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
