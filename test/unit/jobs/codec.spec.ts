import type { ScenarioSnapshot } from '../../../src/domain/records';
import { decodeBuffer, decodeSnapshot, encodeBuffer, encodePartial, encodeSnapshot, packSparse } from '../../../src/jobs/codec';
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

describe('sparse typed arrays', () => {
  const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

  it('sends a mostly-zero array as its non-zero entries and gives it back bit for bit (-0, NaN, infinities kept)', () => {
    const n = 100_000;
    const sums = new Float64Array(n);
    sums[3] = 1.5;
    sums[77] = -0;
    sums[500] = NaN;
    sums[n - 1] = Infinity;
    sums[42_000] = 2 ** -1074;
    const counts = new Float32Array(n);
    counts[9] = 0.1;
    const denseSums = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    const partial = { format: 'spillover.partial/1', n, sums, counts, denseSums, small: new Float64Array([0, -0, 1]) };
    // a shard's partial travels uncompressed (V8's serialisation starts with ff, gzip with 1f 8b), and reads back the same
    const raw = encodePartial(partial);
    expect(raw[0]).toBe(0xff);
    expect(bits(decodeBuffer<typeof partial>(raw).sums)).toEqual(bits(sums));
    expect(bits(decodeBuffer<typeof partial>(raw).denseSums)).toEqual(bits(denseSums));
    const encoded = encodeBuffer(partial);
    expect([encoded[0], encoded[1]]).toEqual([0x1f, 0x8b]);
    const zerosOnly = encodeBuffer({ ...partial, sums: new Float64Array(n), counts: new Float32Array(n) });
    const decoded = decodeBuffer<typeof partial>(encoded);
    expect(decoded.sums).toBeInstanceOf(Float64Array);
    expect(decoded.counts).toBeInstanceOf(Float32Array);
    expect(bits(decoded.sums)).toEqual(bits(sums));
    expect(bits(decoded.counts)).toEqual(bits(counts));
    expect(bits(decoded.denseSums)).toEqual(bits(denseSums));
    expect(bits(decoded.small)).toEqual(['0', '-0', '1']);
    expect(decoded.format).toBe('spillover.partial/1');
    // the zeros are not what travels: the mostly-zero arrays go as their entries, the others as they are
    const packed = packSparse(partial) as Record<string, any>;
    expect(Array.from(packed.sums.index)).toEqual([3, 77, 500, 42_000, n - 1]);
    expect(Array.from(packed.counts.index)).toEqual([9]);
    expect(packed.denseSums).toBe(denseSums);
    expect(packed.small).toBe(partial.small);
    expect(encoded.length - zerosOnly.length).toBeLessThan(200);
  });
});
