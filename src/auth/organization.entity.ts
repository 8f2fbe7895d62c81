import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';

/** A member organisation: a CSIRT, a company SOC, a ministry, a research group. */
@Entity('organizations')
export class Organization {
  @PrimaryColumn('varchar', { length: 128 })
  id: string;

  @Column('varchar', { length: 200 })
  name: string;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;
}
