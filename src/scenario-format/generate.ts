/**
 * Seeded generator of large synthetic scenario folders (`npm run cli -- generate`).
 *
 * Model:
 * - **Hierarchy**: organisations, each with a heavy-tailed number of sites (Pareto, most with none, about 0.8 on average;
 *   a few with hundreds); sites keep their organisation's sector and mostly its country, and are
 *   joined to it by a bidirectional `corporate-wan` edge.
 * - **Degree**: a directed Chung-Lu graph. Each entity gets a weight w from a power law
 *   (P(w > x) ~ x^-(alpha-1), degree exponent `alpha`, default 2.5); its out-degree is
 *   Poisson(k * w / mean w) and each edge's target is drawn with probability proportional to w,
 *   so in- and out-degrees are both heavy-tailed with mean k (`avgDegree`, default 10, hierarchy
 *   edges included). Self-loops and repeated (source, target, kind) are dropped at the source.
 * - **Kinds and weights**: network 34%, service 26%, supply-chain 12%, shared-infrastructure 10%,
 *   email 12%, removable-media 3%, corporate-wan 3% (plus the hierarchy), each with its own weight
 *   range; network, shared-infrastructure and email edges are bidirectional half of the time.
 *   A random `corporate-wan` edge between an organisation and its own site is dropped (the
 *   hierarchy edge already joins them), so no (source, target, kind) repeats.
 * - **Stable service dependencies**: the inoperability model needs its matrix's spectral radius
 *   below 1. Each entity's incoming `service` weights are held to a budget of
 *   {@link SERVICE_WEIGHT_BUDGET}: a drawn weight is cut to what is left, and the edge dropped when
 *   less than 0.01 is left. Every row of the matrix then sums to at most the budget, which bounds
 *   the spectral radius, at every seed and setting.
 * - **Attributes**: country and sector from fixed weighted mixes (below), hosts Pareto(5, 1.1)
 *   capped at 200,000, daily value = hosts x lognormal(median 300 USD, sigma 0.7), population served
 *   for utilities, health and emergency services; tags `windows` (85%), `smbv1` (a quarter of
 *   Windows entities), `linux`, `step7` (industrial sectors), `medoc` (Ukrainian Windows entities).
 * - **Weapon and reports**: a synthetic ransomware worm (`synthetic-worm`, requiring `windows`) aimed
 *   at the energy sector of the top country, and a few seed reports in its first hours.
 *
 * Memory is O(entities) in typed arrays; both CSV files are streamed to disk in 1 MB blocks, so
 * 10^6 entities with 10^7 dependencies run in a few hundred MB.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportRecord, WeaponRecord } from '../domain/records';
import { DEPENDENCY_KINDS, SECTORS, type DependencyKind } from '../domain/vocabulary';
import { csvField } from './csv';
import { reportsJson, SCENARIO_FILES, type ScenarioMeta } from './index';
import { cumulative, ScenarioRandom } from './random';
import { DEPENDENCY_COLUMNS } from '../domain/rules/dependency';
import { ENTITY_COLUMNS } from '../domain/rules/entity';

export interface GenerateOptions {
  entities: number;
  /** Mean dependencies per entity, hierarchy edges included (default 10). */
  avgDegree?: number;
  /** Power-law exponent of the degree distribution (default 2.5; must be > 2). */
  alpha?: number;
  seed?: string | number;
  /** Seed reports in reports.json (default 10). */
  reports?: number;
  /** scenario.json id (default `synthetic-<entities>-<seed>`). */
  id?: string;
}

export interface GenerateStats {
  dir: string;
  entities: number;
  organizations: number;
  sites: number;
  dependencies: number;
  reports: number;
  maxOutDegree: number;
  maxInDegree: number;
  bytes: number;
  ms: number;
}

/** Synthetic country mix (weights are judgement, loosely by economic size and connectivity). */
export const GENERATOR_COUNTRIES: [string, number][] = [
  ['US', 20], ['CN', 12], ['DE', 5], ['JP', 5], ['GB', 4.5], ['IN', 5], ['FR', 4], ['BR', 3], ['IT', 3], ['CA', 2.5], ['KR', 2.5],
  ['RU', 3], ['AU', 2], ['ES', 2], ['MX', 2], ['ID', 2], ['NL', 1.5], ['TR', 1.5], ['SA', 1], ['CH', 1], ['PL', 1.2], ['SE', 1],
  ['BE', 0.8], ['TW', 1.2], ['AR', 0.8], ['NO', 0.6], ['AT', 0.6], ['AE', 0.6], ['IL', 0.6], ['IE', 0.6], ['SG', 0.8], ['MY', 0.6],
  ['TH', 0.8], ['ZA', 0.6], ['EG', 0.6], ['NG', 0.6], ['PK', 0.6], ['VN', 0.8], ['PH', 0.6], ['UA', 1], ['IR', 0.6], ['DK', 0.5],
  ['FI', 0.4], ['CZ', 0.5], ['RO', 0.5], ['PT', 0.5], ['GR', 0.4], ['NZ', 0.3], ['CL', 0.4], ['CO', 0.5], ['KE', 0.3], ['MA', 0.3],
];

