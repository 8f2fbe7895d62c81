/**
 * The Monte Carlo runner of assessments: runs over a worker-thread pool, streaming each chunk's
 * partial aggregate into the whole, with progress and cancellation.
 */
import { availableParallelism } from 'node:os';
import { mergeInto } from './aggregate';
import { finalize } from './finalize';
import type { AssessmentResult } from './result';
import type { ScenarioModel } from './model';
import { AbortError, newControl, runPool } from './pool';
import { kishOf } from './stats';
import { Rng, Substream } from './prng';
import { choleskyOf, DEFAULT_PILOT, fitProposal, normalLogPdf, type ParameterProposal, type PilotOptions, type SamplerStage } from './proposal';
import { syntheticPilot } from './synthetic-pilot';
import { RunEngine } from './runner';
import { reportingLagPrior, reportingRatePrior } from './parameters';
import { DEFAULT_SETTINGS, type RunSettings } from './settings';
import { countRuns, fingerprintOf, emptyPartial, trimPartial, type AssessmentPartial } from './partial';

export interface AssessmentProgress {
  /** Runs of the assessment done (0 while the adaptive sampler's pilot runs). */
  runsDone: number;
  runsTotal: number;
  /** 0..1 of the whole work: pilot runs (when this call fits the proposal) and runs. */
  fraction: number;
  phase: 'pilot' | 'runs';
  elapsedSeconds: number;
  /** Estimated seconds left (null until a run has finished). */
  etaSeconds: number | null;
}

export interface AssessmentOptions extends Partial<Omit<RunSettings, 'model' | 'seed'>> {
  /** 'sir' (default): event-driven with delays and containment; 'ic': discrete cascade with fixed delays. */
  model?: 'ic' | 'sir';
  /** Number of Monte Carlo runs (1..1,000,000). */
  runs: number;
  /** Seed of every stream (default 1). */
  seed?: number;
  /** Worker threads (default: available cores; 0 = run in this thread). */
  threads?: number;
  /** Central interval level (default 0.9). */
  confidenceLevel?: number;
  onProgress?: (p: AssessmentProgress) => void;
  /** pilotProposal: pilot runs done of those it will run (not called when the proposal is cached). */
  onPilotProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Compute only runs [start, end) of the assessment (a shard); default [0, runs). */
  runRange?: [number, number];
  /** Runs per chunk handed to a worker (default: ceil(runs/32), at most 1000); independent of threads, so results are too. */
  chunkSize?: number;
  /** Entities listed per early-warning window (default 100). */
  earlyWarningLimit?: number;
  /**
   * Calibrated runs: 'adaptive' (default) draws the transmissibilities from a proposal fitted to
   * a pilot and the reporting rate from its conditional posterior (see README, Calibration);
   * 'prior' draws every parameter from its prior (the original scheme).
   */
  sampler?: 'prior' | 'adaptive';
  /**
   * The adaptive sampler's fitted proposal (from `pilotProposal`). Omitted: runShard fits it
   * itself from a pilot that depends only on (model, settings, seed), cached per model, so every
   * shard gets the same one; pass it to avoid repeating the pilot on each machine. null: no pilot
   * (transmissibilities from the prior, reporting rate still conditional).
   */
  proposal?: ParameterProposal | null;
  /** Pilot of the adaptive sampler (default runs/5 clamped to 40..400, in 2 stages; 10% prior; variance x1.5). */
  pilot?: Partial<PilotOptions>;
  /**
   * pilotProposal: evaluates a round of pilot runs elsewhere (e.g. on a queue's workers, each
   * slice with `pilotSlice`) instead of on this process's threads: `z` holds N parameter vectors
   * (N x D; `dims` is D, for cutting z into slices of rows), the answer N x pilotWidth values,
   * row i the pilot run `base + i` at z_i. Each pilot run depends only on (seed, base + i, z_i),
   * so the proposal is the same bit for bit.
   */
  pilotRunner?: (z: Float64Array, base: number, dims: number) => Promise<Float64Array>;
}

