/**
 * The posterior predictive check of the reports: does the calibrated model reproduce them? Each
 * run replicates the reports by asOf from its infections; the check compares the replicates'
 * count and mean report time with the observed ones.
 */
import { PREDICTED, type ScenarioCore, type ScenarioModel } from './model';
import type { ParameterColumns } from './parameters';
import type { Rng } from './prng';
import type { SpreadWorkspace } from './spread';
import { inRunOrder, type RunWeights } from './run-weights';
import type { PredictiveCheck } from './result';
import { WeightedSample } from './stats';
import type { AssessmentPartial } from './partial';

/** Below this a check's p-value carries a warning. */
const WARN_PREDICTIVE_P = 0.05;
/** How the predictive check's warnings begin (readers who may not see every report do not get them). */
export const PREDICTIVE_CHECK_WARNING = 'predictive check failed';

/** One run's replicate of the reports, written into its parameter row. */
export class ReportReplicate {
  /** Mean observed first-report time, hours. */
  private readonly observedMeanTime: number;

  constructor(private readonly core: ScenarioCore) {
    let sumT = 0;
    for (let j = 0; j < core.seedTime.length; j++) sumT += core.seedTime[j];
    this.observedMeanTime = core.seedTime.length > 0 ? sumT / core.seedTime.length : 0;
  }

  /**
   * Each infection by asOf is reported by asOf with probability rho F(asOf - t), after a lag
   * drawn given that; reports the run takes as not genuine (`genuine[v] === 0`) stay as they
   * were observed. Writes the replicate's count and mean report time shift into `par`.
   */
  draw(rng: Rng, ws: SpreadWorkspace, count: number, genuine: Uint8Array | null, rho: number, lagRate: number, par: Float64Array, col: ParameterColumns): void {
    const core = this.core;
    const { time, order } = ws;
    const asOf = core.asOfHours;
    let k = 0;
    let sum = 0;
    if (genuine !== null)
      for (let j = 0; j < core.seedNode.length; j++)
        if (genuine[core.seedNode[j]] === 0) {
          k++;
          sum += core.seedTime[j];
        }
    for (let i = 0; i < count; i++) {
      const t = time[order[i]];
      if (t > asOf) continue;
      const x = asOf - t;
      const within = lagRate === Infinity ? 1 : -Math.expm1(-x * lagRate);
      if (!(rng.random() < rho * within)) continue;
      // lag given that it came by asOf: Exp(lagRate) truncated to [0, x]
      const lag = lagRate === Infinity ? 0 : -Math.log1p(-rng.random() * within) / lagRate;
      k++;
      sum += t + lag;
    }
    par[col.predictedReports] = k;
    par[col.meanReportHoursShift] = k > 0 ? sum / k - this.observedMeanTime : 0;
  }
}

/** The check of a calibrated result; null otherwise, or when the run table has no replicate. */
export function predictiveCheckOf(model: ScenarioModel, p: AssessmentPartial, rw: RunWeights, level: number, calibrated: boolean): PredictiveCheck | null {
  const [REPORTS, SHIFT] = PREDICTED;
  const reportsAt = model.meta.parameterNames.indexOf(REPORTS);
  const shiftAt = model.meta.parameterNames.indexOf(SHIFT);
  if (!calibrated || reportsAt < 0) return null;
  const reps = inRunOrder(rw, (i) => p.params[i * p.paramCount + reportsAt]);
  const shift = inRunOrder(rw, (i) => p.params[i * p.paramCount + shiftAt]);
  const observed = model.core.reportedCount;
  return {
    observedReports: observed,
    predictedReports: new WeightedSample(reps, rw.w).range(level),
    reportsPValue: twoSidedP(reps, observed, rw),
    meanReportTimeShiftHours: new WeightedSample(shift, rw.w).range(level),
    timingPValue: twoSidedP(shift, 0, rw),
  };
}

function twoSidedP(x: Float64Array, observed: number, rw: RunWeights): number {
  let above = 0;
  let tie = 0;
  for (let k = 0; k < x.length; k++) {
    if (x[k] > observed) above += rw.w[k];
    else if (x[k] === observed) tie += rw.w[k];
  }
  const upper = (above + 0.5 * tie) / rw.sum;
  return Math.min(1, 2 * Math.min(upper, 1 - upper));
}

export function predictiveCheckWarnings(c: PredictiveCheck): string[] {
  const warnings: string[] = [];
  if (c.reportsPValue < WARN_PREDICTIVE_P)
    warnings.push(
      `${PREDICTIVE_CHECK_WARNING}: the calibrated model predicts ${Math.round(c.predictedReports.low)}-${Math.round(c.predictedReports.high)} reported entities by asOf, ${c.observedReports} were reported (p = ${c.reportsPValue.toFixed(3)}): ranges may not hold`,
    );
  if (c.timingPValue < WARN_PREDICTIVE_P)
    warnings.push(
      `${PREDICTIVE_CHECK_WARNING}: the calibrated model puts the reports ${c.meanReportTimeShiftHours.median > 0 ? 'later' : 'earlier'} than they came in (mean shift ${c.meanReportTimeShiftHours.median.toFixed(1)} h, p = ${c.timingPValue.toFixed(3)}): ranges may not hold`,
    );
  return warnings;
}
