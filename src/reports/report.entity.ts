import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organization } from '../auth/organization.entity';
import { COLUMN } from '../database/column-types';
import type { ReportStatus, Tlp } from '../domain/vocabulary';
import { EntityNode } from '../graph/entity-node.entity';
import { Weapon } from '../weapons/weapon.entity';
import type { ExternalReference } from '../domain/records';

export type { ExternalReference };

/**
 * A spread report: evidence that a weapon was seen at an entity. Rows are never updated or
 * deleted; a correction is a new row whose `supersedesId` names the report it replaces, so a
 * report's history is its chain (same `chainId`, increasing `version`). The current version of
 * a chain is the one no other report supersedes (the unique index makes that a single row).
 */
@Entity('reports')
@Index(['weaponId', 'observedAt'])
@Index(['observedAt', 'id'])
export class Report {
  /** A UUIDv7: time-ordered, so inserts append to the indexes instead of scattering. */
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 128 })
  weaponId: string;

  @ManyToOne(() => Weapon, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'weaponId' })
  weapon?: Weapon;

  @Index()
  @Column('varchar', { length: 128 })
  entityId: string;

  @ManyToOne(() => EntityNode, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'entityId' })
  entity?: EntityNode;

  /** The reporting organisation: the source, and the owner for TLP purposes. */
  @Column('varchar', { length: 128 })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organizationId' })
  organization?: Organization;

  @Column({ type: COLUMN.timestamp })
  observedAt: Date;

  @Column('varchar', { length: 16 })
  status: ReportStatus;

  @Column('integer', { nullable: true })
  hostsAffected: number | null;

  @Column({ type: COLUMN.float, nullable: true })
  downtimeHours: number | null;

  @Column({ type: COLUMN.float, nullable: true })
  lossLowUsd: number | null;

  @Column({ type: COLUMN.float, nullable: true })
  lossHighUsd: number | null;

  /** 0-100, the STIX confidence scale; null when unspecified. */
  @Column('integer', { nullable: true })
  confidence: number | null;

  @Column('varchar', { length: 16 })
  tlp: Tlp;

  /** Free text naming where the report comes from inside the organisation (a feed, a tool, a ticket queue). */
  @Column('varchar', { length: 300, nullable: true })
  source: string | null;

  @Column({ type: COLUMN.json, nullable: true })
  externalReferences: ExternalReference[] | null;

  /** The report this one corrects; a report can be superseded once, so chains are linear. */
  @Index({ unique: true })
  @Column('varchar', { length: 36, nullable: true })
  supersedesId: string | null;

  @ManyToOne(() => Report, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supersedesId' })
  supersedes?: Report;

  /** Id of the first report of the chain. */
  @Index()
  @Column('varchar', { length: 36 })
  chainId: string;

  /** 1 for the first report of a chain, +1 per correction. */
  @Column('integer', { default: 1 })
  version: number;

  /** The STIX sighting this chain maps to (the same for every version of a chain). */
  @Index()
  @Column('varchar', { length: 100, nullable: true })
  stixId: string | null;

  /** The API key that wrote the report (null for system loads). */
  @Column('varchar', { length: 36, nullable: true })
  keyId: string | null;

  @Column({ type: COLUMN.timestamp })
  createdAt: Date;
}
