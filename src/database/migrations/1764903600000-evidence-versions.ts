import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * A version per weapon, bumped in every report-writing transaction: cached report lists are
 * keyed by it, so a read costs one look-up of this small table instead of the list query, and
 * a committed report is visible to the next read in every process (reports are append-only, so
 * nothing else changes a list).
 */
export class EvidenceVersions1764903600000 implements MigrationInterface {
  name = 'EvidenceVersions1764903600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'evidence_versions',
      columns: [
        { name: 'weaponId', type: 'varchar', length: '128', isPrimary: true },
        { name: 'version', type: 'bigint', default: 0 },
      ],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('evidence_versions');
  }
}
