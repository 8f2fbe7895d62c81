/**
 * Reads through the parts stored beside `entities` (src/results/entity-index.ts) answer what the
 * reads of the whole entities part answer, as JSON text: for an admin and for readers whose
 * views leave out restricted entities' suppression groups (cells, countries, the world), through
 * ResultsService on stored JSON bodies, with and without the new parts (jobs stored before them),
 * and with all but the organisations' key ranks (jobs stored before `entityKeyRanks`: the rollup
 * down to organisations by keys), against the views before issue 16 (reference-views.ts). And the
 * new path does not read `entities` at all, unless hidden rows thin an entity page's first rows out.
 */
import type { Principal } from '../../../src/common/http/principal';
import { PREDICTIVE_CHECK_WARNING } from '../../../src/engine/predictive-check';
import type { HierarchyLevel } from '../../../src/graph/hierarchy';
import type { JobOf } from '../../../src/jobs/job.entity';
import type { JobsService } from '../../../src/jobs/jobs.service';
import { entitiesTopView } from '../../../src/results/entities-view';
import { cellCountsOf, decodeKeyRanks, entityIndexParts, keyRanks, type EntityIndexParts } from '../../../src/results/entity-index';
import type { AssessmentParts, EntityRow, WarningData } from '../../../src/results/result-parts';
import type { Summary } from '../../../src/results/result-types';
import { ResultsService } from '../../../src/results/results.service';
import type { RollupPart } from '../../../src/results/rollup-view';
import { hiddenFor, suppressionPlan } from '../../../src/results/suppression';
import { summaryFor, warningsFor } from '../../../src/results/views';
import { referenceEarlyWarningView, referenceEntitiesView, referenceRollupView, referenceSuppressionFor } from './reference-views';
import { world } from './worlds';

const INDEX_PARTS: Array<keyof EntityIndexParts> = ['entityCells', 'namedEntities', 'entitiesByProbability', 'entitiesByLoss', 'entityColumns', 'entityLinks', 'entityKeyRanks'];

const range = (v: number) => ({ mean: v, median: v, low: v / 2, high: v * 2, level: 0.9 });

/** An assessment's parts around world()'s rows: early warning with paths, protected hits, restricted reports of several audiences. */
function assessment(seed: number, n: number, restrictEvery: number, edit?: (rows: EntityRow[]) => void): AssessmentParts {
  const { rows, groups, rand } = world(seed, n);
  edit?.(rows);
  const pick = () => rows[Math.floor(rand() * rows.length)];
  const window = (withinHours: number) => ({
    withinHours,
    entities: Array.from({ length: 60 }, () => {
      const r = pick();
      const p = rand();
      return { entityId: r.entityId, name: r.name, country: r.country, sector: r.sector, probability: { p, low: p / 2, high: p }, path: [pick().entityId, 'gone', pick().entityId, r.entityId] };
    }),
  });
  const earlyWarning: WarningData = { asOf: '2026-12-01T00:00:00.000Z', windows: [window(24), window(72), window(168)] };
  const restricted: AssessmentParts['restricted'] = {};
  rows.forEach((r, i) => {
    if (!restrictEvery || i % restrictEvery !== 3) return;
    // RED of org-a, AMBER+STRICT of org-b, AMBER of org-c (seen by analysts, not researchers), a legacy entry (org-a's RED).
    restricted[r.entityId] = [[{ tlp: 'red', organizationId: 'org-a' }], [{ tlp: 'amber+strict', organizationId: 'org-b' }], [{ tlp: 'amber', organizationId: 'org-c' }], ['org-a']][i % 4];
  });
  restricted['not-an-entity'] = [{ tlp: 'red', organizationId: 'org-a' }];
  const figures = () => ({
    entitiesInfected: range(n / 10), entitiesDisrupted: range(n / 30), unreportedInfections: range(n / 12), forecastInfections: range(n / 9),
    lossUsd: { direct: range(1e6), indirect: range(1e5), total: range(1.1e6) }, populationAffected: range(1e4), countriesAffected: range(4),
  });
  const summary = {
    total: figures(), intended: figures(), collateral: figures(),
    protectedHits: rows.filter((r) => r.protected).slice(0, 40).map((r) => ({ entityId: r.entityId, name: r.name, sector: r.sector, probability: r.probabilityInfected.p, probabilityInfected: r.probabilityInfected.p, norms: [] })),
    calibration: { method: 'abc', parameters: {}, prior: {}, effectiveSampleSize: 32, predictiveCheck: { reportedEntities: 7 } },
    monteCarloError: { runs: 32, effectiveSampleSize: 32, method: 'test', figures: {} },
  } as unknown as Summary;
  return {
    summary, meta: { warnings: [`${PREDICTIVE_CHECK_WARNING}: 7 reported`, 'low effective sample size'] }, entities: rows, groups,
    timeline: { asOf: earlyWarning.asOf, origin: earlyWarning.asOf, horizonHours: 168, points: [] }, earlyWarning, runs: { columns: ['run'], rows: [[0]] }, restricted,
  };
}