/** Throughput figures of a computation (for benches and logs). */
export interface RunStats {
  seconds: number;
  arcsExamined: number;
  threads: number;
}

export function settingsOf(o: AssessmentOptions): RunSettings {
  const s: RunSettings = {
    ...DEFAULT_SETTINGS,
    model: o.model ?? 'sir',
    seed: o.seed ?? 1,
    calibrate: o.calibrate ?? DEFAULT_SETTINGS.calibrate,
    reportingRate: o.reportingRate ?? DEFAULT_SETTINGS.reportingRate,
    unexplainedReportProbability: o.unexplainedReportProbability ?? DEFAULT_SETTINGS.unexplainedReportProbability,
    reportingLagHours: o.reportingLagHours ?? DEFAULT_SETTINGS.reportingLagHours,
    reportDispersion: o.reportDispersion ?? DEFAULT_SETTINGS.reportDispersion,
    disruptionThreshold: o.disruptionThreshold ?? DEFAULT_SETTINGS.disruptionThreshold,
    timelineBins: o.timelineBins ?? DEFAULT_SETTINGS.timelineBins,
    earlyWarningHours: o.earlyWarningHours ?? DEFAULT_SETTINGS.earlyWarningHours,
    trackPaths: o.trackPaths ?? DEFAULT_SETTINGS.trackPaths,
  };
  s.sampler = o.sampler ?? 'adaptive';
  if (s.sampler !== 'adaptive' && s.sampler !== 'prior') throw new Error(`unknown sampler '${String(s.sampler)}' (adaptive or prior)`);
  if (!s.calibrate) s.sampler = 'prior';
  if (s.sampler === 'adaptive' && o.proposal !== undefined) s.proposal = o.proposal;
  if (s.model !== 'ic' && s.model !== 'sir') throw new Error(`unknown model '${String(s.model)}' (ic or sir)`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > Number.MAX_SAFE_INTEGER) throw new Error(`seed must be a non-negative integer, got ${s.seed}`);
  if (!(s.timelineBins >= 1 && Number.isInteger(s.timelineBins))) throw new Error('timelineBins must be a positive integer');
  if (!(s.unexplainedReportProbability > 0 && s.unexplainedReportProbability <= 1)) throw new Error('unexplainedReportProbability must lie in (0,1]');
  if (!(s.reportDispersion > 0)) throw new Error('reportDispersion must be positive (Infinity: Poisson)');
  return s;
}

function validate(o: AssessmentOptions): [number, number] {
  if (!Number.isInteger(o.runs) || o.runs < 1 || o.runs > 1_000_000) throw new Error(`runs must be an integer in 1..1000000, got ${o.runs}`);
  const range = o.runRange ?? [0, o.runs];
  if (!(Number.isInteger(range[0]) && Number.isInteger(range[1]) && 0 <= range[0] && range[0] < range[1] && range[1] <= o.runs))
    throw new Error(`runRange must satisfy 0 <= start < end <= runs, got [${range[0]}, ${range[1]})`);
  return range;
}

/**
 * Computes the partial aggregate of runs [start, end) of an assessment (a shard). Partials of
 * disjoint ranges of the same assessment (same model, options and seed) merge with mergePartials,
 * wherever they were computed.
 */
