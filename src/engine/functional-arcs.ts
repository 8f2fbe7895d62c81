/**
 * The inoperability model's functional dependence, read off dependencies: an entity depends on a
 * dependency's source with the dependency's weight (A*[target][source] = weight), both ways when
 * the dependency is bidirectional. Only kinds that carry function (by default `service`) and
 * positive weights count. One rule for the scenario preparation and for the stability check an
 * assessment request runs on the stored graph before it queues a job.
 */
import { inoperabilityMatrix, type InoperabilityMatrix } from './iim';

/** Kinds whose dependencies carry functional dependence unless a scenario says otherwise. */
export const DEFAULT_FUNCTIONAL_KINDS: readonly string[] = ['service'];

export class FunctionalArcs {
  private readonly kinds: ReadonlySet<string>;
  private readonly row: number[] = [];
  private readonly col: number[] = [];
  private readonly value: number[] = [];

  constructor(kinds: readonly string[] = DEFAULT_FUNCTIONAL_KINDS) {
    this.kinds = new Set(kinds);
  }

  /** Whether a dependency of this kind and weight enters the matrix (a reader can skip the rest). */
  carries(kind: string, weight: number): boolean {
    return this.kinds.has(kind) && weight > 0;
  }

  /** Adds a dependency between entity indices `source` and `target`; ignored unless it carries function. */
  add(source: number, target: number, kind: string, weight: number, bidirectional: boolean): void {
    if (!this.carries(kind, weight)) return;
    this.row.push(target);
    this.col.push(source);
    this.value.push(weight);
    if (bidirectional) {
      this.row.push(source);
      this.col.push(target);
      this.value.push(weight);
    }
  }

  /** A* over `n` entities; `alloc` as for inoperabilityMatrix (shared buffers for worker threads). */
  matrix(n: number, alloc?: Parameters<typeof inoperabilityMatrix>[4]): InoperabilityMatrix {
    return inoperabilityMatrix(n, this.row, this.col, this.value, alloc);
  }
}
