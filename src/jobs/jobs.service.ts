import { Injectable, ParseUUIDPipe } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { conflict, DomainError, foundOrFail, invalid } from '../common/errors/domain-error';
import type { Principal } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { JobKind, shownInput, ShownInput } from './job-input';
import { FINISHED } from './job-status';
import { isJobOf, Job, JobOf } from './job.entity';
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

/** The job rows of every kind: find one of a kind, cancel it, show it. */
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
