import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { COLUMN } from '../database/column-types';
import type { ErrorDetail } from '../common/errors/domain-error';
import type { JobInput, JobKind } from './job-input';
import type { JobStatus } from './job-status';

/**
 * One estimate job (an assessment of a weapon, or a researcher's simulation run as a job).
 * The row is the job's state: the scheduler claims it, the running process writes progress
 * and a heartbeat into it, the results go to `job_results`. What one kind adds to its jobs
 * lives in that kind's own table keyed by the job id (an assessment's evidence facts and
 * headline: `assessment_evidence`).
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
