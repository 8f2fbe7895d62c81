/**
 * The headline figures: ranges of each split's per-run totals over the weighted runs, with the
 * Monte Carlo error of each.
 */
import { FIGURE, FIGURES, SPLIT, SPLITS, TOTALS_WIDTH, totalsColumn, type AssessmentPartial } from './partial';
import type { FigureSet } from './result';
import { inRunOrder, type RunWeights } from './run-weights';
import { rangeError, WeightedSample, type Range, type RangeError } from './stats';

interface HeadlineFigures {
  total: FigureSet;
  intended: FigureSet;
  collateral: FigureSet;
  /** Monte Carlo error of each figure, keyed `split.figure`. */
  errors: Record<string, RangeError>;
}

export function headlineFigures(p: AssessmentPartial, rw: RunWeights, level: number): HeadlineFigures {
  const errors: Record<string, RangeError> = {};
  const rangeOf = (split: number, figure: number): Range => {
    const s = new WeightedSample(
      inRunOrder(rw, (i) => p.totals[i * TOTALS_WIDTH + totalsColumn(split, figure)]),
      rw.w,
    );
    errors[`${SPLITS[split]}.${FIGURES[figure]}`] = rangeError(s, level, rw.ess);
    return s.range(level);
  };
  const set = (split: number) => figureSet((figure) => rangeOf(split, figure));
  return { total: set(SPLIT.total), intended: set(SPLIT.intended), collateral: set(SPLIT.collateral), errors };
}

/** A split's figures, computed in FIGURES order. */
function figureSet(rangeOf: (figure: number) => Range): FigureSet {
  return {
    entitiesInfected: rangeOf(FIGURE.entitiesInfected),
    entitiesDisrupted: rangeOf(FIGURE.entitiesDisrupted),
    unreportedInfections: rangeOf(FIGURE.unreportedInfections),
    forecastInfections: rangeOf(FIGURE.forecastInfections),
    lossUsd: { direct: rangeOf(FIGURE.lossDirect), indirect: rangeOf(FIGURE.lossIndirect), total: rangeOf(FIGURE.lossTotal) },
    populationAffected: rangeOf(FIGURE.populationAffected),
    countriesAffected: rangeOf(FIGURE.countriesAffected),
  };
}
