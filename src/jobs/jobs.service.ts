import { Injectable, ParseUUIDPipe } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { conflict, DomainError, foundOrFail, invalid } from '../common/errors/domain-error';
import type { Principal } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { anyVisible } from '../tlp/policy';
import { JobKind, shownInput, ShownInput } from './job-input';
import { FINISHED } from './job-status';
import { Headline, isJobOf, Job, JobOf } from './job.entity';
import { JobSchedulerService } from './job-scheduler.service';

/** The `id` of a job route: 400 naming `id` when it is not a UUID. */
export const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => invalid('invalid id', [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]),
});

/** The job as the API shows it. */
export interface JobView {
  id: string;
  kind: JobKind;
  status: Job['status'];
  progress: number;
  etaSeconds: number | null;
  stale: boolean;
  weaponId: string | null;
  /**
   * The request with defaults and seed, `reportsUsed` (the reports used that the reader may
   * see), and (assessments) the observation time and filing time of the newest report used
   * that the reader may see (null when none).
   */
  inputs: ShownInput & { reportsUsed: number | null; latestReportAt?: string | null; latestReportFiledAt?: string | null };
  /** Assessments: headline figures once done (stored at finish), else null. */
  headline?: Headline | null;
  runner: string;
  attempts: number;
  error: Job['error'];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result?: unknown;
}

/** What a kind of job adds to the view for one reader. */
export interface ViewExtras {
  inputs?: Partial<Pick<JobView['inputs'], 'reportsUsed' | 'latestReportAt' | 'latestReportFiledAt'>>;
  headline?: Headline | null;
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

  /** The job as `reader` sees it, with what its kind adds (`extras`). */
  view(row: Job, reader?: Principal, extras: ViewExtras = {}): JobView {
    const live = row.status === 'running' ? this.scheduler.liveProgress(row.id) : undefined;
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      progress: live?.progress ?? row.progress,
      etaSeconds: row.status === 'done' ? 0 : live?.etaSeconds ?? row.etaSeconds,
      stale: row.stale && (!reader || !row.staleFor || anyVisible(row.staleFor, reader)),
      weaponId: row.weaponId,
      inputs: { ...shownInput(row.input), reportsUsed: row.reportsUsed, ...extras.inputs },
      ...('headline' in extras ? { headline: extras.headline } : {}),
      runner: row.runner,
      attempts: row.attempts,
      error: row.error,
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: row.startedAt ? new Date(row.startedAt).toISOString() : null,
      finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
    };
  }
}

/** The row as its kind's; a row whose input says another kind is a broken row, not a request error. */
function ofKind<K extends JobKind>(row: Job, kind: K): JobOf<K> {
  if (!isJobOf(row, kind)) throw new Error(`job ${row.id} is stored as ${row.kind} with an input of kind ${row.input.kind}`);
  return row;
}
