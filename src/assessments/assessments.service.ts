import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { conflict, DomainError, foundOrFail, unprocessable } from '../common/errors/domain-error';
import { CursorCodec, Page } from '../common/http/pagination';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { JobContext, JobSchedulerService } from '../jobs/job-scheduler.service';
import { FINISHED } from '../jobs/job-status';
import { MonteCarloRunner, MONTE_CARLO_RUNNER } from '../jobs/monte-carlo-runner';
import { ModelsService } from '../models/models.service';
import { Weapon } from '../weapons/weapon.entity';
import { Assessment, AssessmentInput, AssessmentResultPart } from '../jobs/job.entity';
import type { CreateAssessmentDto } from './dto/create-assessment.dto';
import type { ListAssessmentsQueryDto } from './dto/assessment-query.dto';
import { EvidenceSource } from './evidence-source';
import { evidenceChanges } from '../reports/evidence-changes';
import { Headline } from '../jobs/job.entity';
import { headlineOf, latestFor, latestReports, reportsUsedFor } from './evidence-summary';
import { anyVisible, Audience, audienceKey, countAudiences, sharedLevels, visibleCount } from '../tlp/policy';
import { ReportsEvents, type EvidenceChange } from '../reports/reports.events';
import { buildResultParts, EntityRow, ResultParts } from './result-parts';
import { organisationEntities } from './organisation-entities';
import { hiddenFor, suppressionFor, SuppressionGroup } from './views';
import type { EngineOutput, Summary } from './result-types';
import { evidenceMark, readGraph, weaponRecord } from './scenario-snapshot';
import { ScenarioSnapshot } from '../domain/records';

const ASSESSMENTS_CURSOR = new CursorCodec('assessments', ['timestamp', 'id'] as const);

/** The job as the API shows it. */
export interface AssessmentView {
  id: string;
  kind: 'assessment' | 'simulation';
  status: Assessment['status'];
  progress: number;
  etaSeconds: number | null;
  stale: boolean;
  weaponId: string | null;
  /**
   * The request with defaults and seed, `reportsUsed` (the reports used that the reader may
   * see), and (assessments) the observation time and filing time of the newest report used
   * that the reader may see (null when none).
   */
  inputs: AssessmentInput & { reportsUsed: number | null; latestReportAt?: string | null; latestReportFiledAt?: string | null };
  /** Assessments: headline figures once done (stored at finish), else null. */
  headline?: Headline | null;
  runner: string;
  attempts: number;
  error: Assessment['error'];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result?: unknown;
}

/** Parsed result parts kept in memory (least recently used out first). */
const MAX_CACHED_PARTS = 64;

