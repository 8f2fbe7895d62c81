import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';

/** One object's outcome in a status resource. */
export interface StatusDetail {
  id: string;
  version: string;
  message?: string;
}

/**
 * The status resource of a TAXII `POST .../objects/` (TAXII 2.1 section 4.3.1): what was
 * added, what failed and why. Adds complete within the request, so a status is final when
 * created; it is kept so clients can poll it as the protocol expects.
 */
@Entity('taxii_statuses')
@Index(['organizationId', 'requestTimestamp'])
export class TaxiiStatus {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  /** Only the posting organisation reads its statuses. */
  @Column('varchar', { length: 128 })
  organizationId: string;

  @Column(COLUMN.timestamp)
  requestTimestamp: Date;

  @Column(COLUMN.json)
  successes: StatusDetail[];

  @Column(COLUMN.json)
  failures: StatusDetail[];
}
