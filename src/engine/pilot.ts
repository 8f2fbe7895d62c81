/**
 * The adaptive sampler's pilot: the proposal the calibrated runs draw their parameters from,
 * fitted to pilot runs (the synthetic-likelihood rounds of thinned `sir` runs, else tempering),
 * cached per model; and slices of pilot rounds for callers that spread them over a queue.
 */
import { availableParallelism } from 'node:os';
import type { ScenarioModel } from './model';
import { settingsOf, type AssessmentOptions } from './options';
import { fingerprintOf } from './partial';
import { AbortError, newControl, runPool } from './pool';
import { Rng, Substream } from './prng';
import { DEFAULT_PILOT, fitProposal, type ParameterProposal, type PilotOptions } from './proposal';
import { RunEngine } from './runner';
import type { RunSettings } from './settings';
import { syntheticPilot } from './synthetic-pilot';
import { temperedParticles } from './tempering';

const pilotCache = new WeakMap<ScenarioModel, Map<string, ParameterProposal | null>>();

/** Pilot runs in this thread report progress every this many runs. */
const TICK_RUNS = 16;
/** Chunks a round is cut into on the thread pool. */
const POOL_CHUNKS = 8;

/**
 * The adaptive sampler's proposal for an assessment. The pilot runs use their own random streams
 * (they are not runs of the assessment), so the proposal depends only on (model, settings, seed,
 * pilot options), not on threads or run ranges; cached per model object. null when not
 * calibrating or nothing can be adapted.
 */
export async function pilotProposal(model: ScenarioModel, options: AssessmentOptions): Promise<ParameterProposal | null> {
  const settings = { ...settingsOf(options), proposal: undefined };
  if (settings.sampler !== 'adaptive') return null;
  const po = pilotOptionsOf(options);
  const key = JSON.stringify([fingerprintOf(model.core, settings), po]);
  let cache = pilotCache.get(model);
  if (!cache) pilotCache.set(model, (cache = new Map()));
  if (cache.has(key)) return cache.get(key)!;
  const proposal = await fitPilot(model, options, settings, po);
  cache.set(key, proposal);
  return proposal;
}

/**
 * Default population: a fifth of the runs, between 40 (or the runs, if fewer) and 400 (depends on
 * the total run count only, which every shard of the assessment shares).
 */
function pilotOptionsOf(options: AssessmentOptions): PilotOptions {
  const scaled = Math.max(Math.min(40, options.runs), Math.min(DEFAULT_PILOT.pilotRuns, Math.round(options.runs / 5)));
  const po: PilotOptions = { ...DEFAULT_PILOT, pilotRuns: scaled, ...(options.pilot ?? {}) };
  if (!(Number.isInteger(po.pilotRuns) && po.pilotRuns >= 0 && Number.isInteger(po.stages) && po.stages >= 1)) throw new Error('pilot: pilotRuns must be a non-negative integer and stages a positive integer');
  if (!(po.defensive > 0 && po.defensive <= 1 && po.widen > 0)) throw new Error('pilot: defensive must lie in (0,1] and widen be positive');
  return po;
}

async function fitPilot(model: ScenarioModel, options: AssessmentOptions, settings: RunSettings, po: PilotOptions): Promise<ParameterProposal | null> {
  const engine = new RunEngine(model.core, settings);
  const { dims, prior } = engine.adaptDims;
  const N = po.pilotRuns;
  if (prior.length === 0 || N < 2) return null;
  const rounds = new PilotRounds(model, options, settings, engine, N);
  const rng = new Rng(settings.seed, 0, Substream.tempering);
  if (engine.summaryCount > 0) {
    const proposal = await syntheticPilot(engine.summaryCount, engine.observedSummaries, dims, prior, N, po, rng, rounds.run);
    options.onPilotProgress?.(rounds.done, rounds.done);
    if (options.signal?.aborted) throw new AbortError();
    return proposal === null ? null : { ...proposal, pilotRuns: rounds.done };
  }
  const { z, stages, temperature } = await temperedParticles(prior, N, po.stages, rng, rounds.run, options.signal);
  options.onPilotProgress?.(rounds.done, rounds.done);
  const fit = fitProposal(prior, dims, z, new Float64Array(N), po);
  if (options.signal?.aborted) throw new AbortError();
  return fit === null ? null : { ...fit, pilotRuns: rounds.done, pilotEss: stages[stages.length - 1].effectiveSampleSize, stages, temperature };
}

/**
 * Evaluates rounds of N pilot runs at the parameters `z` (N x D), runs base..base+N-1 of the
 * pilot streams: N x pilotWidth values (summaries of the synthetic likelihood, or log likelihood
 * estimates); on the caller's pilotRunner, in this thread, or on the thread pool.
 */