/** Synthetic sector mix, in the order of SECTORS. */
export const GENERATOR_SECTOR_WEIGHTS: Record<(typeof SECTORS)[number], number> = {
  chemical: 3, 'commercial-facilities': 24, communications: 3, 'critical-manufacturing': 14, dams: 0.3, 'defense-industrial-base': 1.5,
  'emergency-services': 1.5, energy: 3, 'financial-services': 7, 'food-and-agriculture': 8, 'government-facilities': 7,
  'healthcare-and-public-health': 8, 'information-technology': 9, nuclear: 0.2, 'transportation-systems': 6, 'water-and-wastewater': 2,
};

const KIND_MIX: [DependencyKind, number, number, number][] = [
  // kind, share, weight low, weight high
  ['network', 34, 0.05, 0.5],
  ['service', 26, 0.05, 0.7],
  ['supply-chain', 12, 0.1, 0.8],
  ['shared-infrastructure', 10, 0.02, 0.3],
  ['email', 12, 0.01, 0.2],
  ['removable-media', 3, 0.02, 0.3],
  ['corporate-wan', 3, 0.3, 0.9],
];
/** Most that an entity's incoming service weights add up to (a row sum of the IIM matrix). */
export const SERVICE_WEIGHT_BUDGET = 0.9;

const KIND_INDEX = new Map<string, number>(DEPENDENCY_KINDS.map((k, i) => [k, i]));
const INDUSTRIAL = new Set(['chemical', 'critical-manufacturing', 'energy', 'water-and-wastewater', 'dams', 'nuclear']);
const POPULATION = new Set(['energy', 'water-and-wastewater', 'healthcare-and-public-health', 'emergency-services', 'communications', 'dams', 'nuclear']);

/** Poisson draw (Knuth for small means, rounded normal above 30). */
function poisson(r: ScenarioRandom, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * r.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = r.next();
  while (p > l) {
    k++;
    p *= r.next();
  }
  return k;
}

