import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { COLUMN } from '../column-types';

/** Assessment (and simulation) jobs and their stored results. */
export class Assessments1764216000000 implements MigrationInterface {
  name = 'Assessments1764216000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'assessments',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'weaponId', type: 'varchar', length: '128', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'progress', type: COLUMN.float, default: 0 },
          { name: 'etaSeconds', type: COLUMN.float, isNullable: true },
          { name: 'input', type: 'text' },
          { name: 'reportsUsed', type: 'integer', default: 0 },
          { name: 'evidenceMark', type: 'varchar', length: '64', isNullable: true },
          { name: 'stale', type: 'boolean', default: COLUMN.bool(false) },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'organizationId', type: 'varchar', length: '128', isNullable: true },
          { name: 'createdBy', type: 'varchar', length: '36', isNullable: true },
          { name: 'runner', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'ownerId', type: 'varchar', length: '64', isNullable: true },
          { name: 'heartbeatAt', type: COLUMN.timestamp, isNullable: true },
          { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
          { name: 'startedAt', type: COLUMN.timestamp, isNullable: true },
          { name: 'finishedAt', type: COLUMN.timestamp, isNullable: true },
          { name: 'updatedAt', type: COLUMN.timestamp, default: COLUMN.now },
        ],
        indices: [{ columnNames: ['status', 'createdAt'] }, { columnNames: ['weaponId'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'assessment_results',
        columns: [
          { name: 'assessmentId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'part', type: 'varchar', length: '32', isPrimary: true },
          { name: 'body', type: 'text' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('assessment_results');
    await q.dropTable('assessments');
  }
}