/** A ResultsService on the parts as stored JSON text; `reads`: the parts it read. */
function stored(parts: AssessmentParts) {
  const bodies = new Map(Object.entries(parts).map(([k, v]) => [k, JSON.stringify(v)]));
  const reads: string[] = [];
  const jobs = { part: async (_id: string, part: string) => (reads.push(part), bodies.get(part) ?? null) } as unknown as JobsService;
  return { service: new ResultsService(jobs), reads, bodies };
}

const job = { id: '00000000-0000-4000-8000-000000000016', kind: 'assessment', status: 'done', input: { kind: 'assessment' } } as unknown as JobOf<'assessment'>;
const READERS: Principal[] = [
  { keyId: 'k1', organizationId: 'org-x', role: 'admin' },
  { keyId: 'k2', organizationId: 'org-b', role: 'analyst' },
  { keyId: 'k3', organizationId: 'org-a', role: 'responder' },
  { keyId: 'k4', organizationId: 'org-c', role: 'researcher' },
];
const LEVELS: HierarchyLevel[][] = [[], ['country'], ['sector', 'country'], ['country', 'sector', 'organization'], ['organization'], ['organization', 'sector']];
const PARTS: RollupPart[] = ['total', 'collateral', 'intended'];
const text = (x: unknown) => JSON.stringify(x);

