import type { ScenarioSnapshot } from '../../../src/domain/records';
import { decodeBuffer, decodeSnapshot, encodeBuffer, encodePartial, encodeSnapshot, entityColumns, packSparse } from '../../../src/jobs/codec';
import { dependencyColumnsOf } from '../../../src/engine/dependency-columns';
import { serialize } from 'node:v8';
import { gzipSync } from 'node:zlib';
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

describe('entities of a snapshot', () => {
  let snapshot: ScenarioSnapshot;
  beforeAll(async () => {
    const d = await readScenario('fixtures/notpetya-2017');
    snapshot = { entities: d.entities, dependencies: d.dependencies, weapon: d.weapon, reports: d.reports, asOf: d.scenario.asOf, horizonHours: d.scenario.horizonHours };
  });
  const keys = (s: ScenarioSnapshot) => s.entities.map((e) => Object.keys(e).join());

  it('travel as columns and come back as records equal to the originals, key for key (absent, null and undefined kept apart)', () => {
    // as readGraph reads them (every field, nulls), and as scenario files give them (optional fields absent)
    const stored = snapshot.entities.map((e, i) => ({ id: e.id, name: e.name, kind: e.kind, parentId: e.parentId ?? null, country: e.country ?? null, sector: e.sector ?? null, hosts: i === 3 ? -0 : e.hosts, dailyValueUsd: i === 4 ? NaN : e.dailyValueUsd, populationServed: e.populationServed, tags: e.tags, protected: !!e.protected }));
    const sparse = snapshot.entities.map((e, i) => (i % 5 === 0 ? { id: e.id, name: e.name, kind: e.kind, country: undefined, hosts: e.hosts, dailyValueUsd: e.dailyValueUsd, populationServed: e.populationServed, tags: e.tags } : e));
    for (const entities of [stored, sparse, snapshot.entities]) {
      const s = { ...snapshot, entities };
      const buf = encodeSnapshot(s);
      expect((decodeBuffer(buf) as { entities: { format?: string } }).entities.format).toBe('spillover.entity-columns/1');
      const back = decodeSnapshot(buf);
      expect(back.entities).toStrictEqual(entities);
      expect(keys(back)).toEqual(keys(s));
      expect(Object.is(back.entities[3].hosts, entities[3].hosts)).toBe(true);
      // tag lists are shared between records with the same tags: frozen, so a change cannot reach another record
      expect(Object.isFrozen(back.entities[0].tags)).toBe(true);
    }
    expect(entityColumns(stored)!.fields.map((f) => `${f.key}:${f.type}`)).toEqual([
      'id:values', 'name:values', 'kind:dictionary', 'parentId:entity', 'country:dictionary', 'sector:dictionary',
      'hosts:number', 'dailyValueUsd:number', 'populationServed:number', 'tags:dictionary', 'protected:dictionary',
    ]);
  });

  it('travel as records when their keys come in different orders, or a parentId names no entity of the snapshot', () => {
    const swapped = snapshot.entities.map(({ name, ...e }, i) => (i === 7 ? { ...e, name } : { name, ...e }));
    expect(entityColumns(swapped)).toBeUndefined();
    expect(decodeSnapshot(encodeSnapshot({ ...snapshot, entities: swapped })).entities).toStrictEqual(swapped);
    const orphan = snapshot.entities.map((e, i) => (i === 2 ? { ...e, parentId: 'nowhere' } : e));
    expect(entityColumns(orphan)!.fields.find((f) => f.key === 'parentId')!.type).not.toBe('entity');
    expect(decodeSnapshot(encodeSnapshot({ ...snapshot, entities: orphan })).entities).toStrictEqual(orphan);
  });

  it('come back with dependency columns of their own buffers, not views of the whole decoded snapshot', () => {
    const back = decodeSnapshot(encodeSnapshot(snapshot));
    const c = dependencyColumnsOf(back.dependencies)!;
    for (const a of [c.source, c.target, c.kind, c.weight, c.bidirectional]) expect(a.buffer.byteLength).toBe(a.byteLength);
  });
});

describe('gzip\'d values', () => {
  it('decode when the gzip trailer\'s size is not the whole output (several members: the last one\'s size)', () => {
    const value = { a: Float64Array.from({ length: 50_000 }, (_, i) => i / 7), b: 'x'.repeat(100_000) };
    const raw = serialize(value);
    const k = raw.length >> 2;
    const two = Buffer.concat([gzipSync(raw.subarray(0, k)), gzipSync(raw.subarray(k))]);
    expect(two.readUInt32LE(two.length - 4)).toBe(raw.length - k);
    expect(decodeBuffer(two)).toEqual(value);
    expect(decodeBuffer(encodeBuffer(value))).toEqual(value);
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
