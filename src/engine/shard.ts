/**
 * A shard of an assessment: runs [start, end) in chunks, in this thread or over a worker-thread
 * pool, each chunk's partial aggregate merged into the whole, with progress and cancellation.
 */
import { availableParallelism } from 'node:os';
import { foldInto } from './aggregate';
import type { ScenarioModel } from './model';
import { runRangeOf, settingsOf, type AssessmentOptions, type AssessmentProgress } from './options';
import { countRuns, emptyPartial, trimmedView, trimPartial, type AssessmentPartial } from './partial';
import { pilotProposal } from './pilot';
import { AbortError, newControl, runPool } from './pool';
import { RunEngine } from './runner';
import type { RunSettings } from './settings';

/** Throughput figures of a computation (for benches and logs). */
export interface RunStats {
  seconds: number;
  arcsExamined: number;
  threads: number;
}

/** Runs [start, end) of the assessment. */
interface Chunk {
  start: number;
  end: number;
}

/** Milliseconds between progress calls in this thread. */
const PROGRESS_EVERY_MS = 250;

/**
 * Computes the partial aggregate of runs [start, end) of an assessment (a shard). Partials of
 * disjoint ranges of the same assessment (same model, options and seed) merge with mergePartials,
 * wherever they were computed.
 */
export async function runShard(model: ScenarioModel, runRange: [number, number], options: AssessmentOptions): Promise<{ partial: AssessmentPartial; stats: RunStats }> {
  const settings = settingsOf(options);
  const [start, end] = runRangeOf({ ...options, runRange });
  const progress = new ShardProgress(end - start, options.onProgress);
  if (settings.sampler === 'adaptive' && settings.proposal === undefined) {
    settings.proposal = await pilotProposal(model, { ...options, onPilotProgress: (done, total) => progress.pilot(done, total) });
    progress.pilotFinished();
  }
  const tasks = chunks(start, end, options.chunkSize ?? Math.min(1000, Math.max(1, Math.ceil(options.runs / 32))));
  const threads = Math.min(options.threads ?? availableParallelism(), tasks.length);
  const onRuns = (done: number) => progress.runs(done);
  const { partial, arcs } = threads <= 0 ? runInThread(model, settings, tasks, onRuns, options.signal) : await runOnPool(model, settings, tasks, threads, onRuns, options.signal);
  progress.runs(end - start);
  if (partial === null || countRuns(partial) !== end - start) throw new Error('internal: runs missing from the merged partial');
  // (the merges leave room beyond the runs and rows: a view of them is what the callers encode or move)
  return { partial: trimmedView(partial), stats: { seconds: progress.elapsedSeconds(), arcsExamined: arcs, threads: Math.max(0, threads) } };
}

const runsOf = (tasks: Chunk[]) => tasks.reduce((n, t) => n + t.end - t.start, 0);

/** Chunk boundaries aligned to multiples of `size` in absolute run index (so results do not depend on threads). */
function chunks(start: number, end: number, size: number): Chunk[] {
  const tasks: Chunk[] = [];
  for (let s = start; s < end; ) {
    const e = Math.min(end, (Math.floor(s / size) + 1) * size);
    tasks.push({ start: s, end: e });
    s = e;
  }
  return tasks;
}

/** The chunks' partials merged in order (`runs`: the shard's), and the arcs their spread scanned. */
interface Merged {
  partial: AssessmentPartial | null;
  runs: number;
  arcs: number;
}

function take(m: Merged, p: AssessmentPartial): void {
  m.partial = m.partial === null ? p : foldInto(m.partial, p, m.runs);
}

function runInThread(model: ScenarioModel, settings: RunSettings, tasks: Chunk[], onRuns: (done: number) => void, signal?: AbortSignal): Merged {
  const engine = new RunEngine(model.core, settings);
  const merged: Merged = { partial: null, runs: runsOf(tasks), arcs: 0 };
  let done = 0;
  let last = performance.now();
  for (const t of tasks) {
    if (signal?.aborted) throw new AbortError();
    const p = emptyPartial(model.core, settings, t.end - t.start, engine.paramCount);
    for (let r = t.start; r < t.end; r++) {
      engine.run(r, p);
      done++;
      if (performance.now() - last > PROGRESS_EVERY_MS) {
        last = performance.now();
        onRuns(done);
      }
    }
    take(merged, trimPartial(p));
  }
  merged.arcs = engine.arcsExamined;
  return merged;
}

async function runOnPool(model: ScenarioModel, settings: RunSettings, tasks: Chunk[], threads: number, onRuns: (done: number) => void, signal?: AbortSignal): Promise<Merged> {
  const merged: Merged = { partial: null, runs: runsOf(tasks), arcs: 0 };
  await runPool<{ partial: AssessmentPartial; arcs: number }>({
    threads,
    init: { kind: 'assess', core: model.core, settings },
    tasks,
    control: newControl(),
    signal,
    onResult: (_i, r) => {
      take(merged, r.partial);
      merged.arcs += r.arcs;
    },
    onTick: onRuns,
  });
  return merged;
}

/** A shard's progress: the pilot runs this call makes count towards it (they cost about as much as runs). */
class ShardProgress {
  private readonly t0 = performance.now();
  private pilotDone = 0;
  private pilotTotal = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (p: AssessmentProgress) => void,
  ) {}

  elapsedSeconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  pilot(done: number, total: number): void {
    this.pilotDone = done;
    this.pilotTotal = total;
    this.report('pilot', 0);
  }

  pilotFinished(): void {
    this.pilotTotal = this.pilotDone;
  }

  runs(done: number): void {
    this.report('runs', done);
  }

  private report(phase: AssessmentProgress['phase'], done: number): void {
    if (!this.onProgress) return;
    const el = this.elapsedSeconds();
    const f = (this.pilotDone + done) / (this.pilotTotal + this.total);
    this.onProgress({ runsDone: done, runsTotal: this.total, fraction: f, phase, elapsedSeconds: el, etaSeconds: f > 0 ? (el * (1 - f)) / f : null });
  }
}
