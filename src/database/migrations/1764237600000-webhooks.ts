import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { COLUMN } from '../column-types';

/** Webhook subscriptions and their outbox of deliveries. */
export class Webhooks1764237600000 implements MigrationInterface {
  name = 'Webhooks1764237600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'webhook_subscriptions',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'organizationId', type: 'varchar', length: '128' },
        { name: 'role', type: 'varchar', length: '16' },
        { name: 'url', type: 'varchar', length: '2000' },
        { name: 'secret', type: 'varchar', length: '200' },
        { name: 'events', type: 'text' },
        { name: 'entityIds', type: 'text' },
        { name: 'threshold', type: COLUMN.float },
        { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
      ],
    }));
    await q.createIndex('webhook_subscriptions', new TableIndex({ columnNames: ['organizationId'] }));
    await q.createTable(new Table({
      name: 'webhook_deliveries',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'subscriptionId', type: 'varchar', length: '36' },
        { name: 'event', type: 'varchar', length: '32' },
        { name: 'eventKey', type: 'varchar', length: '100' },
        { name: 'payload', type: 'text' },
        { name: 'status', type: 'varchar', length: '16' },
        { name: 'attempts', type: 'integer', default: 0 },
        { name: 'nextAttemptAt', type: COLUMN.timestamp },
        { name: 'lastStatusCode', type: 'integer', isNullable: true },
        { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
        { name: 'createdAt', type: COLUMN.timestamp, default: COLUMN.now },
        { name: 'deliveredAt', type: COLUMN.timestamp, isNullable: true },
      ],
    }));
    await q.createIndex('webhook_deliveries', new TableIndex({ columnNames: ['status', 'nextAttemptAt'] }));
    await q.createIndex('webhook_deliveries', new TableIndex({ columnNames: ['subscriptionId', 'eventKey'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_deliveries');
    await q.dropTable('webhook_subscriptions');
  }
}
