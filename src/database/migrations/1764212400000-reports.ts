import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { COLUMN } from '../column-types';

/** Spread reports (append-only evidence) and the stored responses of idempotent requests. */
export class Reports1764212400000 implements MigrationInterface {
  name = 'Reports1764212400000';

  async up(q: QueryRunner): Promise<void> {
    const fk = (column: string, table: string) => ({
      columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION',
    });
    await q.createTable(
      new Table({
        name: 'reports',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'weaponId', type: 'varchar', length: '128' },
          { name: 'entityId', type: 'varchar', length: '128' },
          { name: 'organizationId', type: 'varchar', length: '128' },
          { name: 'observedAt', type: COLUMN.timestamp },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'hostsAffected', type: 'integer', isNullable: true },
          { name: 'downtimeHours', type: COLUMN.float, isNullable: true },
          { name: 'lossLowUsd', type: COLUMN.float, isNullable: true },
          { name: 'lossHighUsd', type: COLUMN.float, isNullable: true },
          { name: 'confidence', type: 'integer', isNullable: true },
          { name: 'tlp', type: 'varchar', length: '16' },
          { name: 'source', type: 'varchar', length: '300', isNullable: true },
          { name: 'externalReferences', type: 'text', isNullable: true },
          { name: 'supersedesId', type: 'varchar', length: '36', isNullable: true },
          { name: 'chainId', type: 'varchar', length: '36' },
          { name: 'version', type: 'integer', default: 1 },
          { name: 'stixId', type: 'varchar', length: '100', isNullable: true },
          { name: 'keyId', type: 'varchar', length: '36', isNullable: true },
          { name: 'createdAt', type: COLUMN.timestamp },
        ],
        indices: [
          { columnNames: ['weaponId', 'observedAt'] },
          { columnNames: ['observedAt', 'id'] },
          { columnNames: ['entityId'] },
          { columnNames: ['supersedesId'], isUnique: true },
          { columnNames: ['chainId'] },
          { columnNames: ['stixId'] },
        ],
        foreignKeys: [fk('weaponId', 'weapons'), fk('entityId', 'entities'), fk('organizationId', 'organizations'), fk('supersedesId', 'reports')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'keyId', type: 'varchar', length: '36' },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'statusCode', type: 'integer' },
          { name: 'responseBody', type: 'text' },
          { name: 'createdAt', type: COLUMN.timestamp },
        ],
        indices: [{ columnNames: ['createdAt'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('idempotency_keys');
    await q.dropTable('reports');
  }
}