class PilotRounds {
  /** Pilot runs done. */
  done = 0;
  private readonly D: number;
  private readonly W: number;

  constructor(
    private readonly model: ScenarioModel,
    private readonly options: AssessmentOptions,
    private readonly settings: RunSettings,
    private readonly engine: RunEngine,
    private readonly N: number,
  ) {
    this.D = engine.adaptDims.prior.length;
    this.W = engine.pilotWidth;
  }

  readonly run = async (z: Float64Array, base: number): Promise<Float64Array> => {
    if (this.options.pilotRunner) return this.onRunner(this.options.pilotRunner, z, base);
    const threads = this.options.threads ?? availableParallelism();
    if (threads > 0) return this.onPool(threads, z, base);
    const out = pilotRuns(this.engine, z, base, this.options.signal, (i) => {
      if (i % TICK_RUNS === TICK_RUNS - 1) this.tick(TICK_RUNS);
    });
    this.tick(this.N % TICK_RUNS);
    return out;
  };

  private tick(k: number): void {
    this.done += k;
    // the number of stages is not known in advance: announce a few more than done
    this.options.onPilotProgress?.(this.done, Math.max(this.done + this.N, this.N * 4));
  }

  private async onRunner(pilotRunner: NonNullable<AssessmentOptions['pilotRunner']>, z: Float64Array, base: number): Promise<Float64Array> {
    const { signal } = this.options;
    if (signal?.aborted) throw new AbortError();
    const rows = await pilotRunner(z, base, this.D).catch((err) => {
      throw signal?.aborted ? new AbortError() : err;
    });
    if (signal?.aborted) throw new AbortError();
    if (rows.length !== this.N * this.W) throw new Error(`the pilot runner answered ${rows.length} values for ${this.N} runs of ${this.W}`);
    this.tick(this.N);
    return rows;
  }

  private async onPool(threads: number, z: Float64Array, base: number): Promise<Float64Array> {
    const { N, D, W } = this;
    const out = new Float64Array(N * W);
    const chunk = Math.max(1, Math.ceil(N / POOL_CHUNKS));
    const tasks: Array<{ start: number; end: number; at: Float64Array }> = [];
    for (let a = 0; a < N; a += chunk) tasks.push({ start: base + a, end: base + Math.min(N, a + chunk), at: z.slice(a * D, Math.min(N, a + chunk) * D) });
    await runPool<{ out: Float64Array }>({
      threads: Math.min(threads, tasks.length),
      init: { kind: 'assess', core: this.model.core, settings: this.settings },
      tasks,
      control: newControl(),
      signal: this.options.signal,
      onResult: (i, res) => {
        out.set(res.out, (tasks[i].start - base) * W);
        this.tick(tasks[i].end - tasks[i].start);
      },
    });
    return out;
  }
}

/** Pilot runs base.. at the rows of z (D values each), in this thread; `each(i)` after row i. */
function pilotRuns(engine: RunEngine, z: Float64Array, base: number, signal: AbortSignal | undefined, each?: (i: number) => void): Float64Array {
  const D = engine.adaptDims.prior.length;
  const W = engine.pilotWidth;
  const n = z.length / D;
  const out = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    if (signal?.aborted) throw new AbortError();
    engine.pilotRun(base + i, z.subarray(i * D, (i + 1) * D), out, i * W);
    each?.(i);
  }
  return out;
}

const sliceEngines = new WeakMap<ScenarioModel, { key: string; engine: RunEngine }>();

/**
 * Pilot runs base..base+n-1 of an assessment's pilot at the parameters `z` (n x D, D the
 * adapted dimensions): n x pilotWidth values, what pilotProposal's own rounds compute for those
 * rows (a slice of a round, for `pilotRunner`). The engine is kept per model for later slices.
 */
export function pilotSlice(model: ScenarioModel, options: AssessmentOptions, z: Float64Array, base: number): Float64Array {
  const settings = { ...settingsOf(options), proposal: undefined };
  const key = fingerprintOf(model.core, settings);
  let cached = sliceEngines.get(model);
  if (cached?.key !== key) sliceEngines.set(model, (cached = { key, engine: new RunEngine(model.core, settings) }));
  const { engine } = cached;
  const D = engine.adaptDims.prior.length;
  if (D === 0 || z.length % D !== 0) throw new Error(`pilotSlice: z must hold whole parameter vectors of ${D} values, got ${z.length}`);
  return pilotRuns(engine, z, base, options.signal);
}
