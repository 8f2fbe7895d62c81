/**
 * readGraph reads the stored graph in keyset pages into dependency columns: whatever the page
 * size, the entities (id order) and the dependencies (insertion order) equal what one plain
 * query returns, record for record, and the dependencies travel to the workers as those columns.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dependencyColumnsOf } from '../../src/engine/dependency-columns';
import { readGraph } from '../../src/graph/stored-graph';
import { Dependency } from '../../src/graph/dependency.entity';
import { EntityNode } from '../../src/graph/entity-node.entity';
import { decodeSnapshot, encodeSnapshot } from '../../src/jobs/codec';
import { createTestApp } from './support/app';

describe('readGraph: the stored graph in pages, dependencies as columns', () => {
  let app: INestApplication;
  let db: DataSource;
  const ids = Array.from({ length: 23 }, (_, i) => `e-${String((i * 7) % 23).padStart(2, '0')}`);
  beforeAll(async () => {
    app = await createTestApp();
    db = app.get(DataSource);
    await db.getRepository(EntityNode).insert(
      ids.map((id, i) => ({ id, name: `Entity ${id}`, kind: 'organization', country: i % 2 ? 'UA' : null, sector: null, hosts: i * 10, dailyValueUsd: i * 1.5, populationServed: i, tags: i % 3 ? ['Windows'] : [], protected: i % 5 === 0 })),
    );
    const kinds = ['network', 'service', 'supply-chain'] as const;
    const deps = [];
    for (let i = 0; i < 41; i++) deps.push({ sourceId: ids[i % 23], targetId: ids[(i * 5 + 3) % 23], kind: kinds[i % 3], weight: ((i * 37) % 100) / 100, bidirectional: i % 4 === 0 });
    // Inserted one by one: ids follow this order, which is not the entities' order.
    for (const d of deps) await db.getRepository(Dependency).insert(d);
  });
  afterAll(async () => app?.close());

  it('gives the same records for any page size, and the columns travel as they are', async () => {
    const plain = await readGraph(db.manager, 1_000_000);
    expect(plain.entities.map((e) => e.id)).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    const stored = await db.query('SELECT "sourceId", "targetId", "kind", "weight", "bidirectional" FROM "dependencies" ORDER BY "id"');
    expect(plain.dependencies.length).toBe(41);
    expect([...plain.dependencies]).toEqual(stored.map((d: any) => ({ sourceId: d.sourceId, targetId: d.targetId, kind: d.kind, weight: Number(d.weight), bidirectional: d.bidirectional === true || d.bidirectional === 1 })));
    for (const page of [1, 5, 23, 41]) {
      const paged = await readGraph(db.manager, page);
      expect(paged.entities).toEqual(plain.entities);
      expect([...paged.dependencies]).toEqual([...plain.dependencies]);
    }
    expect(plain.dependencies[7]).toEqual([...plain.dependencies][7]);
    expect(plain.dependencies[41]).toBeUndefined();
    const columns = dependencyColumnsOf(plain.dependencies)!;
    expect(columns.source).toBeInstanceOf(Int32Array);
    const snapshot = { ...plain, weapon: {} as never, reports: [], asOf: '2017-06-27T00:00:00.000Z', horizonHours: 24 };
    const back = decodeSnapshot(encodeSnapshot(snapshot));
    expect([...back.dependencies]).toEqual([...plain.dependencies]);
    expect(back.entities).toEqual(plain.entities);
  });
});