class BlockWriter {
  private fd: number;
  private block = '';
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    this.block += s;
    this.block += '\n';
    if (this.block.length > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.block) {
      this.bytes += writeSync(this.fd, this.block);
      this.block = '';
    }
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Generates a scenario folder at `dir`. Same options (seed included), same files. */
export function generateScenario(dir: string, opts: GenerateOptions): GenerateStats {
  const t0 = Date.now();
  const n = Math.floor(opts.entities);
  if (!(n >= 2)) throw new RangeError('entities must be at least 2');
  const k = opts.avgDegree ?? 10;
  const alpha = opts.alpha ?? 2.5;
  if (!(alpha > 2)) throw new RangeError('alpha must be > 2');
  if (!(k >= 0)) throw new RangeError('avgDegree must be >= 0');
  const seed = opts.seed ?? 1;
  const r = new ScenarioRandom(`spillover-generate:${seed}`);
  mkdirSync(dir, { recursive: true });

  // --- Entities: hierarchy, attributes, weights (typed arrays, O(n))
  const parent = new Int32Array(n).fill(-1);
  const country = new Uint8Array(n);
  const sector = new Uint8Array(n);
  const windows = new Uint8Array(n);
  const weight = new Float64Array(n);
  const countryCum = cumulative(GENERATOR_COUNTRIES.map(([, w]) => w));
  const sectorCum = cumulative(SECTORS.map((s) => GENERATOR_SECTOR_WEIGHTS[s]));
  const uaIndex = GENERATOR_COUNTRIES.findIndex(([c]) => c === 'UA');
  const idOf = (i: number) => (parent[i] === -1 ? 'org-' : 'site-') + String(i).padStart(7, '0');

  const ents = new BlockWriter(join(dir, SCENARIO_FILES.entities));
  ents.line(ENTITY_COLUMNS.join(','));
  let orgs = 0;
  let orgHosts = 0;
  let org = -1;
  let sitesLeft = 0;
  for (let i = 0; i < n; i++) {
    let hosts: number;
    if (sitesLeft > 0 && org >= 0) {
      parent[i] = org;
      sitesLeft--;
      sector[i] = sector[org];
      country[i] = r.bool(0.8) ? country[org] : r.weighted(countryCum);
      hosts = Math.max(1, Math.round(orgHosts * r.uniform(0.05, 0.5)));
    } else {
      org = i;
      orgs++;
      // Sites per organisation: none for most, heavy-tailed above (about 0.8 on average).
      sitesLeft = r.bool(0.3) ? Math.min(2000, Math.floor(r.pareto(1, 1.5))) : 0;
      country[i] = r.weighted(countryCum);
      sector[i] = r.weighted(sectorCum);
      hosts = Math.min(200_000, Math.round(r.pareto(5, 1.1)));
      orgHosts = hosts;
    }
    weight[i] = r.pareto(1, alpha - 1);
    const sec = SECTORS[sector[i]];
    const cc = GENERATOR_COUNTRIES[country[i]][0];
    const win = r.bool(0.85);
    windows[i] = win ? 1 : 0;
    let tags = win ? 'windows' : 'linux';
    if (win && r.bool(0.25)) tags += ';smbv1';
    if (win && country[i] === uaIndex && r.bool(0.5)) tags += ';medoc';
    if (win && INDUSTRIAL.has(sec) && r.bool(0.2)) tags += ';step7';
    const value = Math.round(hosts * r.lognormal(300, 0.7));
    const pop = POPULATION.has(sec) ? Math.min(2_000_000_000, Math.round(hosts * r.lognormal(200, 0.8))) : 0;
    const kind = parent[i] === -1 ? 'organization' : 'site';
    const name = parent[i] === -1 ? `Organisation ${i} (${cc}, synthetic)` : `Site ${i} of organisation ${parent[i]} (${cc})`;
    ents.line(`${idOf(i)},${csvField(name)},${kind},${parent[i] === -1 ? '' : idOf(parent[i])},${cc},${sec},${hosts},${value},${pop},${tags},`);
  }
  ents.close();

  // --- Dependencies: hierarchy edges, then Chung-Lu edges source by source
  const deps = new BlockWriter(join(dir, SCENARIO_FILES.dependencies));
  deps.line(DEPENDENCY_COLUMNS.join(','));
  let m = 0;
  const outDeg = new Uint32Array(n);
  const inDeg = new Uint32Array(n);
  const w3 = (x: number) => Math.round(x * 1000) / 1000;
  let hierarchy = 0;
  for (let i = 0; i < n; i++) if (parent[i] !== -1) hierarchy++;
  const randomEdges = Math.max(0, k * n - hierarchy);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weight[i];
  const targetCum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) targetCum[i] = acc += weight[i];
  const kindCum = cumulative(KIND_MIX.map(([, s]) => s));
  const seen = new Set<number>();
  const hierarchyKey = KIND_INDEX.get('corporate-wan')!;
  // Kept in thousandths so rounding never takes a row above the budget.
  const serviceLeft = new Int32Array(n).fill(Math.round(SERVICE_WEIGHT_BUDGET * 1000));
  for (let i = 0; i < n; i++) {
    const src = idOf(i);
    seen.clear();
    if (parent[i] !== -1) {
      deps.line(`${idOf(parent[i])},${src},corporate-wan,${w3(r.uniform(0.5, 0.95))},true`);
      seen.add(parent[i] * 8 + hierarchyKey);
      outDeg[parent[i]]++;
      inDeg[i]++;
      m++;
    }
    const d = poisson(r, (randomEdges * weight[i]) / wsum);
    for (let j = 0; j < d; j++) {
      // Target proportional to weight (binary search in the cumulative weights).
      const u = r.next() * acc;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (targetCum[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      if (lo === i) continue;
      const [kind, , wl, wh] = KIND_MIX[r.weighted(kindCum)];
      const key = lo * 8 + KIND_INDEX.get(kind)!;
      // An organisation's corporate-wan edge to its own site is the site's hierarchy edge, written with the site.
      if (seen.has(key) || (kind === 'corporate-wan' && parent[lo] === i)) continue;
      seen.add(key);
      const bidi = (kind === 'network' || kind === 'shared-infrastructure' || kind === 'email') && r.bool(0.5);
      let milli = Math.round(r.uniform(wl, wh) * 1000);
      if (kind === 'service') {
        milli = Math.min(milli, serviceLeft[lo]);
        if (milli < 10) continue;
        serviceLeft[lo] -= milli;
      }
      deps.line(`${src},${idOf(lo)},${kind},${milli / 1000},${bidi ? 'true' : ''}`);
      outDeg[i]++;
      inDeg[lo]++;
      m++;
    }
  }
  deps.close();

  // --- Weapon, reports, scenario.json, README
  const topCountry = GENERATOR_COUNTRIES[0][0];
  const weapon: WeaponRecord = {
    id: 'synthetic-worm',
    name: 'Synthetic worm (generated)',
    aliases: [],
    payload: 'ransomware',
    vectors: {
      network: { transmissibility: { low: 0.2, high: 0.6 }, delayHours: { low: 0.1, high: 2 } },
      'corporate-wan': { transmissibility: { low: 0.2, high: 0.7 }, delayHours: { low: 0.25, high: 4 } },
      'shared-infrastructure': { transmissibility: { low: 0.02, high: 0.2 }, delayHours: { low: 1, high: 12 } },
      email: { transmissibility: { low: 0.01, high: 0.1 }, delayHours: { low: 1, high: 24 } },
      'supply-chain': { transmissibility: { low: 0.1, high: 0.5 }, delayHours: { low: 2, high: 48 } },
    },
    requiredTags: ['windows'],
    targeting: { countries: [topCountry], sectors: ['energy'] },
    impact: {
      hostShare: { low: 0.1, high: 0.8 },
      costPerHostUsd: { low: 300, high: 3000 },
      downtimeDays: { low: 1, high: 14 },
      inoperability: { low: 0.2, high: 0.9 },
    },
    containmentHours: { low: 4, high: 48 },
    firstSeenAt: '2025-01-06T08:00:00Z',
    killSwitchAt: null,
  };
  const reports: ReportRecord[] = [];
  const wanted = Math.min(opts.reports ?? 10, n);
  for (let tries = 0; reports.length < wanted && tries < 100 * wanted; tries++) {
    const i = r.int(n);
    if (!windows[i] || reports.some((x) => x.entityId === idOf(i))) continue;
    const hours = r.uniform(0, 6);
    reports.push({
      id: `seed-${reports.length + 1}`,
      weaponId: weapon.id,
      entityId: idOf(i),
      observedAt: new Date(Date.parse(weapon.firstSeenAt!) + Math.round(hours * 3600) * 1000).toISOString(),
      status: r.bool(0.8) ? 'confirmed' : 'suspected',
      confidence: 70,
      tlp: 'clear',
      source: 'synthetic',
    });
  }
  const meta: ScenarioMeta = {
    id: opts.id ?? `synthetic-${n}-${String(seed).toLowerCase().replace(/[^a-z0-9._:-]/g, '-')}`.slice(0, 128),
    title: `Synthetic scenario: ${n} entities, seed ${seed}`,
    description: `Generated by src/scenario-format/generate.ts (Chung-Lu, alpha ${alpha}, mean degree ${k}).`,
    weaponId: weapon.id,
    asOf: '2025-01-06T20:00:00.000Z',
    horizonHours: 72,
    synthetic: true,
    sources: [{ title: 'src/scenario-format/generate.ts', note: 'every figure is generated; no public data' }],
  };
  writeFileSync(join(dir, SCENARIO_FILES.scenario), JSON.stringify(meta, null, 2) + '\n');
  writeFileSync(join(dir, SCENARIO_FILES.weapon), JSON.stringify(weapon, null, 2) + '\n');
  writeFileSync(join(dir, SCENARIO_FILES.reports), reportsJson(reports));
  writeFileSync(
    join(dir, SCENARIO_FILES.readme),
    `# ${meta.title}\n\nEntirely synthetic: generated by \`npm run cli -- generate --entities ${n} --seed ${seed} --degree ${k} --alpha ${alpha}\`` +
      ` (src/scenario-format/generate.ts, which documents the model). No figure comes from a public source; the country and sector` +
      ` mixes and all distributions are judgement. ${orgs} organisations, ${n - orgs} sites, ${m} dependencies.\n`,
  );
  let maxOut = 0;
  let maxIn = 0;
  for (let i = 0; i < n; i++) {
    if (outDeg[i] > maxOut) maxOut = outDeg[i];
    if (inDeg[i] > maxIn) maxIn = inDeg[i];
  }
  return {
    dir, entities: n, organizations: orgs, sites: n - orgs, dependencies: m, reports: reports.length,
    maxOutDegree: maxOut, maxInDegree: maxIn, bytes: ents.bytes + deps.bytes, ms: Date.now() - t0,
  };
}
