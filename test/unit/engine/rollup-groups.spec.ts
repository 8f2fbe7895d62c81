/**
 * Per-run group ranges (the rollup's ranges at country and sector nodes): the core keeps sparse
 * (run, cell) rows, cell = (country, sector, part), and finalize derives every country, sector
 * and country x sector group of each part from them. Checked against the run table (a group
 * holding every entity is the world), against sums (parts and nested groups add up), and
 * against a direct computation from the rows.
 */
import { finalizeAssessment, mergePartials, prepareScenario, runAssessment, runShard, WeightedSample, type AssessmentResult, type GroupStat, type Range, type ScenarioModel } from '../../../src/engine';
import { weightedRange } from '../../../src/engine/stats';
import { groupCells, NG } from '../../../src/engine/partial';
import type { DependencyRecord, EntityRecord } from '../../../src/domain/records';
import { erScenario, weapon } from './helpers';

jest.setTimeout(600_000);

const FIG = ['entitiesInfected', 'entitiesDisrupted', 'lossUsd', 'populationAffected'] as const;
const PARTS = ['total', 'intended', 'collateral'] as const;
type Part = (typeof PARTS)[number];

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
const expectRange = (what: string, got: Range, want: Range, rel: number) => {
  const ok = (['mean', 'median', 'low', 'high'] as const).every((k) => close(got[k], want[k], rel)) && got.level === want.level;
  expect({ what, got, ok }).toEqual({ what, got, ok: true });
};

/** Service dependencies along a chain, so some entities are disrupted without infection. */
function withServices(dependencies: DependencyRecord[], n: number): DependencyRecord[] {
  const out = [...dependencies];
  for (let i = 0; i + 1 < n; i += 7) out.push({ sourceId: `n${i}`, targetId: `n${i + 1}`, kind: 'service', weight: 0.6 });
  return out;
}

