import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { DependencyKind } from '../domain/vocabulary';
import { EntityNode } from './entity-node.entity';

/** `sourceId -> targetId`: the target depends on, or is reachable from, the source. */
@Entity('dependencies')
@Index(['sourceId', 'targetId', 'kind'], { unique: true })
export class Dependency {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('varchar', { length: 128 })
  sourceId: string;

  @ManyToOne(() => EntityNode, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sourceId' })
  source?: EntityNode;

  @Index()
  @Column('varchar', { length: 128 })
  targetId: string;

  @ManyToOne(() => EntityNode, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'targetId' })
  target?: EntityNode;

  @Index()
  @Column('varchar', { length: 32 })
  kind: DependencyKind;

  /** In [0,1]: scales transmission along the edge and the share of the target's function lost when the source fails. */
  @Column({ type: COLUMN.float })
  weight: number;

  /** A symmetric link: transmission both ways. */
  @Column('boolean', { default: false })
  bidirectional: boolean;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;
}
