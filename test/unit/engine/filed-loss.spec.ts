/**
 * A loss filed for a group's head office is the group's figure: it covers the head office and its
 * sites, replaces the model's draws for them, and is counted once.
 */
import { prepareScenario, runAssessment } from '../../../src/engine';
import type { DependencyRecord, EntityRecord, ReportRecord } from '../../../src/domain/records';
import { weapon } from './helpers';

jest.setTimeout(600_000);

const entity = (id: string, extra: Partial<EntityRecord> = {}): EntityRecord => ({
  id,
  name: id,
  kind: 'organization',
  country: 'DK',
  sector: 'transportation-systems',
  hosts: 400,
  dailyValueUsd: 150_000,
  populationServed: 0,
  tags: ['windows'],
  ...extra,
});

// hq with two sites; `target` (the weapon's intended target) and `other` stand outside the group.
const entities = [
  entity('target', { country: 'UA' }),
  entity('hq'),
  entity('site-1', { kind: 'site', parentId: 'hq' }),
  entity('site-2', { kind: 'site', parentId: 'hq', country: 'NL' }),
  entity('other', { country: 'US' }),
];
const net = (a: string, b: string): DependencyRecord => ({ sourceId: a, targetId: b, kind: 'network', weight: 1, bidirectional: true });
// the sites depend on the head office's services, so they would also carry indirect losses
const service = (a: string, b: string): DependencyRecord => ({ sourceId: a, targetId: b, kind: 'service', weight: 0.6 });
const dependencies = [net('target', 'hq'), net('hq', 'site-1'), net('hq', 'site-2'), { ...net('site-2', 'other'), weight: 0.1 }, service('hq', 'site-1'), service('hq', 'site-2')];
const FILED = 250e6;
const report = (entityId: string, hours: number, extra: Partial<ReportRecord> = {}): ReportRecord => ({
  weaponId: 'w',
  entityId,
  observedAt: new Date(Date.parse('2017-06-27T08:00:00Z') + hours * 3600e3).toISOString(),
  status: 'confirmed',
  tlp: 'clear',
  ...extra,
});

function model(reports: ReportRecord[]) {
  return prepareScenario({
    entities,
    dependencies,
    weapon: weapon({ low: 0.97, high: 0.99 }, { targeting: { entityIds: ['target'] } }),
    reports,
    horizonHours: 48,
  });
}

async function runs(reports: ReportRecord[]) {
  const r = await runAssessment(model(reports), { runs: 80, seed: 7, threads: 0, calibrate: false });
  const col = (name: string) => r.runs.columns.indexOf(name);
  return r.runs.rows.map((row) => ({ direct: row[col('collateral.lossDirect')] as number, indirect: row[col('collateral.lossIndirect')] as number, infected: row[col('collateral.entitiesInfected')] as number }));
}

describe('a filed group loss', () => {
  it('covers the head office and every site below it, and nothing else', () => {
    const m = model([report('target', 0), report('hq', 1, { lossUsd: { low: FILED, high: FILED } })]);
    const ids = entities.map((e) => e.id);
    const slot = m.core.reportSlot[ids.indexOf('hq')];
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(ids.map((id) => m.core.lossCover[ids.indexOf(id)])).toEqual([-1, slot, slot, slot, -1]);
  });

  it("replaces the group's own losses: its collateral loss is the filed figure in every run where only the group is hit", async () => {
    // `other` hangs off site-2 by a weak arc, so most runs hit the group alone
    const rows = await runs([report('target', 0), report('hq', 1, { lossUsd: { low: FILED, high: FILED } }), report('site-1', 2)]);
    const groupOnly = rows.filter((x) => x.infected === 3);
    expect(groupOnly.length).toBeGreaterThan(10);
    for (const x of groupOnly) {
      // head office and both sites infected: the group's direct loss is the filed figure, once
      expect(x.direct).toBeCloseTo(FILED, -1);
      // and its members' own interruption is inside that figure, not added to it
      expect(x.indirect).toBe(0);
    }
    // without the filed figure the same runs draw the group's losses from the model, far from it
    const drawn = (await runs([report('target', 0), report('hq', 1), report('site-1', 2)])).filter((x) => x.infected === 3);
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.every((x) => Math.abs(x.direct - FILED) > 1e6)).toBe(true);
    expect(drawn.some((x) => x.indirect > 0)).toBe(true);
  });

  it('counts a site\'s own filed figure inside its group\'s (the outermost figure wins)', async () => {
    const rows = await runs([report('target', 0), report('hq', 1, { lossUsd: { low: FILED, high: FILED } }), report('site-1', 2, { lossUsd: { low: 40e6, high: 40e6 } })]);
    const groupOnly = rows.filter((x) => x.infected === 3);
    expect(groupOnly.length).toBeGreaterThan(10);
    for (const x of groupOnly) expect(x.direct).toBeCloseTo(FILED, -1);
  });

  it('leaves entities outside the group to the model, on top of the filed figure', async () => {
    const rows = await runs([report('target', 0), report('hq', 1, { lossUsd: { low: FILED, high: FILED } })]);
    const withOther = rows.filter((x) => x.infected === 4);
    expect(withOther.length).toBeGreaterThan(0);
    for (const x of withOther) expect(x.direct).toBeGreaterThan(FILED + 1);
  });
});