/** Every read of the three services (with the new parts, without them, without the key ranks) equals the reference views. */
async function expectSameReads(parts: AssessmentParts) {
  const withIndex = stored(parts);
  const before = stored(Object.fromEntries(Object.entries(parts).filter(([k]) => !(INDEX_PARTS as string[]).includes(k))) as AssessmentParts);
  const withoutRanks = stored({ ...parts, entityKeyRanks: undefined });
  const rows = parts.entities;
  let suppressedReaders = 0;
  for (const reader of READERS) {
    const hidden = referenceSuppressionFor(rows, reader.role === 'admin' ? new Set() : hiddenFor(parts.restricted, reader));
    if (hidden.size) suppressedReaders++;
    const both = async (read: (s: ResultsService) => Promise<unknown>, expected: unknown) => {
      const theirs = text(expected);
      expect(text(await read(withIndex.service))).toBe(theirs);
      expect(text(await read(before.service))).toBe(theirs);
      expect(text(await read(withoutRanks.service))).toBe(theirs);
    };
    await both((s) => s.summary(job, reader), summaryFor(parts.summary, hidden));
    await both((s) => s.warnings(job, reader), warningsFor(parts.meta.warnings as string[], hidden));
    for (const sort of ['probability', 'loss'] as const) {
      for (const collateral of [undefined, true, false]) {
        for (const limit of [1, 50, 10_000]) await both((s) => s.entities(job, reader, { sort, collateral, limit }), referenceEntitiesView(rows, hidden, { sort, collateral, limit }));
      }
    }
    const only = new Set(rows.slice(0, rows.length / 2).map((r) => r.entityId));
    for (const withinHours of [undefined, 1, 48, 168, 500]) {
      for (const collateral of [undefined, true, false]) {
        const w = withinHours ?? 168;
        await both((s) => s.earlyWarning(job, reader, { withinHours, limit: 50, collateral }), referenceEarlyWarningView(parts.earlyWarning, rows, hidden, w, 50, collateral));
        await both((s) => s.earlyWarning(job, reader, { withinHours, limit: 1000, collateral, only }), referenceEarlyWarningView(parts.earlyWarning, rows, hidden, w, 1000, collateral, only));
      }
    }
    for (const levels of LEVELS) {
      for (const part of PARTS) {
        await both((s) => s.rollup(job, reader, levels, part), referenceRollupView(rows, parts.groups, levels, hidden, { part, summary: parts.summary }));
        if (levels.includes('organization')) {
          // Pages of organisations, each twice (the second from what the first kept), a page after the last.
          for (const page of [{ limit: 2, offset: 0 }, { limit: 2, offset: 2 }, { limit: 1, offset: 0 }, { limit: 3, offset: 1 }, { limit: 2, offset: 0 }, { limit: 5, offset: 10_000 }]) {
            const theirs = text(await before.service.rollup(job, reader, levels, part, page));
            expect(text(await withIndex.service.rollup(job, reader, levels, part, page))).toBe(theirs);
            expect(text(await withoutRanks.service.rollup(job, reader, levels, part, page))).toBe(theirs);
          }
        }
      }
    }
  }
  return { suppressedReaders, withIndex, before, withoutRanks };
}

