import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { COLUMN } from '../column-types';

/** Organisations, API keys and the audit log. Written with the Table API so it runs on SQLite and PostgreSQL. */
export class Foundation1764201600000 implements MigrationInterface {
  name = 'Foundation1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'organizations',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'organizationId', type: 'varchar', length: '128' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'secretHash', type: 'varchar', length: '64' },
          { name: 'prefix', type: 'varchar', length: '12' },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
          { name: 'revokedAt', type: COLUMN.timestamp, isNullable: true },
        ],
        indices: [
          { columnNames: ['organizationId'] },
          { columnNames: ['secretHash'], isUnique: true },
        ],
        foreignKeys: [{ columnNames: ['organizationId'], referencedTableName: 'organizations', referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: COLUMN.timestamp },
          { name: 'keyId', type: 'varchar', length: '36', isNullable: true },
          { name: 'organizationId', type: 'varchar', length: '128', isNullable: true },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'targetType', type: 'varchar', length: '32' },
          { name: 'targetId', type: 'varchar', length: '200' },
          { name: 'details', type: 'text', isNullable: true },
        ],
        indices: [{ columnNames: ['at'] }, { columnNames: ['targetType'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_log');
    await q.dropTable('api_keys');
    await q.dropTable('organizations');
  }
}

