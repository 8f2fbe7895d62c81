import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { engineOptions, prepare } from '../jobs/engine-binding';
import { AssessmentsService } from '../assessments/assessments.service';
import { ResultsService } from '../results/results.service';
import { DomainError, invalid } from '../common/errors/domain-error';
import type { CounterfactualResult, Variant } from '../engine/counterfactual';
import { kindIndex } from '../engine/graph';
import { TOTALS_WIDTH } from '../engine/partial';
import type { CounterfactualMessage, CounterfactualTask } from './counterfactual.worker';
import type { CounterfactualQueryDto } from './dto/decisions-query.dto';

const HOUR = 3_600_000;
const NORM_BIT = { '13(f)': 1, '13(k)': 2 } as const;
/** Finished counterfactuals kept for polling and repeated reads (oldest dropped first). */
const KEEP = 64;

type Body = Record<string, unknown>;

interface Job {
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  createdAt: number;
  body?: Body;
  error?: unknown;
  settled: Promise<void>;
}

export type CounterfactualAnswer = { status: 'done'; body: Body } | { status: 'queued' | 'running'; progress: number };

/**
 * Counterfactual variants of an assessment (src/engine/counterfactual.ts): the assessment's runs
 * recomputed by its own engine on the scenario it ran on, then pruned for the variant. Computed
 * as a job in a worker thread, one at a time (each takes about what the assessment took), so
 * the request thread stays free; readers poll. Aggregates only (ranges over runs), the same for
 * every reader.
 */
@Injectable()
export class CounterfactualsService implements OnModuleDestroy {
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly workers = new Set<Worker>();
  /** How long a request waits for a quick result before answering 202 (tests set 0). */
  waitMs = 1500;

  async onModuleDestroy() {
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }

  /** The counterfactual's result, or its state while it is computed (started on first ask). */
  async request(id: string, q: CounterfactualQueryDto): Promise<CounterfactualAnswer> {
    // the assessment must exist and be done (404 / 409 now, not in the job)
    const row = await this.assessments.get(id);
    await this.results.part(row, 'summary');
    const key = `${id}|${row.finishedAt ? new Date(row.finishedAt).toISOString() : ''}|${JSON.stringify(q, Object.keys(q).sort())}`;
    let job = this.jobs.get(key);
    if (job?.status === 'failed') {
      this.jobs.delete(key);
      throw job.error;
    }
    if (!job) {
      const fresh: Job = { status: 'queued', progress: 0, createdAt: Date.now(), settled: Promise.resolve() };
      const run = this.queue.then(() => this.compute(id, q, fresh));
      this.queue = run.catch(() => undefined);
      fresh.settled = run.then(
        (body) => {
          fresh.body = body;
          fresh.status = 'done';
          fresh.progress = 1;
        },
        (err) => {
          fresh.error = err;
          fresh.status = 'failed';
        },
      );
      this.remember(key, (job = fresh));
    }
    if (job.status !== 'done' && this.waitMs > 0) await Promise.race([job.settled, new Promise((r) => setTimeout(r, this.waitMs))]);
    if (job.status === 'failed') {
      this.jobs.delete(key);
      throw job.error;
    }
    if (job.status === 'done') return { status: 'done', body: job.body! };
    return { status: job.status, progress: job.progress };
  }

  private remember(key: string, job: Job) {
    if (this.jobs.size >= KEEP) {
      for (const [k, j] of this.jobs)
        if (j.status === 'done' || j.status === 'failed') {
          this.jobs.delete(k);
          break;
        }
    }
    this.jobs.set(key, job);
  }

  constructor(
    private readonly assessments: AssessmentsService,
    private readonly results: ResultsService,
  ) {}