describe('reads through the parts stored beside entities', () => {
  it.each([
    { seed: 11, n: 400, restrictEvery: 90 },
    { seed: 12, n: 120, restrictEvery: 30 },
    { seed: 13, n: 40, restrictEvery: 15 },
    { seed: 14, n: 2000, restrictEvery: 400 },
  ])('equal the reads of the whole entities part and the views before issue 16 (seed $seed, $n entities)', async ({ seed, n, restrictEvery }) => {
    const parts = assessment(seed, n, restrictEvery);
    Object.assign(parts, entityIndexParts(parts));
    expect(parts.entityCells).toBeDefined();
    const { suppressedReaders, withIndex, before, withoutRanks } = await expectSameReads(parts);
    // Cell, country and world groups are all exercised across the cases; here at least some reader loses some.
    expect(suppressedReaders).toBeGreaterThan(0);
    expect(withIndex.reads).not.toContain('entities');
    expect(withIndex.reads).toContain('entityKeyRanks');
    expect(withoutRanks.reads).not.toContain('entities');
    expect(before.reads).toContain('entities');
    expect(before.reads.filter((p) => (INDEX_PARTS as string[]).includes(p) && p !== 'entityCells')).toEqual([]);
  });

  it('stand for rows with a parent named `withheld`, entities named `unknown` and empty, missing countries and sectors', async () => {
    const parts = assessment(15, 300, 40, (rows) => {
      rows[5].parentId = 'withheld';
      rows[6].parentId = 'withheld';
      rows[7].entityId = 'unknown';
      rows[8].parentId = 'unknown';
      rows[9].country = '';
      rows[10].entityId = '';
      rows[11].parentId = '';
    });
    Object.assign(parts, entityIndexParts(parts));
    expect(parts.entityCells).toBeDefined();
    const { withIndex } = await expectSameReads(parts);
    expect(withIndex.reads).not.toContain('entities');
  });

  it('stand for an entity named `unknown` and one with an empty id both at the top (one organisation `unknown`), cycles among organisations', async () => {
    const parts = assessment(20, 300, 40, (rows) => {
      rows[7].entityId = 'unknown';
      rows[7].parentId = null;
      rows[10].entityId = '';
      rows[10].parentId = null;
      rows[11].parentId = '';
      rows[12].parentId = 'unknown';
      rows[13].country = rows[10].country;
      rows[13].sector = rows[10].sector;
      rows[13].parentId = '';
      [rows[1].parentId, rows[2].parentId, rows[3].parentId] = [rows[2].entityId, rows[3].entityId, rows[1].entityId];
    });
    Object.assign(parts, entityIndexParts(parts));
    const { withIndex } = await expectSameReads(parts);
    expect(withIndex.reads).toContain('entityKeyRanks');
  });

  it('namedRows: the row of every protected hit as all rows have it (the briefing reads `reported` there), without reading all rows', async () => {
    const parts = assessment(19, 1500, 60, (rows) => rows.forEach((r, i) => (r.protected = i % 7 === 0)));
    // protectedHits of assessment() are its first 40 protected rows: all of them here.
    parts.summary.protectedHits = parts.entities.filter((r) => r.protected).map((r) => ({ ...parts.summary.protectedHits[0], entityId: r.entityId, name: r.name }));
    const hits = parts.summary.protectedHits.map((h) => h.entityId);
    expect(parts.entities.filter((r) => r.protected && r.reported).length).toBeGreaterThan(3);
    const byId = (rows: EntityRow[]) => new Map(rows.map((r) => [r.entityId, r]));
    const all = byId(parts.entities);
    Object.assign(parts, entityIndexParts(parts));
    const withIndex = stored(parts);
    const before = stored(Object.fromEntries(Object.entries(parts).filter(([k]) => !(INDEX_PARTS as string[]).includes(k))) as AssessmentParts);
    for (const { service } of [withIndex, before]) {
      const named = byId(await service.namedRows(job));
      for (const id of hits) expect(named.get(id)).toEqual(all.get(id));
    }
    expect(withIndex.reads).toEqual(['namedEntities']);
    expect(byId(await withIndex.service.namedRows(job)).size).toBeLessThan(parts.entities.length / 2);
    expect(before.reads).toEqual(['namedEntities', 'entities']);
  });

  it.each([
    ['an id repeated', (rows: EntityRow[]) => (rows[9].entityId = rows[4].entityId)],
    ['an entity named `withheld`', (rows: EntityRow[]) => (rows[9].entityId = 'withheld')],
    ['a figure not finite', (rows: EntityRow[]) => (rows[9].expectedLossUsd = Infinity)],
    ['a name not a string', (rows: EntityRow[]) => (rows[9].name = null as unknown as string)],
  ])('are not stored for rows with %s: reads use the whole part', async (_, edit) => {
    const parts = assessment(16, 200, 30, edit);
    expect(entityIndexParts(parts)).toBeNull();
  });

  it('an entity page the first rows do not hold (hidden rows thin them out) is read from all rows', async () => {
    const parts = assessment(17, 600, 20);
    const index = entityIndexParts(parts)!;
    // First rows cut to 30 a part: a page of 50, or one that hidden rows thin out, needs all rows.
    for (const sort of ['entitiesByProbability', 'entitiesByLoss'] as const) index[sort] = { collateral: index[sort].collateral.slice(0, 30), intended: index[sort].intended.slice(0, 30) };
    Object.assign(parts, index);
    const { service, reads } = stored(parts);
    const reader = READERS[1];
    const hidden = referenceSuppressionFor(parts.entities, hiddenFor(parts.restricted, reader));
    expect(hidden.size).toBeGreaterThan(0);
    for (const q of [{ sort: 'probability', limit: 20 }, { sort: 'loss', collateral: true, limit: 50 }, { sort: 'probability', collateral: false, limit: 30 }] as const) {
      expect(text(await service.entities(job, reader, q))).toBe(text(referenceEntitiesView(parts.entities, hidden, q)));
    }
    expect(reads).toContain('entities');
  });

  it('readers arriving at once on a cold assessment share one read of each part, and get what one reader alone gets', async () => {
    const parts = assessment(18, 400, 60);
    Object.assign(parts, entityIndexParts(parts));
    const { service, reads } = stored(parts);
    const alone = stored(parts).service;
    const asks = READERS.flatMap((reader) => [
      (s: ResultsService) => s.rollup(job, reader, ['country', 'sector', 'organization'], 'total', { limit: 20, offset: 0 }),
      (s: ResultsService) => s.entities(job, reader, { sort: 'loss', limit: 20 }),
      (s: ResultsService) => s.earlyWarning(job, reader, { limit: 10 }),
    ]);
    const together = await Promise.all(asks.map((ask) => ask(service)));
    for (let k = 0; k < asks.length; k++) expect(text(together[k])).toBe(text(await asks[k](alone)));
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.filter((p, k) => reads.indexOf(p) !== k)).toEqual([]);
  });
});

