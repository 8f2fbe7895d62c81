import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';

/** One write, recorded in the same transaction as the write itself. Append-only. */
@Entity('audit_log')
/** The newest entry of a target type in one index probe (the hierarchy cache's fingerprint). */
@Index(['targetType', 'id'])
export class AuditEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: COLUMN.timestamp })
  at: Date;

  /** Null for writes made by the system itself (bootstrap, scenario loading from the CLI). */
  @Column('varchar', { length: 36, nullable: true })
  keyId: string | null;

  @Column('varchar', { length: 128, nullable: true })
  organizationId: string | null;

  /** `create`, `update`, `delete`, `revoke`, `import`, ... */
  @Column('varchar', { length: 32 })
  action: string;

  /** Indexed with `id` (above), which serves look-ups by type alone too. */
  @Column('varchar', { length: 32 })
  targetType: string;

  @Column('varchar', { length: 200 })
  targetId: string;

  @Column({ type: COLUMN.json, nullable: true })
  details: Record<string, unknown> | null;
}
