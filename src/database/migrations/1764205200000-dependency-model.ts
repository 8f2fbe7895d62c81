import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { COLUMN } from '../column-types';

/** Entities, dependencies and weapons: the model infections travel through. */
export class DependencyModel1764205200000 implements MigrationInterface {
  name = 'DependencyModel1764205200000';

  async up(q: QueryRunner): Promise<void> {
    const fk = (column: string, table: string) => ({
      columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION',
    });
    await q.createTable(
      new Table({
        name: 'entities',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'name', type: 'varchar', length: '300' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'parentId', type: 'varchar', length: '128', isNullable: true },
          { name: 'country', type: 'varchar', length: '2', isNullable: true },
          { name: 'sector', type: 'varchar', length: '40', isNullable: true },
          { name: 'hosts', type: 'integer', default: 0 },
          { name: 'dailyValueUsd', type: COLUMN.float, default: 0 },
          { name: 'populationServed', type: 'integer', default: 0 },
          { name: 'tags', type: 'text' },
          { name: 'protected', type: 'boolean', default: COLUMN.bool(false) },
          { name: 'stixId', type: 'varchar', length: '100', isNullable: true },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
          { name: 'updatedAt', type: COLUMN.timestamp, default: COLUMN.now },
        ],
        indices: [
          { columnNames: ['name'] }, { columnNames: ['kind'] }, { columnNames: ['parentId'] },
          { columnNames: ['country'] }, { columnNames: ['sector'] }, { columnNames: ['stixId'], isUnique: true },
        ],
        foreignKeys: [fk('parentId', 'entities')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dependencies',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'sourceId', type: 'varchar', length: '128' },
          { name: 'targetId', type: 'varchar', length: '128' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'weight', type: COLUMN.float },
          { name: 'bidirectional', type: 'boolean', default: COLUMN.bool(false) },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
        ],
        indices: [{ columnNames: ['sourceId', 'targetId', 'kind'], isUnique: true }, { columnNames: ['targetId'] }, { columnNames: ['kind'] }],
        foreignKeys: [fk('sourceId', 'entities'), fk('targetId', 'entities')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'weapons',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'name', type: 'varchar', length: '300' },
          { name: 'aliases', type: 'text' },
          { name: 'payload', type: 'varchar', length: '16' },
          { name: 'vectors', type: 'text' },
          { name: 'requiredTags', type: 'text' },
          { name: 'targeting', type: 'text' },
          { name: 'impact', type: 'text' },
          { name: 'containmentHours', type: 'text', isNullable: true },
          { name: 'killSwitchAt', type: COLUMN.timestamp, isNullable: true },
          { name: 'firstSeenAt', type: COLUMN.timestamp, isNullable: true },
          { name: 'characterised', type: 'boolean', default: COLUMN.bool(true) },
          { name: 'stixId', type: 'varchar', length: '100', isNullable: true },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
          { name: 'updatedAt', type: COLUMN.timestamp, default: COLUMN.now },
        ],
        indices: [{ columnNames: ['stixId'], isUnique: true }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('weapons');
    await q.dropTable('dependencies');
    await q.dropTable('entities');
  }
}
