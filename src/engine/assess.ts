/**
 * The Monte Carlo runner of assessments: runs over a worker-thread pool, streaming each chunk's
 * partial aggregate into the whole, with progress and cancellation.
 */
import { availableParallelism } from 'node:os';
import { finalize, mergeInto, type AssessmentResult } from './aggregate';
import type { ScenarioModel } from './model';
import { AbortError, newControl, runPool } from './pool';
import { DEFAULT_PILOT, fitProposal, type ParameterProposal, type PilotOptions } from './proposal';
import { lognormalFromRange } from './distributions';
import { countRuns, DEFAULT_SETTINGS, fingerprintOf, reportingRatePrior, emptyPartial, RunEngine, trimPartial, type AssessmentPartial, type RunSettings } from './runner';

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
    introductionProbability: o.introductionProbability ?? DEFAULT_SETTINGS.introductionProbability,
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
  if (!(s.introductionProbability > 0 && s.introductionProbability < 1)) throw new Error('introductionProbability must lie in (0,1)');
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
  const settings = settingsOf(options);
  const range = validate(options);
  const { partial, stats } = await runShard(model, range, options);
  const result = finalizeAssessment(model, partial, options);
  void settings;
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
    // adaptive runs are not prior draws: report the priors themselves
    priors:
      s.sampler === 'adaptive'
        ? [
            ...model.core.weapon.kinds.map((k) => ({ scale: 'logit' as const, ...model.core.weapon.transmissibility[k]! })),
            { scale: 'logit' as const, ...reportingRatePrior(s.reportingRate) },
            { scale: 'log' as const, ...model.core.weapon.downtimeDays },
            { scale: 'log' as const, ...lognormalFromRange(s.reportingLagHours, 'reportingLagHours') },
          ]
        : undefined,
  });
}

const pilotCache = new WeakMap<ScenarioModel, Map<string, ParameterProposal | null>>();

/**
 * The adaptive sampler's proposal for an assessment: pilot runs (own random streams, so they are
 * not runs of the assessment) in stages, the first from the prior, each next one from the
 * proposal fitted to all earlier stages (pooled importance weights); the last fit is returned.
 * Depends only on (model, settings, seed, pilot options), not on threads or run ranges; cached
 * per model object. null when not calibrating or nothing can be adapted.
 */
export async function pilotProposal(model: ScenarioModel, options: AssessmentOptions): Promise<ParameterProposal | null> {
  const settings = { ...settingsOf(options), proposal: undefined };
  if (settings.sampler !== 'adaptive') return null;
  // default pilot size: a fifth of the runs, between 40 (or the runs, if fewer) and 400 (depends
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
  const per = Math.floor(po.pilotRuns / po.stages);
  let proposal: ParameterProposal | null = null;
  if (D > 0 && per > 0) {
    const pilotTotal = per * po.stages;
    let pilotDone = 0;
    const tick = (n: number) => {
      pilotDone += n;
      options.onPilotProgress?.(pilotDone, pilotTotal);
    };
    const z = new Float64Array(per * po.stages * D);
    const lw = new Float64Array(per * po.stages);
    const threads = options.threads ?? availableParallelism();
    for (let st = 0; st < po.stages; st++) {
      const a = st * per;
      const b = a + per;
      if (threads <= 0) {
        for (let r = a; r < b; r++) {
          if (options.signal?.aborted) throw new AbortError();
          lw[r] = engine.pilotRun(r, proposal, z, r * D);
          if ((r - a) % 16 === 15) tick(16);
        }
        tick((b - a) % 16);
      } else {
        const chunk = Math.max(1, Math.ceil(per / 8));
        const tasks: Array<{ start: number; end: number; pilot: ParameterProposal | null }> = [];
        for (let s = a; s < b; s += chunk) tasks.push({ start: s, end: Math.min(b, s + chunk), pilot: proposal });
        await runPool<{ z: Float64Array; lw: Float64Array }>({
          threads: Math.min(threads, tasks.length),
          init: { kind: 'assess', core: model.core, settings },
          tasks,
          control: newControl(),
          signal: options.signal,
          onResult: (i, res) => {
            z.set(res.z, tasks[i].start * D);
            lw.set(res.lw, tasks[i].start);
            tick(tasks[i].end - tasks[i].start);
          },
        });
      }
      const next = fitProposal(prior, dims, z.subarray(0, b * D), lw.subarray(0, b), po);
      if (next === null) break;
      proposal = next;
    }
  }
  cache.set(key, proposal);
  return proposal;
}
