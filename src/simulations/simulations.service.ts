import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { invalid } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { buildGraph, type Graph } from '../engine/graph';
import type { SimulationJobInput } from '../jobs/job-input';
import { JobContext, JobSchedulerService } from '../jobs/job-scheduler.service';
import type { JobOf } from '../jobs/job.entity';
import { JobsService, JobView } from '../jobs/jobs.service';
import { readGraph } from '../graph/stored-graph';
import { ModelsService } from '../models/models.service';
import type { SimulationParts } from '../results/result-parts';
import { ResultsService } from '../results/results.service';
import type { SimulationResult } from '../results/simulation-result';
import { buildPostedGraph, IN_THREAD_BUDGET, parseSimulationRequest, PostedGraph, StoredGraph, SYNC_BUDGET } from './simulation-input';
import { runSimulation } from './simulation-run';

/** Result part holding a posted graph until its job has run (the scheduler replaces parts on finish). */
const REQUEST_PART = 'request';

/** What a simulation says of itself in its job view: it rests on no reports, so it is never stale. */
const WITHOUT_EVIDENCE = { stale: false, inputs: { reportsUsed: 0 }, after: {} };

/** A simulation job as the API shows it. */
export type SimulationView = JobView<{ reportsUsed: number }>;

interface Prepared {
  graph: Graph;
  edges: number;
  directed: boolean;
  seedIndex: number[];
  nodeIds: string[];
}

/**
 * POST /v1/simulations: a model run on a posted edge list or on the stored dependency graph.
 * Small requests (edges x runs <= SYNC_BUDGET) are answered at once (200); larger ones, or
 * `mode: "job"`, become a job row of kind `simulation` run by the same scheduler as
 * assessments (progress, cancel, restart-safe); a posted graph is kept beside the row until
 * the job has run.
 */
@Injectable()
export class SimulationsService implements OnModuleInit {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly scheduler: JobSchedulerService,
    private readonly models: ModelsService,
    private readonly jobs: JobsService,
    private readonly results: ResultsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register('simulation', (job, ctx) => this.runJob(job, ctx));
  }

  async create(body: unknown, actor: Principal): Promise<{ status: 200; body: SimulationResult } | { status: 202; body: SimulationView }> {
    const req = parseSimulationRequest(body);
    const model = this.models.validate(req.model, req.params, 'simulation');
    const seed = req.seed ?? randomInt(0, 2 ** 32 - 1);
    const prepared = await this.prepare(req.graph, req.posted, req.seeds);
    const work = prepared.edges * req.runs;
    const input: SimulationJobInput = {
      kind: 'simulation',
      asOf: new Date().toISOString(),
      horizonHours: 0,
      model: model.id,
      runs: req.runs,
      seed,
      confidenceLevel: req.confidenceLevel,
      calibrate: false,
      params: req.params,
      graph: req.graph,
      seeds: req.seeds,
      includeRuns: req.includeRuns,
      times: req.times,
      fullData: req.fullData,
    };
    if (req.mode === 'auto' && work <= SYNC_BUDGET) {
      return { status: 200, body: await this.execute(prepared, input, { threads: work <= IN_THREAD_BUDGET ? 0 : this.threads() }) };
    }
    const id = randomUUID();
    const row = await this.db.write(async (m) => {
      let parts = {};
      if (req.posted) {
        const { nodes, edges, directed } = req.posted;
        const stored: StoredGraph = { nodes, edges, directed };
        parts = { [REQUEST_PART]: JSON.stringify(stored) };
      }
      const saved = await this.jobs.createWithin(m, { id, input, actor, runner: 'in-process' }, parts);
      await this.audit.record(m, actor, 'create', 'simulation', id, { model: input.model, runs: input.runs, seed, graph: req.graph, edges: prepared.edges });
      return saved;
    });
    this.scheduler.poke();
    return { status: 202, body: this.jobs.view(row, WITHOUT_EVIDENCE) };
  }

  /** Status and, when done, the result. */
  async get(id: string): Promise<SimulationView> {
    const row = await this.jobs.get(id, 'simulation');
    const view = this.jobs.view(row, WITHOUT_EVIDENCE);
    if (row.status !== 'done') return view;
    return { ...view, result: await this.results.part(row, 'summary') };
  }

  async cancel(id: string, actor: Principal): Promise<SimulationView> {
    const row = await this.jobs.cancel(id, actor, 'simulation');
    await this.jobs.deletePart(id, REQUEST_PART);
    return this.jobs.view(row, WITHOUT_EVIDENCE);
  }

  private threads(): number {
    return this.config.workerThreads ?? availableParallelism();
  }

  /** The graph and the seeds' node indices; 400 naming the seed that is not a node. */
  private async prepare(kind: 'stored' | 'posted', posted: PostedGraph | undefined, seeds: string[]): Promise<Prepared> {
    let graph: Graph;
    let index: Map<string, number>;
    let ids: string[];
    let edges: number;
    let directed: boolean;
    if (kind === 'posted') {
      ({ graph, index, ids } = buildPostedGraph(posted!));
      edges = posted!.edges.length;
      directed = posted!.directed;
    } else {
      const { entities, dependencies } = await this.db.read((m) => readGraph(m));
      ({ graph, index, ids } = buildGraph(entities, dependencies));
      edges = dependencies.length;
      directed = true;
    }
    const missing = seeds.map((s, i) => ({ s, i })).filter(({ s }) => !index.has(s));
    if (missing.length) {
      throw invalid(`unknown seed node(s): ${missing.slice(0, 5).map((x) => x.s).join(', ')}`, missing.slice(0, 50).map(({ s, i }) => ({
        field: `seeds[${i}]`,
        rule: 'knownNode',
        message: kind === 'stored' ? `seed '${s}' is not a stored entity` : `seed '${s}' is not a node of the posted graph`,
      })));
    }
    return { graph, edges, directed, seedIndex: seeds.map((s) => index.get(s)!), nodeIds: ids };
  }

  private execute(p: Prepared, input: SimulationJobInput, opts: { threads: number; onProgress?: (f: number) => void; signal?: AbortSignal }): Promise<SimulationResult> {
    return runSimulation(
      p.graph,
      { graph: input.graph, edges: p.edges, directed: p.directed, seedIds: input.seeds, nodeIds: p.nodeIds, level: input.confidenceLevel, includeRuns: input.includeRuns },
      { model: input.model, params: input.params, seeds: p.seedIndex, runs: input.runs, seed: input.seed, times: input.times, fullData: input.fullData },
      opts,
    );
  }

  /** The job handler: rebuilds the graph (posted: from the stored request; stored: as it is now) and runs. */
  private async runJob(job: JobOf<'simulation'>, ctx: JobContext): Promise<SimulationParts> {
    let posted: PostedGraph | undefined;
    if (job.input.graph !== 'stored') {
      const body = await this.jobs.part(job.id, REQUEST_PART);
      if (body === null) throw new Error('the posted graph of this simulation is missing');
      posted = { ...(JSON.parse(body) as StoredGraph), prefix: '' };
    }
    const prepared = await this.prepare(job.input.graph, posted, job.input.seeds);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const result = await this.execute(prepared, job.input, { threads: this.threads(), onProgress: (f) => ctx.progress(f), signal: ctx.signal });
    return { summary: result };
  }
}
