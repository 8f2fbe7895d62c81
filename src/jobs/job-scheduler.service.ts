import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { JobKind } from './job-input';
import { isJobOf, Job, JobOf, JobResultPart } from './job.entity';
import { FINALIZE_TO } from './monte-carlo-runner';

/** What a handler gets while it runs a job. */
export interface JobContext {
  /** Aborted when the job is cancelled (DELETE) or the process stops. */
  signal: AbortSignal;
  /** Reports progress in [0,1]; written to the job row at most twice a second with an ETA. */
  progress(fraction: number): void;
}

/** Runs one kind of job and returns its result parts by name (each stored as JSON text). */
export type JobHandler<K extends JobKind, P extends object> = (job: JobOf<K>, ctx: JobContext) => Promise<P>;

export interface JobKindOptions<P extends object> {
  /**
   * Writes what the kind keeps of the result parts in its own rows (e.g. a compact headline
   * for lists), in the transaction that stores the parts and marks the job `done`.
   */
  onDone?: (m: EntityManager, jobId: string, parts: P) => Promise<void>;
}

/** What a kind writes at `done` beside the parts, in their transaction. */
type DoneWrite = (m: EntityManager) => Promise<void>;

/** A registered kind: runs a claimed row and gives the parts with what to write beside them at `done`. */
type KindRunner = (job: Job, ctx: JobContext) => Promise<{ parts: object; onDone?: DoneWrite }>;

interface Running {
  controller: AbortController;
  progress: number;
  startedAt: number;
  /** Why the job was aborted: `cancelled` by a user or `shutdown` of this process. */
  reason?: 'cancelled' | 'shutdown';
}

/**
 * The job scheduler: the database row is the job. POST inserts a `queued` row and pokes the
 * scheduler; the scheduler claims queued rows atomically (`UPDATE ... WHERE status='queued'`),
 * so any number of API processes sharing one PostgreSQL database never run a job twice. While
 * a job runs its process writes progress, the ETA and a heartbeat into the row every 500 ms; a
 * row whose heartbeat is older than JOB_STALE_SECONDS belonged to a process that died and is
 * put back in the queue, so it runs again (on start, or by any live process). A graceful stop
 * puts its running jobs back in the queue at once.
 */
