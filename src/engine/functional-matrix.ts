/**
 * The inoperability model's matrix from the functional dependencies (functional-arcs.ts): the
 * target loses `weight` of its function when the source fails. Checked for stability here, when
 * the model is made, so an assessment whose cascade would not settle is refused before any run.
 */
import type { DependencyRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';
import { dependencyColumnsOf } from './dependency-columns';
import { DEFAULT_FUNCTIONAL_KINDS, FunctionalArcs } from './functional-arcs';
import { sharedFloat64, sharedInt32 } from './graph';
import { checkStable, type InoperabilityMatrix } from './iim';

/**
 * A* over the `n` entities of `index` and its spectral radius; throws UnstableDependencyMatrixError
 * if that is >= 1. A stored graph's columns hold entity indexes already (in the order of `index`,
 * as buildGraph read them): no record and no id look-up per dependency.
 */
export function functionalMatrix(dependencies: readonly DependencyRecord[], index: ReadonlyMap<string, number>, n: number, kinds?: readonly DependencyKind[]): { functional: InoperabilityMatrix; spectralRadius: number } {
  const arcs = new FunctionalArcs(kinds ?? DEFAULT_FUNCTIONAL_KINDS);
  const columns = dependencyColumnsOf(dependencies);
  if (columns) {
    const kindNames = columns.kinds;
    for (let i = 0; i < columns.source.length; i++) {
      arcs.add(columns.source[i], columns.target[i], kindNames[columns.kind[i]], columns.weight[i], columns.bidirectional[i] === 1);
    }
  } else {
    for (const d of dependencies) {
      if (arcs.carries(d.kind, d.weight)) arcs.add(index.get(d.sourceId)!, index.get(d.targetId)!, d.kind, d.weight, !!d.bidirectional);
    }
  }
  const functional = arcs.matrix(n, { i32: sharedInt32, f64: sharedFloat64 });
  return { functional, spectralRadius: checkStable(functional) };
}
