/**
 * The run table (runs.csv): per run in run order, its weight share, log likelihood, drawn
 * parameters, headline totals and log prior/proposal ratio.
 */
import type { ScenarioMeta } from './model';
import { FIGURES, SPLITS, TOTALS_WIDTH, type AssessmentPartial } from './partial';
import type { RunTable } from './result';
import type { RunWeights } from './run-weights';

export function runTable(meta: ScenarioMeta, p: AssessmentPartial, rw: RunWeights): RunTable {
  const columns = ['run', 'weight', 'logLikelihood', ...meta.parameterNames];
  for (const split of SPLITS) for (const figure of FIGURES) columns.push(`${split}.${figure}`);
  columns.push('logPriorRatio');
  const rows = rw.order.map((i, k) => {
    const row = [p.runIndex[i], rw.w[k] / rw.sum, p.logLik[i]];
    for (let j = 0; j < p.paramCount; j++) row.push(p.params[i * p.paramCount + j]);
    for (let j = 0; j < TOTALS_WIDTH; j++) row.push(p.totals[i * TOTALS_WIDTH + j]);
    row.push(rw.logPriorRatio[i]);
    return row;
  });
  return { columns, rows };
}
