import type { ScenarioSnapshot } from '../../../src/domain/records';
import { decodeBuffer, decodeSnapshot, encodeBuffer, encodeSnapshot } from '../../../src/jobs/codec';
import { readScenario } from '../../../src/scenario-format';

describe('scenario snapshots for the shard workers', () => {
  let snapshot: ScenarioSnapshot;
  beforeAll(async () => {
    const d = await readScenario('fixtures/notpetya-2017');
    const reports = d.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() }));
    snapshot = { entities: d.entities, dependencies: d.dependencies, weapon: d.weapon, reports, asOf: d.scenario.asOf, horizonHours: d.scenario.horizonHours };
  });

  it('travel with dependencies as columns and come back equal, record for record (an absent bidirectional stays absent)', () => {
    const deps = snapshot.dependencies.map((d, i) => (i % 3 === 0 ? { sourceId: d.sourceId, targetId: d.targetId, kind: d.kind, weight: d.weight } : { ...d, bidirectional: i % 2 === 0 }));
    const s = { ...snapshot, dependencies: deps };
    const buf = encodeSnapshot(s);
    const back = decodeSnapshot(buf);
    expect({ ...back, dependencies: [...back.dependencies] }).toEqual(s);
    expect(back.dependencies.length).toBe(deps.length);
    [...back.dependencies].forEach((d, i) => expect(Object.keys(d)).toEqual(Object.keys(deps[i])));
    expect(back.dependencies[deps.length]).toBeUndefined();
    expect(Array.isArray((decodeBuffer(buf) as { dependencies: unknown }).dependencies)).toBe(false);
    expect(back.dependencies[1].sourceId).toBe(back.entities.find((e) => e.id === deps[1].sourceId)!.id);
    // A decoded snapshot travels again as its columns, unchanged.
    expect(decodeBuffer(encodeSnapshot(back))).toEqual(decodeBuffer(buf));
  });

  it('travel as they are when a dependency names an entity outside the snapshot, and old plain ones still decode', () => {
    const s = { ...snapshot, dependencies: [...snapshot.dependencies, { sourceId: 'nowhere', targetId: snapshot.entities[0].id, kind: 'network' as const, weight: 0.5 }] };
    expect(decodeSnapshot(encodeSnapshot(s))).toEqual(s);
    expect(Array.isArray((decodeBuffer(encodeSnapshot(s)) as { dependencies: unknown }).dependencies)).toBe(true);
    expect(decodeSnapshot(encodeBuffer(snapshot))).toEqual(snapshot);
  });
});