describe('the organisations\' key ranks (entityKeyRanks)', () => {
  it('order the keys (ids, `unknown` for an empty one, and `withheld`) as the rollup\'s `<` does, equal keys equally', () => {
    const parts = assessment(21, 200, 0, (rows) => {
      rows[3].entityId = '';
      rows[4].entityId = 'unknown';
      rows[5].entityId = 'Zeta';
      rows[6].entityId = 'été';
      rows[7].entityId = 'withheld-not';
    });
    const rows = parts.entities;
    const { rank, withheld, size } = decodeKeyRanks(entityIndexParts(parts)!.entityKeyRanks);
    expect(Array.from(rank)).toEqual(Array.from(keyRanks(rows).subarray(0, rows.length)));
    const keys = [...rows.map((r) => r.entityId || 'unknown'), 'withheld'];
    const ranks = [...Array.from(rank), withheld];
    for (let a = 0; a < keys.length; a += 7) {
      for (let b = 0; b < keys.length; b++) expect(Math.sign(ranks[a] - ranks[b])).toBe(keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0);
    }
    expect(rank[3]).toBe(rank[4]);
    expect(size).toBe(new Set(keys).size);
  });
});

describe('entitiesTopView', () => {
  it('answers from first rows cut short as from all rows, or not at all (null)', () => {
    const parts = assessment(18, 1500, 60);
    const index = entityIndexParts(parts)!;
    const rows = parts.entities;
    const cellCounts = cellCountsOf(index.entityCells);
    let answered = 0;
    let declined = 0;
    for (const reader of READERS) {
      const hiddenIds = reader.role === 'admin' ? new Set<string>() : hiddenFor(parts.restricted, reader);
      const hidden = referenceSuppressionFor(rows, hiddenIds);
      const cells = index.entityCells;
      const plan = suppressionPlan(cellCounts, [...hiddenIds].filter((id) => cells.restricted[id] !== undefined).map((id) => [cells.cells[cells.restricted[id]].country, cells.cells[cells.restricted[id]].sector] as const));
      expect(plan.size).toBe(hidden.size);
      for (const k of [0, 5, 40, 400, 10_000]) {
        for (const sort of ['probability', 'loss'] as const) {
          const full = sort === 'loss' ? index.entitiesByLoss : index.entitiesByProbability;
          const top = { collateral: full.collateral.slice(0, k), intended: full.intended.slice(0, k) };
          for (const collateral of [undefined, true, false]) {
            for (const limit of [1, 10, 100, 2000]) {
              const q = { sort, collateral, limit };
              const page = entitiesTopView(top, cells, plan, q);
              if (page === null) declined++;
              else {
                answered++;
                expect(text(page)).toBe(text(referenceEntitiesView(rows, hidden, q)));
              }
            }
          }
        }
      }
    }
    expect(answered).toBeGreaterThan(0);
    expect(declined).toBeGreaterThan(0);
  });
});