const reports = [
  { weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed' as const, tlp: 'clear' as const },
  { weaponId: 'w', entityId: 'n3', observedAt: '2017-06-27T20:00:00Z', status: 'confirmed' as const, tlp: 'clear' as const },
];

/**
 * UA, DE, US and a few entities with no country; healthcare, IT and a few with no sector.
 * Intended: UA and a quarter of DE, so DE, its sectors and DE/IT hold both parts.
 */
function mixedScenario(): { model: ScenarioModel; entities: EntityRecord[] } {
  const n = 900;
  const base = erScenario(n, 4, 21);
  const entities = base.entities.map((e, i) => ({ ...e, country: i % 45 === 7 ? undefined : e.country, sector: i % 50 === 9 ? undefined : e.sector }));
  const deTargets = entities.filter((e, i) => e.country === 'DE' && i % 4 === 1).map((e) => e.id);
  const model = prepareScenario({
    entities,
    dependencies: withServices(base.dependencies, n),
    weapon: weapon({ low: 0.3, high: 0.55 }, { targeting: { countries: ['UA'], entityIds: deTargets } }),
    reports,
    horizonHours: 120,
  });
  return { model, entities };
}

const entry = (list: GroupStat[], key: string, part: Part) => list.find((g) => g.key === key && g.part === part);

describe('per-run group ranges', () => {
  let mixed: { model: ScenarioModel; entities: EntityRecord[] };
  let calibrated: AssessmentResult;
  beforeAll(async () => {
    mixed = mixedScenario();
    calibrated = await runAssessment(mixed.model, { runs: 150, seed: 5, threads: 0 });
  });

  it('a country holding every entity has the summary\'s ranges, for the total and for each part', async () => {
    // Every entity in UA, the parts split by sector: the country's per-run totals, summed from
    // the cells, are the run table's totals (computed apart from the cells), weighted runs.
    const base = erScenario(600, 4, 8);
    const entities = base.entities.map((e) => ({ ...e, country: 'UA' }));
    const model = prepareScenario({
      entities,
      dependencies: withServices(base.dependencies, 600),
      weapon: weapon({ low: 0.1, high: 0.45 }, { targeting: { sectors: ['healthcare-and-public-health'] } }),
      reports: reports.slice(1), // n3: collateral (IT), so some runs reach no intended entity
      horizonHours: 120,
    });
    const r = await runAssessment(model, { runs: 120, seed: 3, threads: 0 });
    expect(r.groups.country.map((g) => g.part).sort()).toEqual(['collateral', 'intended', 'total']);
    const weights = r.runs.rows.map((row) => row[1]);
    expect(Math.max(...weights) / Math.min(...weights.filter((x) => x > 0))).toBeGreaterThan(2); // calibrated: unequal weights
    for (const part of PARTS) {
      const ua = entry(r.groups.country, 'UA', part)!;
      const s = r.summary[part];
      expectRange(`${part}.entitiesInfected`, ua.entitiesInfected, s.entitiesInfected, 1e-12);
      expectRange(`${part}.entitiesDisrupted`, ua.entitiesDisrupted, s.entitiesDisrupted, 1e-12);
      // single-precision rows: loss and population agree to float32 rounding
      expectRange(`${part}.lossUsd`, ua.lossUsd, s.lossUsd.total, 1e-6);
      expectRange(`${part}.populationAffected`, ua.populationAffected, s.populationAffected, 1e-6);
    }
    // some runs infect no intended entity: runs absent from a group count as zero
    const col = r.runs.columns.indexOf('intended.entitiesInfected');
    expect(r.runs.rows.some((row) => row[col] === 0)).toBe(true);
    expect(r.summary.total.entitiesDisrupted.high).toBeGreaterThan(0);
  });

  it('parts add up to the total and nested groups to their country and sector, for every figure', () => {
    const g = calibrated.groups;
    const pairs = g.countrySector!;
    expect(new Set(g.country.map((x) => x.key))).toEqual(new Set(['UA', 'DE', 'US', 'unknown']));
    expect(new Set(g.sector.map((x) => x.key))).toEqual(new Set(['healthcare-and-public-health', 'information-technology', 'unknown']));
    for (const p of pairs) expect(p.key).toBe(`${p.country}/${p.sector}`);
    const mean = (x: GroupStat | undefined, f: (typeof FIG)[number]) => (x ? x[f].mean : 0);
    for (const f of FIG) {
      for (const list of [g.country, g.sector, pairs]) {
        for (const t of list.filter((x) => x.part === 'total')) {
          expect(close(mean(entry(list, t.key, 'intended'), f) + mean(entry(list, t.key, 'collateral'), f), t[f].mean, 1e-9)).toBe(true);
        }
      }
      for (const part of PARTS) {
        for (const c of g.country.filter((x) => x.part === part)) {
          const sum = pairs.filter((x) => x.part === part && x.country === c.key).reduce((a, x) => a + x[f].mean, 0);
          expect({ f, part, c: c.key, ok: close(sum, c[f].mean, 1e-9) }).toEqual({ f, part, c: c.key, ok: true });
        }
        for (const s of g.sector.filter((x) => x.part === part)) {
          const sum = pairs.filter((x) => x.part === part && x.sector === s.key).reduce((a, x) => a + x[f].mean, 0);
          expect({ f, part, s: s.key, ok: close(sum, s[f].mean, 1e-9) }).toEqual({ f, part, s: s.key, ok: true });
        }
      }
    }
    // the countries together are the world
    const world = (f: (typeof FIG)[number], part: Part) => g.country.filter((x) => x.part === part).reduce((a, x) => a + x[f].mean, 0);
    for (const part of PARTS) {
      const s = calibrated.summary[part];
      expect(close(world('entitiesInfected', part), s.entitiesInfected.mean, 1e-9)).toBe(true);
      expect(close(world('entitiesDisrupted', part), s.entitiesDisrupted.mean, 1e-9)).toBe(true);
      expect(close(world('lossUsd', part), s.lossUsd.total.mean, 1e-6)).toBe(true);
      expect(close(world('populationAffected', part), s.populationAffected.mean, 1e-6)).toBe(true);
    }
  });

  it('lists a part only for groups holding entities of it, a one-part group\'s part equal to its total; ranges contain medians', () => {
    const pairs = calibrated.groups.countrySector!;
    const partsOf = new Map<string, Set<Part>>();
    const index = new Map(mixed.model.meta.ids.map((id, v) => [id, v]));
    for (const e of mixed.entities) {
      const key = `${e.country ?? 'unknown'}/${e.sector ?? 'unknown'}`;
      if (!partsOf.has(key)) partsOf.set(key, new Set<Part>(['total']));
      partsOf.get(key)!.add(mixed.model.core.intended[index.get(e.id)!] === 1 ? 'intended' : 'collateral');
    }
    expect(new Set(pairs.map((p) => p.key))).toEqual(new Set(partsOf.keys()));
    for (const [key, parts] of partsOf) expect(new Set(pairs.filter((p) => p.key === key).map((p) => p.part))).toEqual(parts);
    expect(partsOf.get('DE/information-technology')!.size).toBe(3); // a mixed pair exists
    for (const p of pairs) {
      if (p.part !== 'total' && partsOf.get(p.key)!.size === 2) {
        const t = entry(pairs, p.key, 'total')!;
        for (const f of FIG) expect(p[f]).toEqual(t[f]);
      }
    }
    const all = [...calibrated.groups.country, ...calibrated.groups.sector, ...pairs];
    for (const g of all)
      for (const f of FIG) {
        const r = g[f];
        expect({ g: g.key, part: g.part, f, ok: r.low <= r.median && r.median <= r.high && r.level === 0.9 }).toEqual({
          g: g.key,
          part: g.part,
          f,
          ok: true,
        });
      }
    // the mixed groups' parts differ from their totals (else the test above says nothing)
    expect(entry(calibrated.groups.country, 'DE', 'collateral')!.entitiesInfected.mean).toBeLessThan(entry(calibrated.groups.country, 'DE', 'total')!.entitiesInfected.mean);
    expect(entry(pairs, 'DE/information-technology', 'intended')!.entitiesInfected.mean).toBeGreaterThan(0);
  });

  it('with equal weights, every group\'s range is that of its per-run totals computed from the rows', async () => {
    const { model } = mixed;
    const opts = { runs: 200, seed: 9, threads: 0, calibrate: false };
    const { partial } = await runShard(model, [0, opts.runs], opts);
    const r = finalizeAssessment(model, partial, opts);
    const cells = groupCells(model.core);
    const nameOf = (c: number) => ({
      country: cells.country[c] >= 0 ? model.meta.countries[cells.country[c]] : 'unknown',
      sector: cells.sector[c] >= 0 ? model.meta.sectors[cells.sector[c]] : 'unknown',
      part: cells.intended[c] ? 'intended' : 'collateral',
    });
    const direct = (inGroup: (c: number) => boolean): Range[] => {
      const perRun = Array.from({ length: opts.runs }, () => new Float64Array(NG));
      for (let j = 0; j < partial.groupCount; j++)
        if (inGroup(partial.groupId[j])) for (let f = 0; f < NG; f++) perRun[partial.groupRun[j]][f] += partial.groupValues[j * NG + f];
      const ones = new Float64Array(opts.runs).fill(1);
      return FIG.map((_, f) => new WeightedSample(Float64Array.from(perRun, (x) => x[f]), ones).range(0.9));
    };
    const check = (list: GroupStat[], match: (g: GroupStat, c: number) => boolean) => {
      for (const g of list) {
        const want = direct((c) => match(g, c) && (g.part === 'total' || nameOf(c).part === g.part));
        FIG.forEach((f, k) => expectRange(`${g.key}.${g.part}.${f}`, g[f], want[k], 1e-12));
      }
    };
    check(r.groups.country, (g, c) => nameOf(c).country === g.key);
    check(r.groups.sector, (g, c) => nameOf(c).sector === g.key);
    check(r.groups.countrySector!, (g, c) => `${nameOf(c).country}/${nameOf(c).sector}` === g.key);
    // groups that some runs miss (zero-valued runs) are among them
    expect(r.groups.countrySector!.some((g) => g.entitiesInfected.low === 0 && g.entitiesInfected.high > 0)).toBe(true);
  });

  it('shards merge into the groups of the whole, bit for bit, whatever the threads', async () => {
    const opts = { runs: 90, seed: 4, chunkSize: 10 };
    const whole = await runAssessment(mixed.model, { ...opts, chunkSize: 90, threads: 0 }); // one chunk: no merge
    const a = await runShard(mixed.model, [50, 90], { ...opts, threads: 2 });
    const b = await runShard(mixed.model, [0, 50], { ...opts, threads: 0 });
    const merged = finalizeAssessment(mixed.model, mergePartials([a.partial, b.partial]), opts);
    expect(merged.groups).toEqual(whole.groups);
  });
});

describe('weightedRange', () => {
  it('equals WeightedSample.range, ties, counts, zero weights and a zero-valued block included', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 2000; t++) {
      const n = 1 + Math.floor(rand() * 60);
      // continuous values (selection); few distinct counts, and counts up to n (the histogram of countRange)
      const mode = Math.floor(rand() * 3);
      const v = Float64Array.from({ length: n }, () => (mode === 0 ? rand() * 1000 : Math.floor(rand() * (mode === 1 ? 4 : n))));
      const w = Float64Array.from({ length: n }, () => (rand() < 0.1 ? 0 : rand() < 0.5 ? 1 : Math.exp(-8 * rand())));
      const zero = rand() < 0.5 ? rand() * 2 : 0;
      const want = new WeightedSample(v, w, { zeroWeight: zero, zeroWeightSquared: zero * zero }).range(0.8);
      if (!(want.mean === want.mean)) continue; // no positive weight
      const got = weightedRange(Float64Array.from([...v, 0]), Float64Array.from([...w, zero]), n + 1, 0.8);
      expect({ t, median: got.median, low: got.low, high: got.high }).toEqual({ t, median: want.median, low: want.low, high: want.high });
      expect(close(got.mean, want.mean, 1e-12)).toBe(true);
    }
  });
});