export async function runShard(model: ScenarioModel, runRange: [number, number], options: AssessmentOptions): Promise<{ partial: AssessmentPartial; stats: RunStats }> {
  const settings = settingsOf(options);
  const [start, end] = validate({ ...options, runRange });
  const t0 = performance.now();
  const total = end - start;
  // Pilot runs this call makes count towards its progress (they cost about as much as runs).
  let pilotDone = 0;
  let pilotTotal = 0;
  const report = (phase: AssessmentProgress['phase'], done: number) => {
    if (!options.onProgress) return;
    const el = (performance.now() - t0) / 1000;
    const f = (pilotDone + done) / (pilotTotal + total);
    options.onProgress({ runsDone: done, runsTotal: total, fraction: f, phase, elapsedSeconds: el, etaSeconds: f > 0 ? (el * (1 - f)) / f : null });
  };
  if (settings.sampler === 'adaptive' && settings.proposal === undefined) {
    settings.proposal = await pilotProposal(model, {
      ...options,
      onPilotProgress: (d, n) => {
        pilotDone = d;
        pilotTotal = n;
        report('pilot', 0);
      },
    });
    pilotTotal = pilotDone;
  }
  const chunk = options.chunkSize ?? Math.min(1000, Math.max(1, Math.ceil(options.runs / 32)));
  const tasks: Array<{ start: number; end: number }> = [];
  // chunk boundaries are aligned to multiples of `chunk` in absolute run index
  for (let s = start; s < end; ) {
    const e = Math.min(end, (Math.floor(s / chunk) + 1) * chunk);
    tasks.push({ start: s, end: e });
    s = e;
  }
  const threads = Math.min(options.threads ?? availableParallelism(), tasks.length);
  const progress = (done: number) => report('runs', done);
  let acc: AssessmentPartial | null = null;
  let arcs = 0;
  const take = (p: AssessmentPartial) => {
    acc = acc === null ? p : mergeInto(acc, p);
  };
  if (threads <= 0) {
    const engine = new RunEngine(model.core, settings);
    let done = 0;
    let last = performance.now();
    for (const t of tasks) {
      if (options.signal?.aborted) throw new AbortError();
      const p = emptyPartial(model.core, settings, t.end - t.start, engine.paramCount);
      for (let r = t.start; r < t.end; r++) {
        engine.run(r, p);
        done++;
        if (performance.now() - last > 250) {
          last = performance.now();
          progress(done);
        }
      }
      take(trimPartial(p));
    }
    arcs = engine.arcsExamined;
  } else {
    await runPool<{ partial: AssessmentPartial; arcs: number }>({
      threads,
      init: { kind: 'assess', core: model.core, settings },
      tasks,
      control: newControl(),
      signal: options.signal,
      onResult: (_i, r) => {
        take(r.partial);
        arcs += r.arcs;
      },
      onTick: progress,
    });
  }
  progress(total);
  const partial = acc as AssessmentPartial | null;
  if (partial === null || countRuns(partial) !== total) throw new Error('internal: runs missing from the merged partial');
  return { partial, stats: { seconds: (performance.now() - t0) / 1000, arcsExamined: arcs, threads: Math.max(0, threads) } };
}

/**
 * Runs an assessment (or, with runRange, a shard of it) and summarises it.
 * The result is plain JSON-serialisable data.
 */
export async function runAssessment(model: ScenarioModel, options: AssessmentOptions): Promise<AssessmentResult & { stats: RunStats }> {
  const range = validate(options);
  const { partial, stats } = await runShard(model, range, options);
  // the proposal the runs used (cached by runShard) carries the sampler's stages
  const proposal = options.proposal !== undefined ? options.proposal : await pilotProposal(model, options);
  const result = finalizeAssessment(model, partial, { ...options, proposal });
  return { ...result, stats };
}