@Injectable()
export class JobSchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobScheduler');
  readonly ownerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, KindRunner>();
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private ticking = false;
  private polling = false;
  private pollAgain = false;
  private stopped = false;
  private lastSweep = 0;

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register<K extends JobKind, P extends object>(kind: K, handler: JobHandler<K, P>, options: JobKindOptions<P> = {}): void {
    this.handlers.set(kind, async (job, ctx) => {
      if (!isJobOf(job, kind)) throw new Error(`job ${job.id} of kind ${job.kind} has an input of kind ${job.input.kind}`);
      const parts = await handler(job, ctx);
      const { onDone } = options;
      return { parts, onDone: onDone && ((m: EntityManager) => onDone(m, job.id, parts)) };
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), 500);
    this.timer.unref();
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const ids = [...this.running.keys()];
    for (const id of ids) {
      const r = this.running.get(id)!;
      r.reason = 'shutdown';
      r.controller.abort(new Error('shutdown'));
    }
    // Checkpoint: put our running jobs back in the queue so the next start runs them again.
    if (ids.length) {
      await this.db
        .write((m) =>
          m.createQueryBuilder().update(Job)
            .set({ status: 'queued', ownerId: null, heartbeatAt: null, progress: 0, etaSeconds: null })
            .where('id IN (:...ids) AND status = :running AND ownerId = :owner', { ids, running: 'running', owner: this.ownerId })
            .execute(),
        )
        .catch((err) => this.logger.warn({ msg: 'could not requeue jobs at shutdown', error: String(err) }));
    }
    const deadline = Date.now() + 5000;
    while (this.running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Asks the scheduler to look for queued work now (after a POST). */
  poke(): void {
    void this.poll();
  }

  /** Aborts a job if this process runs it; the caller has already marked the row `cancelled`. */
  cancelLocal(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    r.reason = 'cancelled';
    r.controller.abort(new Error('cancelled'));
  }

  /** Live progress of a job this process runs (fresher than the row). */
  liveProgress(id: string): { progress: number; etaSeconds: number | null } | undefined {
    const r = this.running.get(id);
    return r ? { progress: r.progress, etaSeconds: eta(r) } : undefined;
  }

  private async tick(): Promise<void> {
    // One tick at a time: a tick waiting on the database (a locked row, a busy pool) must not be
    // joined by one every 500 ms, each holding a connection, until the pool runs dry.
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.flush();
      if (Date.now() - this.lastSweep > 2000) {
        this.lastSweep = Date.now();
        await this.sweep();
      }
      await this.poll();
    } finally {
      this.ticking = false;
    }
  }

  /** Writes progress and heartbeats; a row no longer `running` under our name was cancelled elsewhere. */
  private async flush(): Promise<void> {
    if (this.flushing || this.running.size === 0) return;
    this.flushing = true;
    try {
      const now = new Date();
      for (const [id, r] of this.running) {
        if (r.controller.signal.aborted) continue;
        const res = await this.db.write((m) =>
          m.createQueryBuilder().update(Job)
            .set({ progress: round(r.progress), etaSeconds: eta(r), heartbeatAt: now })
            .where('id = :id AND status = :running AND ownerId = :owner', { id, running: 'running', owner: this.ownerId })
            .execute(),
        );
        if (res.affected === 0) {
          r.reason = 'cancelled';
          r.controller.abort(new Error('cancelled'));
        }
      }
    } catch (err) {
      this.logger.warn({ msg: 'progress write failed', error: String(err) });
    } finally {
      this.flushing = false;
    }
  }

  /** Requeues jobs whose process stopped sending heartbeats. */
  private async sweep(): Promise<void> {
    const before = new Date(Date.now() - this.config.jobs.staleSeconds * 1000);
    try {
      const res = await this.db.write((m) =>
        m.createQueryBuilder().update(Job)
          .set({ status: 'queued', ownerId: null, heartbeatAt: null, progress: 0, etaSeconds: null })
          .where('status = :running AND (heartbeatAt IS NULL OR heartbeatAt < :before)', { running: 'running', before })
          .execute(),
      );
      if (res.affected) this.logger.log({ msg: 'requeued jobs of a stopped process', count: res.affected });
    } catch (err) {
      this.logger.warn({ msg: 'sweep failed', error: String(err) });
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        while (!this.stopped && this.running.size < this.config.jobs.concurrency) {
          const job = await this.claimNext();
          if (!job) break;
          void this.execute(job);
        }
      } while (this.pollAgain && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.logger.warn({ msg: 'poll failed', error: String(err) });
    } finally {
      this.polling = false;
    }
  }

  private async claimNext(): Promise<Job | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const kinds = [...this.handlers.keys()];
      if (!kinds.length) return null;
      const next = await this.db.read((m) =>
        m.getRepository(Job).createQueryBuilder('a').select(['a.id'])
          .where('a.status = :queued AND a.kind IN (:...kinds)', { queued: 'queued', kinds })
          .orderBy('a.createdAt', 'ASC').addOrderBy('a.id', 'ASC').limit(1).getOne(),
      );
      if (!next) return null;
      const now = new Date();
      const claimed = await this.db.write(async (m) => {
        const res = await m.createQueryBuilder().update(Job)
          .set({ status: 'running', ownerId: this.ownerId, heartbeatAt: now, startedAt: now, attempts: () => 'attempts + 1', progress: 0, etaSeconds: null })
          .where('id = :id AND status = :queued', { id: next.id, queued: 'queued' })
          .execute();
        return res.affected ? m.findOneBy(Job, { id: next.id }) : null;
      });
      if (claimed) return claimed;
    }
    return null;
  }

  private async execute(job: Job): Promise<void> {
    const r: Running = { controller: new AbortController(), progress: 0, startedAt: Date.now() };
    this.running.set(job.id, r);
    const handler = this.handlers.get(job.kind)!;
    const ctx: JobContext = {
      signal: r.controller.signal,
      progress: (f) => {
        if (Number.isFinite(f)) r.progress = Math.max(r.progress, Math.min(1, Math.max(0, f)));
      },
    };
    this.logger.log({ msg: 'job started', id: job.id, kind: job.kind, attempt: job.attempts });
    try {
      const { parts, onDone } = await handler(job, ctx);
      if (r.controller.signal.aborted) throw r.controller.signal.reason ?? new Error('aborted');
      // Storing the parts: the last step before `done` (progress 1).
      ctx.progress(FINALIZE_TO);
      const storing = Date.now();
      await this.finish(job.id, parts, onDone);
      this.logger.log({ msg: 'job done', id: job.id, seconds: (Date.now() - r.startedAt) / 1000, storeSeconds: (Date.now() - storing) / 1000 });
    } catch (err) {
      if (r.reason === 'shutdown') {
        // Already requeued by beforeApplicationShutdown.
      } else if (r.reason === 'cancelled') {
        this.logger.log({ msg: 'job cancelled', id: job.id });
      } else {
        const error = err instanceof DomainError
          ? { message: err.message, details: err.details }
          : { message: `the job failed: ${(err as Error)?.message ?? String(err)}` };
        if (!(err instanceof DomainError)) this.logger.error({ msg: 'job failed', id: job.id, error: String((err as Error)?.stack ?? err) });
        await this.db
          .write((m) =>
            m.createQueryBuilder().update(Job)
              .set({ status: 'failed', error, finishedAt: new Date(), etaSeconds: null, ownerId: null })
              .where('id = :id AND status = :running AND ownerId = :owner', { id: job.id, running: 'running', owner: this.ownerId })
              .execute(),
          )
          .catch((e) => this.logger.warn({ msg: 'could not record failure', id: job.id, error: String(e) }));
      }
    } finally {
      this.running.delete(job.id);
      if (!this.stopped) this.poke();
    }
  }

  /** Stores the parts and marks the job done in one transaction, only if it is still ours. */
  private async finish(id: string, parts: object, onDone: DoneWrite | undefined): Promise<void> {
    const bodies = Object.entries(parts).map(([part, value]) => ({ jobId: id, part, body: JSON.stringify(value) }));
    await this.db.write(async (m) => {
      const res = await m.createQueryBuilder().update(Job)
        .set({ status: 'done', progress: 1, etaSeconds: 0, finishedAt: new Date(), ownerId: null, heartbeatAt: new Date() })
        .where('id = :id AND status = :running AND ownerId = :owner', { id, running: 'running', owner: this.ownerId })
        .execute();
      if (!res.affected) throw Object.assign(new Error('cancelled'), { cancelled: true });
      await m.delete(JobResultPart, { jobId: id });
      for (const b of bodies) await m.insert(JobResultPart, b);
      await onDone?.(m);
    }).catch((err) => {
      if ((err as { cancelled?: boolean }).cancelled) {
        const r = this.running.get(id);
        if (r) r.reason = 'cancelled';
      }
      throw err;
    });
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

function eta(r: Running): number | null {
  if (r.progress <= 0) return null;
  const elapsed = (Date.now() - r.startedAt) / 1000;
  return Math.max(0, Math.round((elapsed / r.progress) * (1 - r.progress) * 10) / 10);
}
