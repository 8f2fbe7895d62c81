import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { DomainError, foundOrFail, unprocessable } from '../common/errors/domain-error';
import { CursorCodec, Page } from '../common/http/pagination';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { AssessmentJobInput } from '../jobs/job-input';
import { JobContext, JobSchedulerService } from '../jobs/job-scheduler.service';
import { JobsService, JobView } from '../jobs/jobs.service';
import { MonteCarloRunner, MONTE_CARLO_RUNNER } from '../jobs/monte-carlo-runner';
import { ModelsService } from '../models/models.service';
import type { Weapon } from '../weapons/weapon.entity';
import { WeaponsService } from '../weapons/weapons.service';
import { EntitiesService } from '../graph/entities.service';
import { ReportsService } from '../reports/reports.service';
import type { CreateAssessmentDto } from './dto/create-assessment.dto';
import type { ListAssessmentsQueryDto } from './dto/assessment-query.dto';
import { EvidenceSource } from './evidence-source';
import { evidenceChanges } from '../reports/evidence-changes';
import { evidenceFacts, headlineOf, latestFor, reportsUsedFor } from './evidence-summary';
import { anyVisible, Audience, audienceKey, countAudiences, visibleCount } from '../tlp/policy';
import { ReportsEvents, type EvidenceChange } from '../reports/reports.events';
import { buildResultParts } from './build-parts';
import type { AssessmentParts } from '../results/result-parts';
import type { EngineOutput } from '../results/result-types';
import { readGraph } from '../graph/stored-graph';
import { ServiceStability } from '../graph/service-stability';
import { weaponRecord } from './scenario-snapshot';
import { ScenarioSnapshot } from '../domain/records';
import { AssessmentEvidence, Headline } from './assessment-evidence.entity';
import { Assessment, AssessmentJob, assessmentOf, assessmentsOf, joinEvidence } from './assessment-rows';

const ASSESSMENTS_CURSOR = new CursorCodec('assessments', ['timestamp', 'id'] as const);

/** What an assessment adds to its inputs in its view: the reports used and the newest one, as the reader may see them. */
interface EvidenceShown {
  reportsUsed: number | null;
  latestReportAt?: string | null;
  latestReportFiledAt?: string | null;
}

/** An assessment as the API shows it: the job, the evidence facts the reader may see, the headline once done. */
export type AssessmentView = JobView<EvidenceShown, { headline: Headline | null }>;

