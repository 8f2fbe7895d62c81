/**
 * A run's drawn parameters: their columns in the run table, their priors, and the draws (from
 * the priors, or the adapted dimensions from the adaptive sampler's proposal).
 */
import type { Range90 } from '../domain/records';
import { expit, lognormalFromRange, logitNormalFromRange, sampleLognormal, sampleLogitNormal, type ScaleNormal } from './distributions';
import type { WeaponModel } from './weapon-model';
import type { Rng } from './prng';
import { drawTransmissibility, type ParameterProposal } from './proposal';

/** Per-run columns after the transmissibilities (one per weapon kind), in ScenarioMeta.parameterNames order. */
const AFTER_KINDS = ['reportingRate', 'recoveryDays', 'reportingLagHours', 'predictedReports', 'meanReportHoursShift'] as const;

/**
 * Column of each per-run parameter: the transmissibility of weapon kind j is column j; then the
 * reporting rate, recovery days, the mean reporting lag (hours) and the posterior predictive
 * replicate of the reports (their count, and their mean report time minus the observed one, hours).
 */
export type ParameterColumns = { readonly [K in (typeof AFTER_KINDS)[number]]: number } & { readonly count: number };

function parameterColumns(kinds: number): ParameterColumns {
  const at = Object.fromEntries(AFTER_KINDS.map((name, i) => [name, kinds + i]));
  return { ...at, count: kinds + AFTER_KINDS.length } as ParameterColumns;
}

/** The reporting-rate prior (logit-normal). */
export function reportingRatePrior(r: Range90): ScaleNormal {
  return logitNormalFromRange(r, 'reportingRate');
}

/** The prior of the mean reporting lag, hours (lognormal). */
export function reportingLagPrior(r: Range90): ScaleNormal {
  return lognormalFromRange(r, 'reportingLagHours');
}

/**
 * Draws one run's parameters into a row (ParameterColumns) and each kind's transmissibility into
 * `kindProb` (by kind slot). The adaptive sampler adapts, on the logit or log scale, the
 * transmissibilities with a spread-out prior and, when runs thin by the reports, the reporting
 * rate and the reporting lag; the other parameters keep their prior's median or their prior draw.
 */
export class ParameterDraws {
  readonly columns: ParameterColumns;
  readonly reportingRate: ScaleNormal;
  readonly reportingLag: ScaleNormal;
  /** Adapted dimensions: their parameter columns, and their priors (logit or log scale). */
  readonly dims: number[] = [];
  readonly prior: ScaleNormal[] = [];
  /** The last adaptive draw, adapted dimensions' order. */
  readonly z: Float64Array;
  private readonly zScratch: Float64Array;
  /** Per weapon kind index: its slot in z, or -1 (degenerate prior: fixed). */
  private readonly kindSlot: Int32Array;
  private readonly rateSlot: number = -1;
  private readonly lagSlot: number = -1;

  constructor(
    private readonly weapon: WeaponModel,
    reportingRate: Range90,
    reportingLagHours: Range90,
    /** Runs thin by the reports: the reporting rate and lag are drawn before the spread, and adapted. */
    private readonly thinning: boolean,
  ) {
    this.columns = parameterColumns(weapon.kinds.length);
    this.kindSlot = new Int32Array(weapon.kinds.length).fill(-1);
    weapon.kinds.forEach((k, j) => {
      const tp = weapon.transmissibility[k]!;
      if (tp.sigma > 0) this.kindSlot[j] = this.adapt(j, tp);
    });
    this.reportingRate = reportingRatePrior(reportingRate);
    this.reportingLag = reportingLagPrior(reportingLagHours);
    if (thinning && this.reportingRate.sigma > 0) this.rateSlot = this.adapt(this.columns.reportingRate, this.reportingRate);
    if (thinning && this.reportingLag.sigma > 0) this.lagSlot = this.adapt(this.columns.reportingLagHours, this.reportingLag);
    this.z = new Float64Array(this.prior.length);
    this.zScratch = new Float64Array(this.prior.length);
  }

  private adapt(column: number, prior: ScaleNormal): number {
    this.dims.push(column);
    this.prior.push(prior);
    return this.prior.length - 1;
  }

  /** The original scheme: every parameter from its prior, in this order. */
  drawPrior(rng: Rng, par: Float64Array, kindProb: Float64Array): void {
    const w = this.weapon;
    const col = this.columns;
    for (let j = 0; j < w.kinds.length; j++) {
      const t = sampleLogitNormal(w.transmissibility[w.kinds[j]]!, rng);
      kindProb[w.kinds[j]] = t;
      par[j] = t;
    }
    par[col.reportingRate] = sampleLogitNormal(this.reportingRate, rng);
    par[col.recoveryDays] = sampleLognormal(w.downtimeDays, rng);
    par[col.reportingLagHours] = sampleLognormal(this.reportingLag, rng);
  }

  /**
   * The adaptive sampler: the adapted dimensions from the proposal (or at `fixedZ`). Without
   * thinning the reporting rate is left to be drawn given the run's infections. Returns the log
   * prior/proposal ratio of the draw (0 at fixedZ).
   */
  drawAdaptive(rng: Rng, proposal: ParameterProposal | null, fixedZ: ArrayLike<number> | null, par: Float64Array, kindProb: Float64Array): number {
    const w = this.weapon;
    const col = this.columns;
    const z = this.z;
    let lpr = 0;
    if (fixedZ !== null) for (let i = 0; i < z.length; i++) z[i] = fixedZ[i];
    else lpr += drawTransmissibility(this.prior, proposal, rng, z, this.zScratch);
    for (let j = 0; j < w.kinds.length; j++) {
      const slot = this.kindSlot[j];
      const t = slot >= 0 ? expit(z[slot]) : expit(w.transmissibility[w.kinds[j]]!.mu);
      kindProb[w.kinds[j]] = t;
      par[j] = t;
    }
    if (this.thinning) par[col.reportingRate] = this.rateSlot >= 0 ? expit(z[this.rateSlot]) : expit(this.reportingRate.mu);
    par[col.recoveryDays] = sampleLognormal(w.downtimeDays, rng);
    par[col.reportingLagHours] = this.lagSlot >= 0 ? Math.exp(z[this.lagSlot]) : Math.exp(this.reportingLag.mu);
    return lpr;
  }
}
