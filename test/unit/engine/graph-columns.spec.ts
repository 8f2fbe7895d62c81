/**
 * A stored graph reaches the engine as columns of entity indexes behind a read-only record view
 * (src/engine/dependency-columns.ts); buildGraph reads the columns directly. The graph it builds
 * must be the one the same dependencies give as plain records.
 */
import { buildGraph } from '../../../src/engine/graph';
import { dependencyView, setDependency, type DependencyColumns } from '../../../src/engine/dependency-columns';
import { Rng } from '../../../src/engine/prng';
import type { DependencyRecord, EntityRecord } from '../../../src/domain/records';
import { DEPENDENCY_KINDS } from '../../../src/domain/vocabulary';

function entity(id: string): EntityRecord {
  return { id, name: id, kind: 'organization', parentId: null, country: null, sector: null, hosts: 1, dailyValueUsd: 0, populationServed: 0, tags: [], protected: false };
}

function columnsOf(records: readonly DependencyRecord[], ids: readonly string[]): readonly DependencyRecord[] {
  const m = records.length;
  const c: DependencyColumns = {
    format: 'spillover.dependency-columns/1',
    source: new Int32Array(m), target: new Int32Array(m), kinds: [], kind: new Uint8Array(m), weight: new Float64Array(m), bidirectional: new Uint8Array(m),
  };
  const kinds = new Map<string, number>();
  records.forEach((d, i) => setDependency(c, kinds, i, ids.indexOf(d.sourceId), ids.indexOf(d.targetId), d.kind, d.weight ?? 1, d.bidirectional));
  return dependencyView(c, ids);
}

describe('buildGraph on dependency columns', () => {
  it('builds the same CSR graph as from records, kinds, weights and directions included', () => {
    const rng = new Rng(7);
    const ids = Array.from({ length: 60 }, (_, i) => `e-${i}`);
    const records: DependencyRecord[] = [];
    for (let i = 0; i < 400; i++) {
      const s = Math.floor(rng.random() * ids.length);
      const t = (s + 1 + Math.floor(rng.random() * (ids.length - 1))) % ids.length;
      const bidirectional = i % 3 === 0 ? undefined : i % 3 === 1;
      records.push({ sourceId: ids[s], targetId: ids[t], kind: DEPENDENCY_KINDS[i % DEPENDENCY_KINDS.length], weight: Math.round(rng.random() * 100) / 100, ...(bidirectional === undefined ? {} : { bidirectional }) });
    }
    const entities = ids.map(entity);
    const fromRecords = buildGraph(entities, records);
    const fromColumns = buildGraph(entities, columnsOf(records, ids));
    expect(fromColumns.ids).toEqual(fromRecords.ids);
    for (const key of Object.keys(fromRecords.graph) as Array<keyof typeof fromRecords.graph>) {
      const a = fromRecords.graph[key] as unknown;
      const b = fromColumns.graph[key] as unknown;
      if (ArrayBuffer.isView(a)) expect(Array.from(b as ArrayLike<number>)).toEqual(Array.from(a as unknown as ArrayLike<number>));
      else expect(b).toEqual(a);
    }
    // not vacuous: both directions of the bidirectional ones are arcs
    expect(fromRecords.graph.arcs).toBeGreaterThan(records.length);
  });

  it('refuses a weight outside [0,1] in the columns as in records', () => {
    const ids = ['a', 'b'];
    const records: DependencyRecord[] = [{ sourceId: 'a', targetId: 'b', kind: 'network', weight: 1.5 }];
    expect(() => buildGraph(ids.map(entity), columnsOf(records, ids))).toThrow(/weight must lie in \[0,1\], got 1.5/);
    expect(() => buildGraph(ids.map(entity), records)).toThrow(/weight must lie in \[0,1\], got 1.5/);
  });
});
