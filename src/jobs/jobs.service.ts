import { Injectable, ParseUUIDPipe } from '@nestjs/common';
import { EntityManager, LessThan, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { conflict, DomainError, foundOrFail, invalid } from '../common/errors/domain-error';
import type { Principal } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { JobInput, JobKind, shownInput, ShownInput } from './job-input';
import { FINISHED, JobStatus } from './job-status';
import { isJobOf, Job, JobOf, JobResultPart } from './job.entity';
import { JobSchedulerService } from './job-scheduler.service';

/** The `id` of a job route: 400 naming `id` when it is not a UUID. */
export const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => invalid('invalid id', [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]),
});

/**
 * The job as the API shows it: its own fields, and what its kind adds (`KindView`): `I` in the
 * inputs after the request, `E` after the inputs.
 */
export type JobView<I extends object = object, E extends object = object> = {
  id: string;
  kind: JobKind;
  status: Job['status'];
  progress: number;
  etaSeconds: number | null;
  stale: boolean;
  weaponId: string | null;
  /** The request with defaults and seed, then what the kind says of its inputs. */
  inputs: ShownInput & I;
  runner: string;
  attempts: number;
  error: Job['error'];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result?: unknown;
} & E;

/** What a kind says of one of its jobs, for one reader, in the job's view. */
export interface KindView<I extends object, E extends object> {
  /** Whether the result no longer reflects what it was computed from. */
  stale: boolean;
  /** Added to the shown request. */
  inputs: I;
  /** Shown after the inputs. */
  after: E;
}

/** A new job, queued: what its kind's service decides of it. */
export interface NewJob {
  id: string;
  input: JobInput;
  actor: Principal;
  /** `in-process` or `bullmq`: where its runs go. */
  runner: string;
}

/** Which job rows a query reads: each field given narrows it (`ids`, `weaponIds`, `statuses`, `finishedAt`: any of). */
export interface JobFilter {
  kind: JobKind;
  ids?: readonly string[];
  weaponIds?: readonly string[];
  statuses?: readonly JobStatus[];
  /** Only rows with a finish time. */
  finished?: boolean;
  finishedAt?: readonly Date[];
  finishedAfter?: Date;
  updatedSince?: Date;
}

/**
 * The order of a query by one time column, ties by id in the same direction: a keyset page
 * starts after `after`, the (time, id) of the previous page's last row.
 */
export interface JobOrder {
  by: 'createdAt' | 'finishedAt' | 'updatedAt';
  direction: 'ASC' | 'DESC';
  after?: { at: Date; id: string };
}

/** What a kind adds to the query of its rows: the join of its own table keyed by the job id (on `alias`). */
export type KindJoin = (qb: SelectQueryBuilder<Job>, alias: string) => SelectQueryBuilder<Job>;

/** The alias of the job rows in a query (what a `KindJoin` joins on). */
const ALIAS = 'a';

/**
 * The job rows of every kind: create one, find one of a kind or a page of them, cancel it, show
 * it; its stored parts; the running ones' heartbeats. The kinds' services read and write the
 * `jobs` and `job_results` tables through it alone.
 */
