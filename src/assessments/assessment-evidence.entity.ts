import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { Tlp } from '../domain/vocabulary';
import type { Range } from '../results/result-types';
import { Job } from '../jobs/job.entity';
import type { Audience } from '../tlp/policy';

/** The newest report of one (TLP, organisation) pair of an assessment's evidence. */
export interface LatestReport {
  tlp: Tlp;
  organizationId: string | null;
  /** Observation time (ISO 8601). */
  observedAt: string;
  /** When it was filed (ISO 8601); null when the evidence did not say (older snapshots). */
  filedAt: string | null;
  /** Reports of the pair in the evidence (absent in jobs that read their evidence before counts were kept). */
  count?: number;
}

/** A finished assessment's headline, for lists: ranges of the weighted run distribution. */
export interface Headline {
  level: number;
  entitiesInfected: Range;
  lossUsd: { total: Range };
  collateral: { entitiesInfected: Range; lossUsd: { total: Range } };
  effectiveSampleSize: number | null;
}

/**
 * What an assessment job adds to its `jobs` row, one row per assessment: facts of the evidence
 * it read (written with the job row at POST and again when the job reads its evidence at start),
 * whether newer evidence made it stale, and the headline of its result (written with the parts
 * at `done`). Status and list answers read them here, with no result part and no report read.
 * The headline is the assessment's: a simulation's view carries its whole (small) result and
 * never had a headline, and the figures (intended and collateral, effective sample size of the
 * calibration) are an assessment's.
 */
@Entity('assessment_evidence')
export class AssessmentEvidence {
  @PrimaryColumn('varchar', { length: 36 })
  @ForeignKey(() => Job, { onDelete: 'CASCADE' })
  jobId: string;

  /** Reports the estimate rests on (all TLP levels; restricted ones count in aggregates). */
  @Column('integer', { default: 0 })
  reportsUsed: number;

  /** Newest report id/time seen when the inputs were read: newer evidence makes the result stale. */
  @Column('varchar', { length: 64, nullable: true })
  evidenceMark: string | null;

  @Column('boolean', { default: false })
  stale: boolean;

  /**
   * The audiences (TLP, filing organisation) of the evidence changes that made the job stale:
   * a reader sees `stale` only for changes it may see. Null on a stale row: stale for everyone.
   */
  @Column({ type: COLUMN.json, nullable: true })
  staleFor: Audience[] | null;

  /**
   * The newest report of each (TLP, filing organisation) pair in the evidence read for the
   * job: each reader's `latestReportAt`/`latestReportFiledAt` come from the ones it may see.
   */
  @Column({ type: COLUMN.json, nullable: true })
  latestReports: LatestReport[] | null;

  /** Headline figures of a finished assessment, stored with the result (for lists). */
  @Column({ type: COLUMN.json, nullable: true })
  headline: Headline | null;
}
