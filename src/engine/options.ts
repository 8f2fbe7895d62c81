/**
 * The options of an assessment, and the run settings they resolve to (defaults and checks).
 */
import type { PilotOptions, ParameterProposal } from './proposal';
import { DEFAULT_SETTINGS, type RunSettings } from './settings';

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

/** The run settings of an assessment's options: defaults filled in, values checked. */
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

/** The run range [start, end) of the options (default all runs), checked with the run count. */
export function runRangeOf(o: AssessmentOptions): [number, number] {
  if (!Number.isInteger(o.runs) || o.runs < 1 || o.runs > 1_000_000) throw new Error(`runs must be an integer in 1..1000000, got ${o.runs}`);
  const range = o.runRange ?? [0, o.runs];
  if (!(Number.isInteger(range[0]) && Number.isInteger(range[1]) && 0 <= range[0] && range[0] < range[1] && range[1] <= o.runs))
    throw new Error(`runRange must satisfy 0 <= start < end <= runs, got [${range[0]}, ${range[1]})`);
  return range;
}
