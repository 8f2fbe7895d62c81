import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { Range90, WeaponImpact, WeaponTargeting, WeaponVector } from '../domain/records';
import type { DependencyKind, Payload } from '../domain/vocabulary';

/** A malware family or cyber weapon, with the parameters of its spread and impact as 90% ranges. */
@Entity('weapons')
export class Weapon {
  @PrimaryColumn('varchar', { length: 128 })
  id: string;

  @Column('varchar', { length: 300 })
  name: string;

  @Column({ type: COLUMN.json })
  aliases: string[];

  @Column('varchar', { length: 16 })
  payload: Payload;

  @Column({ type: COLUMN.json })
  vectors: Partial<Record<DependencyKind, WeaponVector>>;

  /** An entity is susceptible only if it carries every one of these tags. */
  @Column({ type: COLUMN.json })
  requiredTags: string[];

  @Column({ type: COLUMN.json })
  targeting: WeaponTargeting;

  @Column({ type: COLUMN.json })
  impact: WeaponImpact;

  @Column({ type: COLUMN.json, nullable: true })
  containmentHours: Range90 | null;

  @Column({ type: COLUMN.timestamp, nullable: true })
  killSwitchAt: Date | null;

  @Column({ type: COLUMN.timestamp, nullable: true })
  firstSeenAt: Date | null;

  /** False for malware first met in a STIX import, whose parameters are placeholders. */
  @Column('boolean', { default: true })
  characterised: boolean;

  @Index({ unique: true })
  @Column('varchar', { length: 100, nullable: true })
  stixId: string | null;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;

  @UpdateDateColumn({ type: COLUMN.timestamp })
  updatedAt: Date;
}