@Injectable()
export class AssessmentsService implements OnModuleInit {
  private readonly logger = new Logger('Assessments');
  /**
   * A finished job's parts never change, so readers share one parsed copy (views never modify
   * it), and what is derived from them per audience: a hot assessment costs one primary-key
   * read per request, not a parse of its parts.
   */
  private readonly parts = new Map<string, unknown>();

  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly scheduler: JobSchedulerService,
    private readonly models: ModelsService,
    private readonly evidence: EvidenceSource,
    private readonly reportsEvents: ReportsEvents,
    @Inject(MONTE_CARLO_RUNNER) private readonly runner: MonteCarloRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register('assessment', (job, ctx) => this.run(job, ctx), {
      onDone: (parts) => ({ headline: headlineOf(parts.summary as Summary) }),
    });
    // Inside the transaction that writes the reports: the flag is right as soon as they commit.
    this.reportsEvents.onEvidenceChanged((m, change) => this.markStaleWithin(m, change));
  }

  /**
   * Checks everything that can be checked before any run (weapon, evidence, model and its
   * parameters, stability of the dependency matrix), then queues the job. A refused request
   * leaves no job behind. `id` is new unless given (the demo assessment's is fixed).
   */
  async create(dto: CreateAssessmentDto, actor: Principal, id: string = randomUUID()): Promise<AssessmentView> {
    const model = this.models.validate(dto.model, dto.params);
    const asOf = dto.asOf ? new Date(dto.asOf).toISOString() : new Date().toISOString();
    const input: AssessmentInput = {
      weaponId: dto.weaponId,
      asOf,
      horizonHours: dto.horizonHours,
      model: model.id,
      runs: dto.runs,
      seed: dto.seed ?? randomInt(0, 2 ** 32 - 1),
      confidenceLevel: dto.confidenceLevel,
      calibrate: dto.calibrate,
      ...(dto.params ? { params: dto.params } : {}),
    };
    const snapshot = await this.snapshot(input);
    // Restricted reports count in the estimate, but whether an assessment can start must not
    // depend on them: else bisecting asOf would find a hidden report's time.
    if (visibleCount(countAudiences(snapshot.reports), actor) === 0) throw nothingReported(input);
    // Prepares the scenario once without running it: an unstable matrix, a model that cannot
    // take this weapon or graph, ... are refused here with 422 rather than failing later.
    await this.runner.check(snapshot, input);

    const row = await this.db.write(async (m) => {
      const saved = await m.save(Assessment, {
        id,
        kind: 'assessment' as const,
        weaponId: input.weaponId!,
        status: 'queued' as const,
        progress: 0,
        etaSeconds: null,
        input,
        reportsUsed: snapshot.reports.length,
        evidenceMark: evidenceMark(snapshot.reports),
        latestReports: latestReports(snapshot.reports),
        headline: null,
        stale: false,
        error: null,
        organizationId: actor.organizationId,
        createdBy: actor.keyId,
        runner: this.runner.kind,
        attempts: 0,
        ownerId: null,
        heartbeatAt: null,
        startedAt: null,
        finishedAt: null,
      });
      await this.audit.record(m, actor, 'create', 'assessment', id, { weaponId: input.weaponId, runs: input.runs, model: input.model, seed: input.seed });
      return saved;
    });
    this.scheduler.poke();
    return this.view(row, actor);
  }

  /** The weapon, the graph and the evidence as of the assessment time. */
  snapshot(input: AssessmentInput): Promise<ScenarioSnapshot> {
    return this.db.read((m) => this.snapshotWithin(m, input));
  }

  private async snapshotWithin(m: EntityManager, input: AssessmentInput): Promise<ScenarioSnapshot> {
    const weapon = foundOrFail(await m.findOneBy(Weapon, { id: input.weaponId! }), 'weapon', input.weaponId!, 'weaponId');
    const reports = await this.evidence.evidenceWithin(m, input.weaponId!, input.asOf);
    if (reports.length === 0) throw nothingReported(input);
    const graph = await readGraph(m);
    return { ...graph, weapon: weaponRecord(weapon), reports, asOf: input.asOf, horizonHours: input.horizonHours };
  }

  /** The job handler: reads the inputs again (the graph may have grown), runs, and returns the parts to store. */
  private async run(job: Assessment, ctx: JobContext): Promise<Record<string, unknown>> {
    // The evidence this run rests on (reports may have arrived since POST), read and marked fresh
    // in one transaction holding the job's row: a report committed meanwhile marks it stale
    // after, never before, the reset (its hook's update waits for the row).
    const read = Date.now();
    const snapshot = await this.db.write(async (m) => {
      const lock = m.getRepository(Assessment).createQueryBuilder('a').select('a.id').where('a.id = :id', { id: job.id });
      if (!this.db.serialised) lock.setLock('pessimistic_write');
      await lock.getOne();
      const read = await this.snapshotWithin(m, job.input);
      await m.createQueryBuilder().update(Assessment)
        .set({ evidenceMark: evidenceMark(read.reports), reportsUsed: read.reports.length, latestReports: latestReports(read.reports), stale: false, staleFor: null })
        .where('id = :id', { id: job.id })
        .execute();
      return read;
    });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const ran = Date.now();
    const output = await this.runner.run(job.id, snapshot, job.input, ctx);
    const built = Date.now();
    const parts = buildResultParts(snapshot, job.input, output as EngineOutput);
    this.logger.log({ msg: 'job steps', id: job.id, snapshotSeconds: (ran - read) / 1000, runSeconds: (built - ran) / 1000, partsSeconds: (Date.now() - built) / 1000 });
    return parts;
  }

  async list(query: ListAssessmentsQueryDto, reader: Principal): Promise<Page<AssessmentView>> {
    const rows = await this.db.read((m) => {
      const qb = m.getRepository(Assessment).createQueryBuilder('a').where('a.kind = :kind', { kind: 'assessment' })
        .orderBy('a.createdAt', 'DESC').addOrderBy('a.id', 'DESC').take(query.limit + 1);
      if (query.weaponId) qb.andWhere('a.weaponId = :w', { w: query.weaponId });
      if (query.status) qb.andWhere('a.status = :s', { s: query.status });
      if (query.cursor) {
        const [at, id] = ASSESSMENTS_CURSOR.decode(query.cursor);
        qb.andWhere('(a.createdAt < :at OR (a.createdAt = :at AND a.id < :id))', { at, id });
      }
      return qb.getMany();
    });
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => this.view(r, reader)),
      nextCursor: more ? ASSESSMENTS_CURSOR.encode(new Date(last.createdAt), last.id) : null,
    };
  }

  async get(id: string, kind: Assessment['kind'] = 'assessment'): Promise<Assessment> {
    const row = await this.db.read((m) => m.findOneBy(Assessment, { id, kind }));
    return foundOrFail(row, kind, id);
  }

  /** Status, inputs and, when done, the summary as `result`. */
  async status(id: string, kind: Assessment['kind'] = 'assessment', reader?: Principal): Promise<{ row: Assessment; view: AssessmentView }> {
    const row = await this.get(id, kind);
    return { row, view: this.view(row, reader) };
  }

  /** A stored result part, parsed; 409 while the job has not finished. */
  async part<T>(row: Assessment, part: string): Promise<T> {
    if (row.status !== 'done') {
      throw new DomainError('CONFLICT', `${row.kind} ${row.id} is ${row.status}: results exist once it is done`, [
        { field: 'id', rule: 'done', message: `status is ${row.status}` },
      ]);
    }
    const key = `${row.id}/${part}`;
    const cached = this.parts.get(key);
    if (cached !== undefined) {
      this.parts.delete(key);
      this.parts.set(key, cached);
      return cached as T;
    }
    const stored = await this.db.read((m) => m.findOneBy(AssessmentResultPart, { assessmentId: row.id, part }));
    if (!stored) throw new DomainError('NOT_FOUND', `${row.kind} ${row.id} has no ${part}`, [{ field: 'path', rule: 'exists', message: `no ${part} stored` }]);
    const parsed = JSON.parse(stored.body) as T;
    // The raw runs are large and read rarely (CSV export): not kept.
    if (part !== 'runs') this.remember(key, parsed);
    return parsed;
  }

  private remember(key: string, value: unknown): void {
    if (this.parts.size >= MAX_CACHED_PARTS) this.parts.delete(this.parts.keys().next().value!);
    this.parts.set(key, value);
  }

  /**
   * The entities this reader's entity-level views leave out (views.ts suppressionFor): whole
   * suppression groups around the ones resting on reports it may not see. The same for every
   * reader who sees the same TLP levels in the same organisation, so kept per such audience.
   */
  async suppressed(row: Assessment, reader: Principal): Promise<ReadonlyMap<string, SuppressionGroup>> {
    const levels = sharedLevels(reader);
    if (levels === null) return new Map();
    const key = `${row.id}/suppressed/${levels.join(',')}/${reader.organizationId}`;
    const cached = this.parts.get(key) as ReadonlyMap<string, SuppressionGroup> | undefined;
    if (cached) return cached;
    const hidden = hiddenFor(await this.part<ResultParts['restricted']>(row, 'restricted'), reader);
    const groups = hidden.size ? suppressionFor(await this.part<EntityRow[]>(row, 'entities'), hidden) : new Map<string, SuppressionGroup>();
    this.remember(key, groups);
    return groups;
  }

  /** Cancels a queued or running job (the running process sees it at its next heartbeat, at most 500 ms later). */
  async cancel(id: string, actor: Principal, kind: Assessment['kind'] = 'assessment'): Promise<AssessmentView> {
    const row = await this.db.write(async (m) => {
      const current = foundOrFail(await m.findOneBy(Assessment, { id, kind }), kind, id);
      if (actor.role !== 'admin' && current.organizationId !== actor.organizationId) {
        throw new DomainError('FORBIDDEN', `only the organisation that started ${kind} ${id}, or an admin, may cancel it`, [
          { field: 'id', rule: 'ownOrganization', message: `${kind} ${id} was started by another organisation` },
        ]);
      }
      if (FINISHED.includes(current.status)) {
        throw conflict(`${kind} ${id} is already ${current.status}`, [{ field: 'id', rule: 'cancellable', message: `only queued or running jobs can be cancelled; this one is ${current.status}` }]);
      }
      const res = await m.createQueryBuilder().update(Assessment)
        .set({ status: 'cancelled', finishedAt: new Date(), etaSeconds: null })
        .where('id = :id AND status IN (:...live)', { id, live: ['queued', 'running'] })
        .execute();
      if (!res.affected) throw conflict(`${kind} ${id} has just finished`);
      await this.audit.record(m, actor, 'cancel', kind, id);
      return (await m.findOneBy(Assessment, { id }))!;
    });
    this.scheduler.cancelLocal(id);
    return this.view(row, actor);
  }

  /**
   * ReportsEvents hook, in the reports' transaction: assessments of the weapons whose evidence
   * changed at or before their asOf (new reports, or corrections of reports observed by then)
   * become stale, with the audience (TLP, organisation) of each change as its cause, so a reader
   * sees the flag only for changes it may see. Queued and running ones too: a running job read
   * its evidence already; a queued one resets the flag when it reads the evidence at start.
   * Reads answer from this flag alone, whatever the number of reports.
   */
  async markStaleWithin(m: EntityManager, change: EvidenceChange): Promise<void> {
    if (!change.weaponIds.length) return;
    const changes = await evidenceChanges(m, change);
    const rows = await m.getRepository(Assessment).createQueryBuilder('a').select(['a.id', 'a.weaponId', 'a.input', 'a.stale', 'a.staleFor'])
      .where('a.kind = :kind AND a.weaponId IN (:...weapons)', { kind: 'assessment', weapons: [...changes.keys()] })
      .andWhere('a.status IN (:...live)', { live: ['queued', 'running', 'done'] })
      .getMany();
    for (const row of rows) {
      const asOf = Date.parse(row.input.asOf);
      const causes = (changes.get(row.weaponId!) ?? []).filter((c) => c.at <= asOf);
      if (!causes.length) continue;
      // A row stale before causes were kept stays stale for every reader (staleFor null).
      const before = row.stale && !row.staleFor ? null : row.staleFor ?? [];
      if (before === null) continue;
      const known = new Set(before.map(audienceKey));
      const added = causes.filter((c) => !known.has(audienceKey(c)) && known.add(audienceKey(c)));
      if (!added.length && row.stale) continue;
      const staleFor: Audience[] = [...before, ...added.map(({ tlp, organizationId }) => ({ tlp, organizationId }))];
      await m.createQueryBuilder().update(Assessment).set({ stale: true, staleFor }).where('id = :id', { id: row.id }).execute();
    }
  }

  /** The entities of the reader's organisation (organisation-entities.ts). */
  organisationEntities(organizationId: string): Promise<Set<string>> {
    return this.db.read((m) => organisationEntities(m, organizationId));
  }

  /**
   * The newest finished assessment of a weapon (latest asOf, then latest started), or null:
   * what a reader who may not list assessments (a responder) is answered from.
   */
  async newestDone(weaponId: string): Promise<Assessment | null> {
    const rows = await this.db.read(async (m) => {
      foundOrFail(await m.getRepository(Weapon).findOne({ select: { id: true }, where: { id: weaponId } }), 'weapon', weaponId, 'weaponId');
      return m.getRepository(Assessment).createQueryBuilder('a')
        .where('a.kind = :kind AND a.weaponId = :w AND a.status = :s', { kind: 'assessment', w: weaponId, s: 'done' })
        .orderBy('a.createdAt', 'DESC').addOrderBy('a.id', 'DESC').take(1000).getMany();
    });
    // newest asOf first; the sort is stable, so the newest started among equal asOf
    return rows.sort((a, b) => (a.input.asOf < b.input.asOf ? 1 : a.input.asOf > b.input.asOf ? -1 : 0))[0] ?? null;
  }

  /** The job as `reader` sees it (the newest report used is the newest one the reader may see). */
  view(row: Assessment, reader?: Principal): AssessmentView {
    const live = row.status === 'running' ? this.scheduler.liveProgress(row.id) : undefined;
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      progress: live?.progress ?? row.progress,
      etaSeconds: row.status === 'done' ? 0 : live?.etaSeconds ?? row.etaSeconds,
      stale: row.stale && (!reader || !row.staleFor || anyVisible(row.staleFor, reader)),
      weaponId: row.weaponId,
      inputs: {
        ...row.input,
        reportsUsed: reader && row.kind === 'assessment' ? reportsUsedFor(row.latestReports, row.reportsUsed, reader) : row.reportsUsed,
        ...(row.kind === 'assessment' && reader ? latestFor(row.latestReports, reader) : {}),
      },
      ...(row.kind === 'assessment' ? { headline: row.status === 'done' ? row.headline ?? null : null } : {}),
      runner: row.runner,
      attempts: row.attempts,
      error: row.error,
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: row.startedAt ? new Date(row.startedAt).toISOString() : null,
      finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
    };
  }
}

function nothingReported(input: AssessmentInput): DomainError {
  return unprocessable(`nothing has been reported for weapon '${input.weaponId}' up to ${input.asOf}: an assessment propagates reported infections, so file at least one spread report first`, [
    { field: 'weaponId', rule: 'hasReports', message: `no spread report of '${input.weaponId}' that you may see observed at or before ${input.asOf}` },
  ]);
}
