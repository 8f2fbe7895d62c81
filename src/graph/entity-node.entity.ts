import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';

/**
 * An entity of the dependency model: an organisation, site, facility, network, service or
 * infrastructure asset (called EntityNode in code so it does not clash with TypeORM's @Entity).
 */
@Entity('entities')
export class EntityNode {
  /** Client-supplied stable slug. */
  @PrimaryColumn('varchar', { length: 128 })
  id: string;

  @Index()
  @Column('varchar', { length: 300 })
  name: string;

  @Index()
  @Column('varchar', { length: 32 })
  kind: string;

  /** Parent in the hierarchy (organisation > site); country and sector are derived levels. */
  @Index()
  @Column('varchar', { length: 128, nullable: true })
  parentId: string | null;

  @ManyToOne(() => EntityNode, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parentId' })
  parent?: EntityNode;

  /** ISO 3166-1 alpha-2. */
  @Index()
  @Column('varchar', { length: 2, nullable: true })
  country: string | null;

  /** One of the 16 CISA sectors (src/domain/vocabulary.ts). */
  @Index()
  @Column('varchar', { length: 40, nullable: true })
  sector: string | null;

  @Column('integer', { default: 0 })
  hosts: number;

  @Column({ type: COLUMN.float, default: 0 })
  dailyValueUsd: number;

  @Column('integer', { default: 0 })
  populationServed: number;

  /** Exposure tags (software, platform), kept as a JSON array. */
  @Column({ type: COLUMN.json })
  tags: string[];

  @Column('boolean', { default: false })
  protected: boolean;

  /** The STIX identity this entity was created from or matched to. */
  @Index({ unique: true })
  @Column('varchar', { length: 100, nullable: true })
  stixId: string | null;

  /**
   * The TLP and organisation of the report that created this entity inline (null: created
   * through the entities API or an import): only readers who may see that report list it.
   */
  @Column('varchar', { length: 16, nullable: true })
  originTlp: string | null;

  @Column('varchar', { length: 128, nullable: true })
  originOrganizationId: string | null;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;

  /** Indexed: the hierarchy cache compares the newest one (src/graph/hierarchy.service.ts). */
  @Index()
  @UpdateDateColumn({ type: COLUMN.timestamp })
  updatedAt: Date;
}
