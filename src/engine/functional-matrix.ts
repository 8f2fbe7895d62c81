/**
 * The inoperability model's matrix from the functional dependencies (by default `service`): the
 * target loses `weight` of its function when the source fails. Checked for stability here, when
 * the model is made, so an assessment whose cascade would not settle is refused before any run.
 */
import type { DependencyRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';
import { sharedFloat64, sharedInt32 } from './graph';
import { checkStable, inoperabilityMatrix, type InoperabilityMatrix } from './iim';

/**
 * A* (row: the dependent, column: what it depends on; both ways if bidirectional) and its spectral
 * radius; throws UnstableDependencyMatrixError if that is >= 1. Dependencies of weight 0 carry nothing.
 */
export function functionalMatrix(dependencies: readonly DependencyRecord[], index: ReadonlyMap<string, number>, n: number, kinds?: readonly DependencyKind[]): { functional: InoperabilityMatrix; spectralRadius: number } {
  const fk = new Set<string>(kinds ?? ['service']);
  const fr: number[] = [];
  const fc: number[] = [];
  const fv: number[] = [];
  for (const d of dependencies) {
    if (!fk.has(d.kind) || !(d.weight > 0)) continue;
    const s = index.get(d.sourceId)!;
    const t = index.get(d.targetId)!;
    fr.push(t);
    fc.push(s);
    fv.push(d.weight);
    if (d.bidirectional) {
      fr.push(s);
      fc.push(t);
      fv.push(d.weight);
    }
  }
  const functional = inoperabilityMatrix(n, fr, fc, fv, { i32: sharedInt32, f64: sharedFloat64 });
  return { functional, spectralRadius: checkStable(functional) };
}