@Injectable()
export class AssessmentsService implements OnModuleInit {
  private readonly logger = new Logger('Assessments');

  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly scheduler: JobSchedulerService,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly evidence: EvidenceSource,
    private readonly reportsEvents: ReportsEvents,
    private readonly stability: ServiceStability,
    private readonly weapons: WeaponsService,
    private readonly entities: EntitiesService,
    private readonly reports: ReportsService,
    @Inject(MONTE_CARLO_RUNNER) private readonly runner: MonteCarloRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register('assessment', (job, ctx) => this.run(job, ctx), {
      onDone: async (m, jobId, parts) => {
        await m.update(AssessmentEvidence, { jobId }, { headline: headlineOf(parts.summary) });
      },
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
    const input: AssessmentJobInput = {
      kind: 'assessment',
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
    const reports = await this.db.read(async (m) => {
      const { reports } = await this.evidenceWithin(m, input);
      // Restricted reports count in the estimate, but whether an assessment can start must not
      // depend on them: else bisecting asOf would find a hidden report's time.
      if (visibleCount(countAudiences(reports), actor) === 0) throw nothingReported(input);
      // An unstable service-dependency matrix is refused here with 422 rather than failing the
      // job; the rest of the graph is read by the job alone (at 1M entities it takes minutes).
      await this.stability.checkWithin(m);
      return reports;
    });
    await this.runner.accepting();

    const row = await this.db.write(async (m) => {
      const saved = await this.jobs.createWithin(m, { id, input, actor, runner: this.runner.kind });
      const evidence: AssessmentEvidence = { jobId: id, ...evidenceFacts(reports), stale: false, staleFor: null, headline: null };
      await m.insert(AssessmentEvidence, evidence);
      await this.audit.record(m, actor, 'create', 'assessment', id, { weaponId: input.weaponId, runs: input.runs, model: input.model, seed: input.seed });
      return assessmentOf(Object.assign(saved, { evidence }));
    });
    this.scheduler.poke();
    return this.view(row, actor);
  }

  /** The weapon, the graph and the evidence as of the assessment time. */
  snapshot(input: AssessmentJobInput): Promise<ScenarioSnapshot> {
    return this.db.read((m) => this.snapshotWithin(m, input));
  }

  /** The weapon and its evidence as of the assessment time: 404 without the weapon, 422 without a report. */
  private async evidenceWithin(m: EntityManager, input: AssessmentJobInput) {
    const weapon = foundOrFail((await this.weapons.findManyWithin(m, [input.weaponId]))[0], 'weapon', input.weaponId, 'weaponId');
    const reports = await this.evidence.evidenceWithin(m, input.weaponId, input.asOf);
    if (reports.length === 0) throw nothingReported(input);
    return { weapon, reports };
  }

  private async snapshotWithin(m: EntityManager, input: AssessmentJobInput): Promise<ScenarioSnapshot> {
    return snapshotOf(input, await this.evidenceWithin(m, input), await readGraph(m));
  }

  /** The job handler: reads the inputs again (the graph may have grown), runs, and returns the parts to store. */
  private async run(job: AssessmentJob, ctx: JobContext): Promise<AssessmentParts> {
    // The evidence this run rests on (reports may have arrived since POST), read and marked fresh
    // in one transaction holding the job's evidence row: a report committed meanwhile marks it
    // stale after, never before, the reset (markStaleWithin's update of that row waits for the
    // lock). The lock is on the evidence row, the one both write, not on the job row: the job
    // row's progress and heartbeat writes need not wait for the read. SQLite has one writer.
    const read = Date.now();
    const evidence = await this.db.write(async (m) => {
      const lock = m.getRepository(AssessmentEvidence).createQueryBuilder('e').select('e.jobId').where('e.jobId = :id', { id: job.id });
      if (!this.db.serialised) lock.setLock('pessimistic_write');
      await lock.getOne();
      const evidence = await this.evidenceWithin(m, job.input);
      await m.createQueryBuilder().update(AssessmentEvidence)
        .set({ ...evidenceFacts(evidence.reports), stale: false, staleFor: null })
        .where('jobId = :id', { id: job.id })
        .execute();
      return evidence;
    });
    // The graph after that transaction, not inside it: at a million entities the read takes
    // minutes, and every report filed for the weapon meanwhile would wait on the evidence row's
    // lock (its staleness mark) for as long.
    const snapshot = snapshotOf(job.input, evidence, await this.db.read((m) => readGraph(m)));
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const ran = Date.now();
    const output = await this.runner.run(job.id, snapshot, job.input, ctx);
    const built = Date.now();
    const parts = buildResultParts(snapshot, job.input, output as EngineOutput);
    this.logger.log({ msg: 'job steps', id: job.id, snapshotSeconds: (ran - read) / 1000, runSeconds: (built - ran) / 1000, partsSeconds: (Date.now() - built) / 1000 });
    return parts;
  }

  async list(query: ListAssessmentsQueryDto, reader: Principal): Promise<Page<AssessmentView>> {
    const after = query.cursor ? ASSESSMENTS_CURSOR.decode(query.cursor) : undefined;
    const filter = { kind: 'assessment' as const, weaponIds: query.weaponId ? [query.weaponId] : undefined, statuses: query.status ? [query.status] : undefined };
    const order = { by: 'createdAt' as const, direction: 'DESC' as const, after: after && { at: after[0], id: after[1] } };
    const rows = await this.db.read((m) => this.jobs.findWithin(m, filter, { order, limit: query.limit + 1, join: joinEvidence }));
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: assessmentsOf(items).map((r) => this.view(r, reader)),
      nextCursor: more ? ASSESSMENTS_CURSOR.encode(new Date(last.createdAt), last.id) : null,
    };
  }

  /** The job row (what the result routes need). */
  get(id: string): Promise<AssessmentJob> {
    return this.jobs.get(id, 'assessment');
  }

  /** The job row with its evidence row, in one query. */
  async getWithEvidence(id: string): Promise<Assessment> {
    const [row] = await this.db.read((m) => this.jobs.findWithin(m, { kind: 'assessment', ids: [id] }, { join: joinEvidence }));
    return assessmentOf(foundOrFail(row, 'assessment', id));
  }

  /** The assessment and how `reader` sees it. */
  async status(id: string, reader: Principal): Promise<{ row: Assessment; view: AssessmentView }> {
    const row = await this.getWithEvidence(id);
    return { row, view: this.view(row, reader) };
  }

  async cancel(id: string, actor: Principal): Promise<AssessmentView> {
    const row = await this.jobs.cancel(id, actor, 'assessment');
    const evidence = await this.db.read((m) => m.findOneBy(AssessmentEvidence, { jobId: id }));
    return this.view(assessmentOf(Object.assign(row, { evidence })), actor);
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
    const rows = assessmentsOf(await this.jobs.findWithin(m, { kind: 'assessment', weaponIds: [...changes.keys()], statuses: ['queued', 'running', 'done'] }, {
      join: (qb, a) => joinEvidence(qb, a).select([`${a}.id`, `${a}.kind`, `${a}.weaponId`, `${a}.input`, 'e.jobId', 'e.stale', 'e.staleFor']),
    }));
    for (const job of rows) {
      const asOf = Date.parse(job.input.asOf);
      const causes = (job.weaponId === null ? [] : changes.get(job.weaponId) ?? []).filter((c) => c.at <= asOf);
      if (!causes.length) continue;
      // An assessment stale before causes were kept stays stale for every reader (staleFor null).
      const before = job.evidence.stale && !job.evidence.staleFor ? null : job.evidence.staleFor ?? [];
      if (before === null) continue;
      const known = new Set(before.map(audienceKey));
      const added = causes.filter((c) => !known.has(audienceKey(c)) && known.add(audienceKey(c)));
      if (!added.length && job.evidence.stale) continue;
      const staleFor: Audience[] = [...before, ...added.map(({ tlp, organizationId }) => ({ tlp, organizationId }))];
      // The job row's updatedAt moves as when the flag was on it (the webhooks find newly stale
      // results by it); the job row first, then the evidence row, as `done` writes them.
      await this.jobs.touchWithin(m, job.id);
      await m.createQueryBuilder().update(AssessmentEvidence).set({ stale: true, staleFor }).where('jobId = :id', { id: job.id }).execute();
    }
  }

  /**
   * The finished assessments whose row changed at or after `since` (finished, or marked stale:
   * markStaleWithin moves `updatedAt`), oldest change first: what the webhooks scan.
   */
  async doneSince(since: Date): Promise<Assessment[]> {
    const rows = await this.db.read((m) => this.jobs.findWithin(m, { kind: 'assessment', statuses: ['done'], updatedSince: since }, { order: { by: 'updatedAt', direction: 'ASC' }, join: joinEvidence }));
    return assessmentsOf(rows);
  }

  /**
   * The entities of a member organisation, as far as the service can tell: the API-key
   * organisations are not linked to the dependency graph, so an organisation's entities are the
   * ones its own reports name (any weapon, any version: it reports on its own sites and
   * constituency), each with its whole organisation in the graph (its top-level ancestor and every
   * entity below that). Read on each call: a report filed a moment ago counts.
   */
  organisationEntities(organizationId: string): Promise<Set<string>> {
    return this.db.read(async (m) => this.entities.wholeOrganisationsWithin(m, await this.reports.entityIdsFiledByWithin(m, organizationId)));
  }

  /**
   * The newest finished assessment of a weapon (latest asOf, then latest started), or null:
   * what a reader who may not list assessments (a responder) is answered from.
   */
  async newestDone(weaponId: string): Promise<Assessment | null> {
    const rows = await this.db.read(async (m) => {
      foundOrFail((await this.weapons.findManyWithin(m, [weaponId]))[0], 'weapon', weaponId, 'weaponId');
      return this.jobs.findWithin(m, { kind: 'assessment', weaponIds: [weaponId], statuses: ['done'] }, { order: { by: 'createdAt', direction: 'DESC' }, limit: 1000, join: joinEvidence });
    });
    // newest asOf first; the sort is stable, so the newest started among equal asOf
    return assessmentsOf(rows).sort((a, b) => (a.input.asOf < b.input.asOf ? 1 : a.input.asOf > b.input.asOf ? -1 : 0))[0] ?? null;
  }

  /** The assessment as `reader` sees it (the newest report used is the newest one the reader may see). */
  view(row: Assessment, reader?: Principal): AssessmentView {
    const e = row.evidence;
    return this.jobs.view(row, {
      stale: e.stale && (!reader || !e.staleFor || anyVisible(e.staleFor, reader)),
      inputs: reader ? { reportsUsed: reportsUsedFor(e.latestReports, e.reportsUsed, reader), ...latestFor(e.latestReports, reader) } : { reportsUsed: e.reportsUsed },
      after: { headline: row.status === 'done' ? e.headline ?? null : null },
    });
  }
}

function nothingReported(input: AssessmentJobInput): DomainError {
  return unprocessable(`nothing has been reported for weapon '${input.weaponId}' up to ${input.asOf}: an assessment propagates reported infections, so file at least one spread report first`, [
    { field: 'weaponId', rule: 'hasReports', message: `no spread report of '${input.weaponId}' that you may see observed at or before ${input.asOf}` },
  ]);
}

/** What a run needs: the weapon, the evidence and the graph as of the assessment time. */
function snapshotOf(input: AssessmentJobInput, evidence: { weapon: Weapon; reports: ScenarioSnapshot['reports'] }, graph: Awaited<ReturnType<typeof readGraph>>): ScenarioSnapshot {
  return { ...graph, weapon: weaponRecord(evidence.weapon), reports: evidence.reports, asOf: input.asOf, horizonHours: input.horizonHours };
}