/** finalize() with the options used for the runs. */
export function finalizeAssessment(model: ScenarioModel, partial: AssessmentPartial, options: AssessmentOptions): AssessmentResult {
  const s = settingsOf(options);
  return finalize(model, partial, {
    confidenceLevel: options.confidenceLevel,
    earlyWarningLimit: options.earlyWarningLimit,
    earlyWarningHours: s.earlyWarningHours,
    model: s.model,
    seed: s.seed,
    calibrated: s.calibrate,
    sampler: s.sampler,
    stages: s.sampler === 'adaptive' ? (options.proposal?.stages ?? undefined) : undefined,
    // adaptive runs are not prior draws: report the priors themselves
    priors:
      s.sampler === 'adaptive'
        ? [
            ...model.core.weapon.kinds.map((k) => ({ scale: 'logit' as const, ...model.core.weapon.transmissibility[k]! })),
            { scale: 'logit' as const, ...reportingRatePrior(s.reportingRate) },
            { scale: 'log' as const, ...model.core.weapon.downtimeDays },
            { scale: 'log' as const, ...reportingLagPrior(s.reportingLagHours) },
          ]
        : undefined,
  });
}

const pilotCache = new WeakMap<ScenarioModel, Map<string, ParameterProposal | null>>();

/**
 * The adaptive sampler's proposal for an assessment, fitted by sequential Monte Carlo with
 * likelihood tempering: particles from the prior; at each stage the next temperature is the one
 * at which the reweighted particles keep half their effective sample size (bisection), then
 * systematic resampling and one pseudo-marginal random-walk Metropolis move per particle (a
 * fresh run at the moved parameters; the likelihood estimate integrates the reporting rate out,
 * so the move targets the tempered posterior exactly). At temperature 1 (or after `stages`
 * stages) the proposal is fitted to the particles. The runs of the stages use their own random
 * streams (they are not runs of the assessment), so the proposal depends only on (model,
 * settings, seed, pilot options), not on threads or run ranges; cached per model object. null
 * when not calibrating or nothing can be adapted.
 */