@Injectable()
export class JobsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly scheduler: JobSchedulerService,
  ) {}

  /** The job of this kind with this id; 404 naming the kind otherwise. */
  async get<K extends JobKind>(id: string, kind: K): Promise<JobOf<K>> {
    const row = await this.db.read((m) => m.findOneBy(Job, { id, kind }));
    return ofKind(foundOrFail(row, kind, id), kind);
  }

  /**
   * Saves a new queued job and its first parts (`part -> body`, e.g. a posted graph kept until
   * the job runs), in the caller's transaction (with what its kind writes beside it).
   */
  async createWithin(m: EntityManager, job: NewJob, parts: Record<string, string> = {}): Promise<Job> {
    const saved = await m.save(Job, {
      id: job.id,
      kind: job.input.kind,
      weaponId: job.input.kind === 'assessment' ? job.input.weaponId : null,
      status: 'queued' as const,
      progress: 0,
      etaSeconds: null,
      input: job.input,
      error: null,
      organizationId: job.actor.organizationId,
      createdBy: job.actor.keyId,
      runner: job.runner,
      attempts: 0,
      ownerId: null,
      heartbeatAt: null,
      startedAt: null,
      finishedAt: null,
    });
    for (const [part, body] of Object.entries(parts)) await m.insert(JobResultPart, { jobId: job.id, part, body });
    return saved;
  }

  /**
   * The job rows `filter` names, in `order` (at most `limit`), with what `join` adds (a kind's
   * own table: one query for the page). Limited with `limit`, not `take`: `take` would add a
   * query for the page's ids when a join is added.
   */
  findWithin(m: EntityManager, filter: JobFilter, { order, limit, join }: { order?: JobOrder; limit?: number; join?: KindJoin } = {}): Promise<Job[]> {
    const a = ALIAS;
    const base = m.getRepository(Job).createQueryBuilder(a);
    const qb = (join ? join(base, a) : base).where(`${a}.kind = :kind`, { kind: filter.kind });
    if (filter.ids) qb.andWhere(`${a}.id IN (:...ids)`, { ids: filter.ids });
    if (filter.weaponIds) qb.andWhere(`${a}.weaponId IN (:...weaponIds)`, { weaponIds: filter.weaponIds });
    if (filter.statuses) qb.andWhere(`${a}.status IN (:...statuses)`, { statuses: filter.statuses });
    if (filter.finished) qb.andWhere(`${a}.finishedAt IS NOT NULL`);
    if (filter.finishedAt) qb.andWhere(`${a}.finishedAt IN (:...finishedAt)`, { finishedAt: filter.finishedAt });
    if (filter.finishedAfter) qb.andWhere(`${a}.finishedAt > :finishedAfter`, { finishedAfter: filter.finishedAfter });
    if (filter.updatedSince) qb.andWhere(`${a}.updatedAt >= :updatedSince`, { updatedSince: filter.updatedSince });
    if (order) {
      const column = `${a}.${order.by}`;
      if (order.after) {
        const past = order.direction === 'ASC' ? '>' : '<';
        qb.andWhere(`(${column} ${past} :afterAt OR (${column} = :afterAt AND ${a}.id ${past} :afterId))`, { afterAt: order.after.at, afterId: order.after.id });
      }
      qb.orderBy(column, order.direction).addOrderBy(`${a}.id`, order.direction);
    }
    if (limit !== undefined) qb.limit(limit);
    return qb.getMany();
  }

  /** The ids of the job rows `filter` names (only the ids are read). */
  async idsWithin(m: EntityManager, filter: Pick<JobFilter, 'kind' | 'statuses'>): Promise<string[]> {
    const qb = m.getRepository(Job).createQueryBuilder(ALIAS).select(`${ALIAS}.id`, 'id').where(`${ALIAS}.kind = :kind`, { kind: filter.kind });
    if (filter.statuses) qb.andWhere(`${ALIAS}.status IN (:...statuses)`, { statuses: filter.statuses });
    return (await qb.getRawMany<{ id: string }>()).map((r) => r.id);
  }

  /** Moves the row's `updatedAt` to now (what changed is in its kind's table; readers of changes find the row by it). */
  async touchWithin(m: EntityManager, id: string): Promise<void> {
    await m.createQueryBuilder().update(Job).set({ updatedAt: () => 'CURRENT_TIMESTAMP' }).where('id = :id', { id }).execute();
  }

  /** The running jobs, and those of them whose heartbeat is older than `staleBefore`. */
  heartbeats(staleBefore: Date): Promise<{ running: number; stale: number }> {
    return this.db.read(async (m) => {
      const [running, stale] = await Promise.all([m.countBy(Job, { status: 'running' }), m.countBy(Job, { status: 'running', heartbeatAt: LessThan(staleBefore) })]);
      return { running, stale };
    });
  }

  /** The body of one stored part of a job, or null. */
  async part(jobId: string, part: string): Promise<string | null> {
    return (await this.db.read((m) => m.findOneBy(JobResultPart, { jobId, part })))?.body ?? null;
  }

  /** Deletes one stored part of a job (none: nothing to do). */
  async deletePart(jobId: string, part: string): Promise<void> {
    await this.db.write((m) => m.delete(JobResultPart, { jobId, part }));
  }

  /** Cancels a queued or running job (the running process sees it at its next heartbeat, at most 500 ms later). */
  async cancel<K extends JobKind>(id: string, actor: Principal, kind: K): Promise<JobOf<K>> {
    const row = await this.db.write(async (m) => {
      const current = foundOrFail(await m.findOneBy(Job, { id, kind }), kind, id);
      if (actor.role !== 'admin' && current.organizationId !== actor.organizationId) {
        throw new DomainError('FORBIDDEN', `only the organisation that started ${kind} ${id}, or an admin, may cancel it`, [
          { field: 'id', rule: 'ownOrganization', message: `${kind} ${id} was started by another organisation` },
        ]);
      }
      if (FINISHED.includes(current.status)) {
        throw conflict(`${kind} ${id} is already ${current.status}`, [{ field: 'id', rule: 'cancellable', message: `only queued or running jobs can be cancelled; this one is ${current.status}` }]);
      }
      const res = await m.createQueryBuilder().update(Job)
        .set({ status: 'cancelled', finishedAt: new Date(), etaSeconds: null })
        .where('id = :id AND status IN (:...live)', { id, live: ['queued', 'running'] })
        .execute();
      if (!res.affected) throw conflict(`${kind} ${id} has just finished`);
      await this.audit.record(m, actor, 'cancel', kind, id);
      return foundOrFail(await m.findOneBy(Job, { id }), kind, id);
    });
    this.scheduler.cancelLocal(id);
    return ofKind(row, kind);
  }

  /** The job with what its kind says of it (`kind`, for the reader the kind had in mind). */
  view<I extends object, E extends object>(row: Job, kind: KindView<I, E>): JobView<I, E> {
    const live = row.status === 'running' ? this.scheduler.liveProgress(row.id) : undefined;
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      progress: live?.progress ?? row.progress,
      etaSeconds: row.status === 'done' ? 0 : live?.etaSeconds ?? row.etaSeconds,
      stale: kind.stale,
      weaponId: row.weaponId,
      inputs: { ...shownInput(row.input), ...kind.inputs },
      ...kind.after,
      runner: row.runner,
      attempts: row.attempts,
      error: row.error,
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: row.startedAt ? new Date(row.startedAt).toISOString() : null,
      finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
    } as JobView<I, E>;
  }
}

/** The row as its kind's; a row whose input says another kind is a broken row, not a request error. */
function ofKind<K extends JobKind>(row: Job, kind: K): JobOf<K> {
  if (!isJobOf(row, kind)) throw new Error(`job ${row.id} is stored as ${row.kind} with an input of kind ${row.input.kind}`);
  return row;
}
