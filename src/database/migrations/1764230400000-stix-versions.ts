import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { sightingIdOfChain } from '../../domain/stix-ids';
import { COLUMN } from '../column-types';

/**
 * STIX ids as STIX consumers accept them: the STIX `created` and `modified` of each imported
 * report version (so an older or equal version writes nothing), and natively filed chains
 * re-identified from `sighting--<UUIDv7 chain id>` (refused by the OASIS schemas, which accept
 * UUID versions 1-5 only) to a UUIDv5 of the chain id.
 */
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
    const param = (i: number) => (q.connection.driver.options.type === 'postgres' ? `$${i}` : '?');
    const chains: Array<{ chainId: string }> = await q.query(`SELECT DISTINCT "chainId" FROM "reports" WHERE "stixId" = 'sighting--' || "chainId"`);
    for (const { chainId } of chains) {
      await q.query(`UPDATE "reports" SET "stixId" = ${param(1)} WHERE "chainId" = ${param(2)}`, [sightingIdOfChain(chainId), chainId]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('stix_versions');
  }
}