export async function pilotProposal(model: ScenarioModel, options: AssessmentOptions): Promise<ParameterProposal | null> {
  const settings = { ...settingsOf(options), proposal: undefined };
  if (settings.sampler !== 'adaptive') return null;
  // default population: a fifth of the runs, between 40 (or the runs, if fewer) and 400 (depends
  // on the total run count only, which every shard of the assessment shares)
  const scaled = Math.max(Math.min(40, options.runs), Math.min(DEFAULT_PILOT.pilotRuns, Math.round(options.runs / 5)));
  const po: PilotOptions = { ...DEFAULT_PILOT, pilotRuns: scaled, ...(options.pilot ?? {}) };
  if (!(Number.isInteger(po.pilotRuns) && po.pilotRuns >= 0 && Number.isInteger(po.stages) && po.stages >= 1)) throw new Error('pilot: pilotRuns must be a non-negative integer and stages a positive integer');
  if (!(po.defensive > 0 && po.defensive <= 1 && po.widen > 0)) throw new Error('pilot: defensive must lie in (0,1] and widen be positive');
  const key = JSON.stringify([fingerprintOf(model.core, settings), po]);
  let cache = pilotCache.get(model);
  if (!cache) pilotCache.set(model, (cache = new Map()));
  if (cache.has(key)) return cache.get(key)!;
  const engine = new RunEngine(model.core, settings);
  const { dims, prior } = engine.adaptDims;
  const D = prior.length;
  const N = po.pilotRuns;
  let proposal: ParameterProposal | null = null;
  if (D > 0 && N >= 2) {
    const threads = options.threads ?? availableParallelism();
    let done = 0;
    const tick = (k: number) => {
      done += k;
      // the number of stages is not known in advance: announce a few more than done
      options.onPilotProgress?.(done, Math.max(done + N, N * 4));
    };
    /**
     * Pilot runs at the parameters `z` (N x D), runs base..base+N-1 of the pilot streams: N x
     * pilotWidth values (summaries of the synthetic likelihood, or log likelihood estimates).
     */
    const pilotRuns = async (z: Float64Array, base: number): Promise<Float64Array> => {
      const W = engine.pilotWidth;
      if (options.pilotRunner) {
        if (options.signal?.aborted) throw new AbortError();
        const rows = await options.pilotRunner(z, base, D).catch((err) => {
          throw options.signal?.aborted ? new AbortError() : err;
        });
        if (options.signal?.aborted) throw new AbortError();
        if (rows.length !== N * W) throw new Error(`the pilot runner answered ${rows.length} values for ${N} runs of ${W}`);
        tick(N);
        return rows;
      }
      const out = new Float64Array(N * W);
      if (threads <= 0) {
        for (let i = 0; i < N; i++) {
          if (options.signal?.aborted) throw new AbortError();
          engine.pilotRun(base + i, z.subarray(i * D, (i + 1) * D), out, i * W);
          if (i % 16 === 15) tick(16);
        }
        tick(N % 16);
        return out;
      }
      const chunk = Math.max(1, Math.ceil(N / 8));
      const tasks: Array<{ start: number; end: number; at: Float64Array }> = [];
      for (let a = 0; a < N; a += chunk) tasks.push({ start: base + a, end: base + Math.min(N, a + chunk), at: z.slice(a * D, Math.min(N, a + chunk) * D) });
      await runPool<{ out: Float64Array }>({
        threads: Math.min(threads, tasks.length),
        init: { kind: 'assess', core: model.core, settings },
        tasks,
        control: newControl(),
        signal: options.signal,
        onResult: (i, res) => {
          out.set(res.out, (tasks[i].start - base) * W);
          tick(tasks[i].end - tasks[i].start);
        },
      });
      return out;
    };
    const rng = new Rng(settings.seed, 0, Substream.tempering);
    if (engine.summaryCount > 0) {
      proposal = await syntheticPilot(engine.summaryCount, engine.observedSummaries, dims, prior, N, po, rng, pilotRuns);
      options.onPilotProgress?.(done, done);
      if (proposal !== null) proposal = { ...proposal, pilotRuns: done };
      if (options.signal?.aborted) throw new AbortError();
      cache.set(key, proposal);
      return proposal;
    }
    const logPrior = (z: Float64Array, i: number) => {
      let lp = 0;
      for (let d = 0; d < D; d++) lp += normalLogPdf(z[i * D + d], prior[d].mu, prior[d].sigma);
      return lp;
    };
    let z = new Float64Array(N * D);
    for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) z[i * D + d] = prior[d].mu + prior[d].sigma * rng.normal();
    let L = await pilotRuns(z, 0);
    const stages: SamplerStage[] = [{ temperature: 0, effectiveSampleSize: N, particles: N, acceptance: null }];
    let phi = 0;
    for (let st = 1; phi < 1 && st <= po.stages; st++) {
      if (options.signal?.aborted) throw new AbortError();
      const next = nextTemperature(L, phi);
      if (next === null) break;
      const w = new Float64Array(N);
      let m = -Infinity;
      for (let i = 0; i < N; i++) if ((next - phi) * L[i] > m) m = (next - phi) * L[i];
      for (let i = 0; i < N; i++) w[i] = L[i] === -Infinity ? 0 : Math.exp((next - phi) * L[i] - m);
      const ess = kishOf(w);
      const pick = systematicResample(w, rng);
      const z1 = new Float64Array(N * D);
      const L1 = new Float64Array(N);
      pick.forEach((j, i) => {
        z1.set(z.subarray(j * D, (j + 1) * D), i * D);
        L1[i] = L[j];
      });
      z = z1;
      L = L1;
      phi = next;
      // one random-walk Metropolis move per particle, scaled to the population's spread
      const chol = choleskyOfSpread(z, N, D, prior);
      const step = 2.38 / Math.sqrt(D);
      const zMoved = new Float64Array(N * D);
      const e = new Float64Array(D);
      for (let i = 0; i < N; i++) {
        for (let d = 0; d < D; d++) e[d] = rng.normal();
        for (let a = 0; a < D; a++) {
          let v = z[i * D + a];
          for (let b = 0; b <= a; b++) v += step * chol[a * D + b] * e[b];
          zMoved[i * D + a] = v;
        }
      }
      const LMoved = await pilotRuns(zMoved, st * N);
      let accepted = 0;
      for (let i = 0; i < N; i++) {
        const logA = phi * (LMoved[i] - L[i]) + logPrior(zMoved, i) - logPrior(z, i);
        if (LMoved[i] > -Infinity && (logA >= 0 || Math.log(rng.random()) < logA)) {
          z.set(zMoved.subarray(i * D, (i + 1) * D), i * D);
          L[i] = LMoved[i];
          accepted++;
        }
      }
      stages.push({ temperature: phi, effectiveSampleSize: ess, particles: N, acceptance: accepted / N });
      // the moves no longer mix: the likelihood estimates are too noisy to sharpen further
      if (accepted / N < MIN_ACCEPTANCE) break;
    }
    options.onPilotProgress?.(done, done);
    const fit = fitProposal(prior, dims, z, new Float64Array(N), po);
    if (options.signal?.aborted) throw new AbortError();
    if (fit !== null) proposal = { ...fit, pilotRuns: done, pilotEss: stages[stages.length - 1].effectiveSampleSize, stages, temperature: phi };
  }
  cache.set(key, proposal);
  return proposal;
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
  const W = engine.pilotWidth;
  if (D === 0 || z.length % D !== 0) throw new Error(`pilotSlice: z must hold whole parameter vectors of ${D} values, got ${z.length}`);
  const n = z.length / D;
  const out = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    if (options.signal?.aborted) throw new AbortError();
    engine.pilotRun(base + i, z.subarray(i * D, (i + 1) * D), out, i * W);
  }
  return out;
}

