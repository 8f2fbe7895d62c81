/**
 * What a run computes: the options that enter every run of an assessment (and so a partial's
 * fingerprint), with their defaults.
 */
import type { Range90 } from '../domain/records';
import type { ParameterProposal } from './proposal';

/** Options that change what a run computes (part of a partial's fingerprint). */
export interface RunSettings {
  model: 'ic' | 'sir';
  seed: number;
  calibrate: boolean;
  /** Prior 90% range of the share of infected entities that get reported (logit-normal). */
  reportingRate: Range90;
  /** `ic` runs: likelihood factor for a reported entity the run's spread does not reach by its report time. */
  unexplainedReportProbability: number;
  /** Prior 90% range of the mean reporting lag, hours (lognormal; lags are exponential with that mean). */
  reportingLagHours: Range90;
  /**
   * Calibrated `sir` runs: size r of the negative binomial that compares each bin's report count
   * with the forward run's expected count mu (variance mu + mu^2 / r): the tolerance of the
   * comparison, about 1/sqrt(r) of large counts, for the spread's own randomness in one run.
   */
  reportDispersion: number;
  /** An uninfected entity with inoperability q >= this counts as disrupted. */
  disruptionThreshold: number;
  timelineBins: number;
  /** Early-warning windows after asOf, hours. */
  earlyWarningHours: number[];
  /** Keep per-arc transmission counts (for most likely paths). */
  trackPaths: boolean;
  /**
   * How calibrated runs draw their parameters: 'prior' (plain importance weighting of prior
   * draws, the original scheme) or 'adaptive' (transmissibilities from `proposal`, reporting rate
   * from its conditional posterior given the run's infections; see proposal.ts). Default 'prior'
   * here; runShard/runAssessment default to 'adaptive' when calibrating.
   */
  sampler?: 'prior' | 'adaptive';
  /** Fitted transmissibility proposal of the adaptive sampler (null: prior draws). */
  proposal?: ParameterProposal | null;
  /**
   * Calibrated `sir` runs condition the spread on the reports (default true): a transmission that
   * lands on an unreported entity by asOf counts with probability 1 - reporting rate, because
   * given which infections were reported the others are the thinned process; without it a seeded
   * run grows a second lineage beside every reported one (about 3.7 times the infections by asOf
   * at the true transmissibility in the coverage study). The reporting rate is then drawn before
   * the spread (an adapted dimension of the adaptive sampler).
   */
  reportThinning?: boolean;
}

export const DEFAULT_SETTINGS: Omit<RunSettings, 'model' | 'seed'> = {
  calibrate: true,
  reportingRate: { low: 0.05, high: 0.6 },
  // 1 = off: "reached before its report time" is a one-sided test that rewards fast spread (it
  // pushed the posterior transmissibility to the top of its prior in the coverage study).
  unexplainedReportProbability: 1,
  reportingLagHours: { low: 2, high: 72 },
  reportDispersion: 20,
  disruptionThreshold: 0.1,
  timelineBins: 48,
  earlyWarningHours: [24, 72, 168],
  trackPaths: true,
};

/** Calibrated `sir` runs with reports thin unreported infections by asOf (see RunSettings.reportThinning). */
export function thinsByReports(s: RunSettings, reportedCount: number): boolean {
  return s.calibrate && s.model === 'sir' && s.reportThinning !== false && reportedCount > 0;
}
