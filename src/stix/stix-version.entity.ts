import { Column, Entity, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';

/**
 * The STIX `created` and `modified` of a report imported from STIX (one row per report
 * version), which its exports repeat. A later import of the same STIX id replaces the current
 * version only when its `modified` is newer (STIX 2.1 §3.6: the newest `modified` is current).
 * Reports filed natively have no row: their version is the time they were filed.
 */
@Entity('stix_versions')
export class StixVersion {
  @PrimaryColumn('varchar', { length: 36 })
  reportId: string;

  @Column(COLUMN.timestamp)
  created: Date;

  @Column(COLUMN.timestamp)
  modified: Date;
}
