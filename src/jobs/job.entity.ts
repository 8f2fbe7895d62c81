import type { Audience } from '../tlp/policy';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { ErrorDetail } from '../common/errors/domain-error';
import type { Tlp } from '../domain/vocabulary';
import type { Range } from '../engine/stats';
import type { JobInput, JobKind } from './job-input';
import type { JobStatus } from './job-status';

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
 * One estimate job (an assessment of a weapon, or a researcher's simulation run as a job).
 * The row is the job's state: the scheduler claims it, the running process writes progress
 * and a heartbeat into it, the results go to `job_results`. The columns after `input` other
 * than the error, the owner and the times are an assessment's evidence facts (unused by
 * simulations).
 */
@Entity('jobs')
@Index(['status', 'createdAt'])
export class Job {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  /** `assessment` or `simulation`: the handler that runs it, and the kind of its input. */
  @Column('varchar', { length: 16 })
  kind: JobKind;

  @Index()
  @Column('varchar', { length: 128, nullable: true })
  weaponId: string | null;

  @Column('varchar', { length: 16 })
  status: JobStatus;

  /** 0..1 */
  @Column({ type: COLUMN.float, default: 0 })
  progress: number;

  @Column({ type: COLUMN.float, nullable: true })
  etaSeconds: number | null;

  /** Its `kind` is the row's. */
  @Column({ type: COLUMN.json })
  input: JobInput;

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

  @Column({ type: COLUMN.json, nullable: true })
  error: { message: string; details?: ErrorDetail[] } | null;

  @Column('varchar', { length: 128, nullable: true })
  organizationId: string | null;

  @Column('varchar', { length: 36, nullable: true })
  createdBy: string | null;

  /** `in-process` or `bullmq`: where the runs went. */
  @Column('varchar', { length: 16 })
  runner: string;

  /** Times the job was started (more than one after a restart). */
  @Column('integer', { default: 0 })
  attempts: number;

  /** The process running it, and when it last said so; a stale heartbeat puts the job back in the queue. */
  @Column('varchar', { length: 64, nullable: true })
  ownerId: string | null;

  @Column({ type: COLUMN.timestamp, nullable: true })
  heartbeatAt: Date | null;

  @CreateDateColumn({ type: COLUMN.timestamp })
  createdAt: Date;

  @Column({ type: COLUMN.timestamp, nullable: true })
  startedAt: Date | null;

  @Column({ type: COLUMN.timestamp, nullable: true })
  finishedAt: Date | null;

  @UpdateDateColumn({ type: COLUMN.timestamp })
  updatedAt: Date;
}

/**
 * A job's outputs, one row per part (an assessment's `summary`, `entities`, `groups`,
 * `timeline`, `earlyWarning`, `runs`, ...; a simulation's `summary`, and its posted graph
 * until it has run), kept as JSON text so each route reads only the part it serves.
 */
@Entity('job_results')
export class JobResultPart {
  @PrimaryColumn('varchar', { length: 36 })
  jobId: string;

  @PrimaryColumn('varchar', { length: 32 })
  part: string;

  @Column('text')
  body: string;
}

/** A job row of one kind, its input narrowed to that kind's. */
export type JobOf<K extends JobKind> = Job & { kind: K; input: Extract<JobInput, { kind: K }> };

export function isJobOf<K extends JobKind>(job: Job, kind: K): job is JobOf<K> {
  return job.kind === kind && job.input.kind === kind;
}
