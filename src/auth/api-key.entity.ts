import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Role } from '../domain/vocabulary';
import { COLUMN } from '../database/column-types';
import { Organization } from './organization.entity';

/** An API key; only the SHA-256 of the secret is stored. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 200 })
  name: string;

  @Index()
  @Column('varchar', { length: 128 })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organizationId' })
  organization?: Organization;

  @Column('varchar', { length: 16 })
  role: Role;

  @Index({ unique: true })
  @Column('varchar', { length: 64 })
  secretHash: string;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;

  @Column({ type: COLUMN.timestamp, nullable: true })
  revokedAt: Date | null;
}