/** Tempering stops at a stage whose moves accept fewer than this share. */
const MIN_ACCEPTANCE = 0.02;

/** The temperature after `phi` at which the reweighted particles keep half their number as ESS (1 if they do at 1); null if no particle has a finite likelihood. */
function nextTemperature(L: Float64Array, phi: number): number | null {
  const N = L.length;
  if (!L.some((x) => x > -Infinity)) return null;
  const essAt = (delta: number) => {
    let m = -Infinity;
    for (let i = 0; i < N; i++) if (delta * L[i] > m) m = delta * L[i];
    const w = new Float64Array(N);
    for (let i = 0; i < N; i++) w[i] = L[i] === -Infinity ? 0 : Math.exp(delta * L[i] - m);
    return kishOf(w);
  };
  if (essAt(1 - phi) >= N / 2) return 1;
  let lo = 0;
  let hi = 1 - phi;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (essAt(mid) >= N / 2) lo = mid;
    else hi = mid;
  }
  return phi + Math.max(lo, 1e-9);
}

/** Systematic resampling: N indices drawn in proportion to w with one uniform. */
function systematicResample(w: Float64Array, rng: Rng): Int32Array {
  const N = w.length;
  let total = 0;
  for (let i = 0; i < N; i++) total += w[i];
  const out = new Int32Array(N);
  const u = rng.random() / N;
  let c = w[0] / total;
  let j = 0;
  for (let i = 0; i < N; i++) {
    const target = u + i / N;
    while (c < target && j < N - 1) c += w[++j] / total;
    out[i] = j;
  }
  return out;
}

/** Cholesky factor of the particles' covariance (plus a little of the prior's, so it is never singular). */
function choleskyOfSpread(z: Float64Array, N: number, D: number, prior: readonly { sigma: number }[]): number[] {
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += z[i * D + d] / N;
  const S = new Float64Array(D * D);
  for (let i = 0; i < N; i++)
    for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) S[a * D + b] += ((z[i * D + a] - mean[a]) * (z[i * D + b] - mean[b])) / N;
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) S[b * D + a] = S[a * D + b];
  for (let d = 0; d < D; d++) S[d * D + d] += 1e-3 * prior[d].sigma * prior[d].sigma;
  return choleskyOf(S, D);
}
