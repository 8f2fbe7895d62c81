import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL: the reports' `stixId` index as a hash index. Native chains' STIX ids are UUIDv5
 * (random), so each insert into a B-tree lands on a random leaf and compares long strings on the
 * way down; the index was 35-45% of PostgreSQL's time to insert 10,000 reports. The column is
 * only ever looked up by equality (STIX re-imports, TAXII `match[id]`), which a hash index
 * serves; it was never unique (a chain's versions share their STIX id). Same name, so the
 * entities' schema is unchanged. SQLite keeps its B-tree.
 */
export class SightingHashIndex1796503684000 implements MigrationInterface {
  name = 'SightingHashIndex1796503684000';

  async up(q: QueryRunner): Promise<void> {
    await this.rebuild(q, 'hash');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rebuild(q, 'btree');
  }

  private async rebuild(q: QueryRunner, method: 'hash' | 'btree'): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    const name = q.connection.namingStrategy.indexName('reports', ['stixId']);
    await q.query(`DROP INDEX "${name}"`);
    await q.query(`CREATE INDEX "${name}" ON "reports" USING ${method} ("stixId")`);
  }
}
