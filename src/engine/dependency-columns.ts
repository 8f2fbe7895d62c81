/** The dependency model as typed-array columns, and a read-only record view over them (for 10^7 dependencies). */
import type { DependencyRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';

/**
 * Dependencies as columns: entity indexes (into `ids`, the entities' ids in snapshot order),
 * kinds by index, weights, and bidirectional as 0 false / 1 true / 2 absent. Ten million
 * dependencies take 180 MB this way; as records (each object its own) they took over 1.5 GB.
 */
export interface DependencyColumns {
  format: 'spillover.dependency-columns/1';
  source: Int32Array;
  target: Int32Array;
  kinds: string[];
  kind: Uint8Array;
  weight: Float64Array;
  bidirectional: Uint8Array;
}

/**
 * Writes dependency i into the columns: its entity indexes, its kind (numbered in order of first
 * appearance through `kindIndex`), weight and bidirectional (true 1, false 0, absent 2).
 */
export function setDependency(c: DependencyColumns, kindIndex: Map<string, number>, i: number, source: number, target: number, kind: string, weight: number, bidirectional: boolean | undefined): void {
  let k = kindIndex.get(kind);
  if (k === undefined) {
    kindIndex.set(kind, (k = c.kinds.length));
    c.kinds.push(kind);
  }
  c.source[i] = source;
  c.target[i] = target;
  c.kind[i] = k;
  c.weight[i] = weight;
  c.bidirectional[i] = bidirectional === undefined ? 2 : bidirectional ? 1 : 0;
}

const columnsOfView = new WeakMap<object, DependencyColumns>();

/** The columns behind a view made by dependencyView (undefined for a plain array). */
export function dependencyColumnsOf(deps: readonly DependencyRecord[]): DependencyColumns | undefined {
  return columnsOfView.get(deps);
}

/**
 * A read-only array view of dependency columns: `length`, `view[i]`, iteration and the
 * (non-mutating) array methods give records built on access (sharing the entities' id strings),
 * equal field for field to the records the columns were made from; no record is kept, so the
 * engine reads ten million of them in turn without holding them.
 */
export function dependencyView(c: DependencyColumns, ids: readonly string[]): readonly DependencyRecord[] {
  const n = c.source.length;
  const at = (i: number): DependencyRecord => {
    const b = c.bidirectional[i];
    const kind = c.kinds[c.kind[i]] as DependencyKind;
    return b === 2
      ? { sourceId: ids[c.source[i]], targetId: ids[c.target[i]], kind, weight: c.weight[i] }
      : { sourceId: ids[c.source[i]], targetId: ids[c.target[i]], kind, weight: c.weight[i], bidirectional: b === 1 };
  };
  function* iterate() {
    for (let i = 0; i < n; i++) yield at(i);
  }
  const view = new Proxy(Object.create(null) as object, {
    get(_t, prop) {
      if (prop === 'length') return n;
      if (prop === Symbol.iterator) return iterate;
      if (typeof prop === 'string') {
        const i = Number(prop);
        if (Number.isInteger(i) && i >= 0 && i < n) return at(i);
        // Array methods are generic (length and indexes): some, map, filter, forEach... work as on an array.
        if (prop !== 'constructor' && typeof (Array.prototype as any)[prop] === 'function') return (Array.prototype as any)[prop];
      }
      return undefined;
    },
    has(_t, prop) {
      if (prop === 'length') return true;
      const i = typeof prop === 'string' ? Number(prop) : NaN;
      return Number.isInteger(i) && i >= 0 && i < n;
    },
  }) as readonly DependencyRecord[];
  columnsOfView.set(view, c);
  return view;
}
