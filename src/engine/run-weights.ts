/**
 * The weights of an assessment's runs: likelihood of the reports x prior/proposal of the drawn
 * parameters (the ratio is 0 on the log scale for prior draws), scaled so the largest is 1.
 */
import { countRuns, priorRatioOf, type AssessmentPartial } from './partial';
import { kish } from './stats';

export interface RunWeights {
  /** The partial's run rows in run order. */
  order: number[];
  /** Per run, in run order: its weight; `sum` and `ess` (Kish) of them. */
  w: Float64Array;
  sum: number;
  ess: number;
  /** Per run, in run order: the prior/proposal ratio alone (the drawn runs as prior draws). */
  prior: Float64Array;
  /** Per row of the partial: the log prior/proposal ratio. */
  logPriorRatio: Float64Array;
}

export function runWeights(p: AssessmentPartial): RunWeights {
  const R = countRuns(p);
  if (R === 0) throw new Error('no runs to summarise');
  const order = Array.from({ length: R }, (_, i) => i).sort((a, b) => p.runIndex[a] - p.runIndex[b]);
  const lpr = priorRatioOf(p, R);
  let maxLl = -Infinity;
  let maxPr = -Infinity;
  for (let i = 0; i < R; i++) {
    if (p.logLik[i] + lpr[i] > maxLl) maxLl = p.logLik[i] + lpr[i];
    if (lpr[i] > maxPr) maxPr = lpr[i];
  }
  const w = new Float64Array(R);
  const prior = new Float64Array(R);
  let sw = 0;
  let sw2 = 0;
  for (let k = 0; k < R; k++) {
    const i = order[k];
    w[k] = maxLl === -Infinity ? 0 : Math.exp(p.logLik[i] + lpr[i] - maxLl);
    prior[k] = Math.exp(lpr[i] - maxPr);
    sw += w[k];
    sw2 += w[k] * w[k];
  }
  if (!(sw > 0)) throw new Error('every run has zero likelihood: the reports cannot be explained by the model (try forward mode or wider ranges)');
  return { order, w, sum: sw, ess: kish(sw, sw2), prior, logPriorRatio: lpr };
}

/** A per-run value (by row of the partial) in run order. */
export function inRunOrder(rw: RunWeights, get: (row: number) => number): Float64Array {
  return Float64Array.from(rw.order, get);
}
