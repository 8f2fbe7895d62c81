/**
 * The likelihood of the reports for runs that do not thin by them (`ic`, or thinning off): the
 * count reported by asOf is binomial in the run's infections by then under the drawn reporting
 * rate, and each non-index report the spread does not explain costs a factor (see
 * RunSettings.unexplainedReportProbability). Thinned runs use report-evidence.ts instead.
 */
import { logBinomialPmf } from './distributions';
import type { ScenarioCore } from './model';
import type { SpreadWorkspace } from './spread';

/** Infections of the run by asOf. */
export function infectionsByAsOf(ws: SpreadWorkspace, count: number, asOfHours: number): number {
  const { order, time } = ws;
  let n = 0;
  for (let i = 0; i < count; i++) if (time[order[i]] <= asOfHours) n++;
  return n;
}

/** Log likelihood of the reports given `infected` infections by asOf and the reporting rate `rho`. */
export function reportsLogLikelihood(core: ScenarioCore, ws: SpreadWorkspace, infected: number, rho: number, unexplainedReportProbability: number): number {
  let ll = 0;
  ll += logBinomialPmf(core.reportedCount, infected, rho);
  const eps = unexplainedReportProbability;
  for (let j = 0; j < core.seedNode.length; j++) {
    if (core.seedIsIndex[j] === 1) continue;
    if (ws.parentArc[core.seedNode[j]] >= 0) continue;
    const c = core.seedConfidence[j];
    ll += Math.log(1 - c + c * eps);
  }
  return ll;
}
