import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * TLP on derived outputs: the audiences whose evidence changes made an assessment stale (a
 * reader sees the flag only for changes it may see), and the audience of the report that
 * created an entity inline (such an entity is listed only to readers who may see that report);
 * indexes on entities' `updatedAt` and on the audit log's (targetType, id) for the hierarchy
 * cache's fingerprint.
 */
export class TlpReads1764240000000 implements MigrationInterface {
  name = 'TlpReads1764240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('assessments', new TableColumn({ name: 'staleFor', type: 'text', isNullable: true }));
    await q.addColumns('entities', [
      new TableColumn({ name: 'originTlp', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'originOrganizationId', type: 'varchar', length: '128', isNullable: true }),
    ]);
    await q.createIndex('entities', new TableIndex({ columnNames: ['updatedAt'] }));
    await q.createIndex('audit_log', new TableIndex({ columnNames: ['targetType', 'id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    const audit = await q.getTable('audit_log');
    const byType = audit?.indices.find((i) => i.columnNames.join(',') === 'targetType,id');
    if (byType) await q.dropIndex('audit_log', byType);
    const table = await q.getTable('entities');
    const index = table?.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === 'updatedAt');
    if (index) await q.dropIndex('entities', index);
    await q.dropColumn('entities', 'originOrganizationId');
    await q.dropColumn('entities', 'originTlp');
    await q.dropColumn('assessments', 'staleFor');
  }
}
