import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { COLUMN } from '../column-types';

/** TAXII 2.1 status resources of POSTed envelopes. */
export class TaxiiStatuses1764234000000 implements MigrationInterface {
  name = 'TaxiiStatuses1764234000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'taxii_statuses',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'organizationId', type: 'varchar', length: '128' },
        { name: 'requestTimestamp', type: COLUMN.timestamp },
        { name: 'successes', type: 'text' },
        { name: 'failures', type: 'text' },
      ],
    }));
    await q.createIndex('taxii_statuses', new TableIndex({ columnNames: ['organizationId', 'requestTimestamp'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('taxii_statuses');
  }
}
