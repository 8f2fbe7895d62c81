import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { COLUMN } from '../column-types';

/** The STIX `created` and `modified` of each imported report version, so an older or equal version writes nothing. */
export class StixVersions1764230400000 implements MigrationInterface {
  name = 'StixVersions1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'stix_versions',
      columns: [
        { name: 'reportId', type: 'varchar', length: '36', isPrimary: true },
        { name: 'created', type: COLUMN.timestamp },
        { name: 'modified', type: COLUMN.timestamp },
      ],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('stix_versions');
  }
}
