/**
 * Made-up stored entity rows for the result views' tests: few countries and sectors, small groups,
 * organisations with sites, chains, cycles and parents not listed.
 */
import type { EntityRow } from '../../../src/results/result-parts';
import { groupKey } from '../../../src/results/result-parts';
import type { GroupStat, Range } from '../../../src/results/result-types';

/** mulberry32, so a failure names a seed that reproduces it. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const R = (v: number): Range => ({ mean: v, median: v, low: v / 2, high: v * 2, level: 0.9 });

/**
 * Entities in few countries and sectors (some missing), small enough groups that suppression
 * falls back to countries and the world; organisations with sites, a chain, a cycle, parents of
 * the other part, parents not listed; probabilities with many digits, so sums in another order differ.
 */
export function world(seed: number, n: number) {
  const rand = prng(seed);
  const countries = ['UA', 'DE', 'US', null, 'GB'];
  const sectors = ['energy', 'finance', null, 'healthcare-and-public-health'];
  const rows: EntityRow[] = [];
  for (let i = 0; i < n; i++) {
    const org = i < n / 5;
    const parent = org ? (rand() < 0.1 ? `e${Math.floor(rand() * n)}` : rand() < 0.05 ? 'not-listed' : null) : `e${Math.floor(rand() * (n / 5))}`;
    const intended = rand() < 0.3;
    const p = rand() ** 2;
    rows.push({
      entityId: `e${i}`, name: `Entity ${i}`, kind: org ? 'organization' : 'site', parentId: parent === `e${i}` ? null : parent,
      country: countries[Math.floor(rand() * (rand() < 0.9 ? 3 : countries.length))], sector: sectors[Math.floor(rand() * sectors.length)],
      protected: rand() < 0.1, intended, collateral: !intended, reported: rand() < 0.1,
      probabilityInfected: { p, low: p / 2, high: Math.min(1, p * 2) }, probabilityDisrupted: { p: p * rand(), low: 0, high: p },
      expectedLossUsd: rand() * 1e7 * p,
    });
  }
  const groups: Record<string, GroupStat> = {};
  for (const r of rows) {
    for (const part of ['total', r.collateral ? 'collateral' : 'intended'] as const) {
      for (const [c, s] of [[r.country || 'unknown', null], [null, r.sector || 'unknown'], [r.country || 'unknown', r.sector || 'unknown']] as const) {
        const k = groupKey(part, c, s);
        groups[k] ??= { key: k, part, entitiesInfected: R(rand()), entitiesDisrupted: R(rand()), lossUsd: R(rand() * 1e6), populationAffected: R(0) };
      }
    }
  }
  return { rows, groups, rand };
}

