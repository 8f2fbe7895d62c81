import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * API keys lose `prefix`, the first 12 characters of the secret: half of a short admin key.
 * Keys are told apart by their id; lookup stays by the unique SHA-256 `secretHash`.
 */
export class ApiKeyPrefixDropped1764893100000 implements MigrationInterface {
  name = 'ApiKeyPrefixDropped1764893100000';

  async up(q: QueryRunner): Promise<void> {
    await q.dropColumn('api_keys', 'prefix');
  }

  /** The secrets are gone, so the restored column cannot be refilled; it comes back empty. */
  async down(q: QueryRunner): Promise<void> {
    await q.addColumn('api_keys', new TableColumn({ name: 'prefix', type: 'varchar', length: '12', default: "''" }));
  }
}