  private async compute(id: string, q: CounterfactualQueryDto, job: Job): Promise<Body> {
    job.status = 'running';
    const started = Date.now();
    const row = await this.assessments.get(id);
    const table = await this.results.part(row, 'runs');
    // the evidence as the job read it: reports filed since it started are left out (a graph
    // change is caught by the run-by-run check below)
    const snapshot = await this.assessments.snapshot(row.input);
    const startedAt = row.startedAt ? new Date(row.startedAt).getTime() : Infinity;
    const model = prepare({ ...snapshot, reports: snapshot.reports.filter((r) => !r.filedAt || Date.parse(r.filedAt) <= startedAt) }, row.input);
    const { core, meta } = model;
    const origin = Date.parse(meta.originIso);
    const hours = (iso: string) => (Date.parse(iso) - origin) / HOUR;
    const sectorIndex = (s: string) => meta.sectors.indexOf(s);
    const x: Variant = {};
    if (q.honour?.length) x.honourNormMask = q.honour.reduce((m, n) => m | NORM_BIT[n], 0);
    if (q.spareSectors?.length) x.sparedSectors = q.spareSectors.map(sectorIndex).filter((i) => i >= 0);
    if (q.killSwitchAt) x.killSwitchHours = hours(q.killSwitchAt);
    if (q.containWithinHours !== undefined) x.containWithinHours = q.containWithinHours;
    if (q.cut?.length) x.cutKinds = q.cut.map(kindIndex);
    if (q.patchedBy && (q.patch?.length || q.patchSectors?.length)) {
      const byHours = hours(q.patchedBy);
      const index = new Map(meta.ids.map((e, i) => [e, i]));
      const unknown = (q.patch ?? []).filter((e) => !index.has(e));
      if (unknown.length) throw invalid(`unknown entities: ${unknown.slice(0, 5).join(', ')}`, [{ field: 'patch', rule: 'exists', message: `no entity with id ${unknown.slice(0, 5).map((e) => `'${e}'`).join(', ')}` }]);
      const sectors = new Set((q.patchSectors ?? []).map(sectorIndex));
      const nodes = new Set((q.patch ?? []).map((e) => index.get(e)!));
      for (let v = 0; v < core.n; v++) if (sectors.has(core.sector[v])) nodes.add(v);
      x.patched = [...nodes].map((node) => ({ node, byHours }));
    }
    const col = (name: string) => table.columns.indexOf(name);
    const first = col('total.entitiesInfected');
    const rows = [...table.rows].sort((a, b) => a[col('run')] - b[col('run')]).slice(0, q.maxRuns);
    const stored = new Float64Array(rows.length * TOTALS_WIDTH);
    rows.forEach((r, i) => stored.set(r.slice(first, first + TOTALS_WIDTH), i * TOTALS_WIDTH));
    const input = row.input;
    // the assessment's engine options, as the job that ran it built them, in one thread
    const options = engineOptions(input, { threads: 0 });
    const task: CounterfactualTask = {
      model,
      options,
      runs: rows.map((r) => r[col('run')]),
      weights: rows.map((r) => r[col('weight')]),
      variant: x,
      level: input.confidenceLevel,
      stored,
    };
    const cf = await this.offThread(task, (f) => (job.progress = f));
    return {
      assessmentId: id,
      variant: { ...q, maxRuns: undefined },
      runs: cf.runs,
      level: input.confidenceLevel,
      avoided: cf.avoided,
      baseline: cf.baselineRanges,
      counterfactual: cf.variantRanges,
      computeSeconds: Math.round((Date.now() - started) / 100) / 10,
      method:
        "each of the assessment's runs recomputed by the assessment's engine on the scenario it ran on (checked run by run against the stored runs: the baseline is the headline), then the variant removes from that run's chain of infections what it forbids and everything infected through it; avoided = paired per-run difference. A removed entity's victims are not re-reached by another route (avoided damage is an upper bound there); disruption of uninfected entities is kept as assessed",
    };
  }

  private offThread(task: CounterfactualTask, onProgress: (f: number) => void): Promise<CounterfactualResult> {
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `counterfactual.worker${ext === '.ts' ? '.ts' : '.js'}`), {
      execArgv: ext === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
    });
    this.workers.add(worker);
    return new Promise<CounterfactualResult>((resolve, reject) => {
      const end = () => {
        this.workers.delete(worker);
        void worker.terminate();
      };
      worker.on('message', (m: CounterfactualMessage) => {
        if (m.type === 'progress') return onProgress(m.fraction);
        end();
        if (m.type === 'done') resolve(m.result);
        else if (m.type === 'mismatch')
          reject(
            new DomainError('CONFLICT', `the graph or the evidence changed since the assessment ran (run ${m.run} comes out differently): run the assessment again to compare variants with it`, [
              { field: 'id', rule: 'sameInputs', message: 'the counterfactual recomputes the assessment\'s runs from its inputs, which have changed' },
            ]),
          );
        else reject(new Error(m.message));
      });
      worker.once('error', (err) => {
        end();
        reject(err);
      });
      worker.once('exit', (code) => {
        if (this.workers.has(worker)) {
          this.workers.delete(worker);
          reject(new Error(`counterfactual worker exited with code ${code}`));
        }
      });
      worker.postMessage(task);
    });
  }
}
