/**
 * Which filed loss covers an entity. Responders file a group's loss for its head office (Maersk's
 * USD 200-300m is the group's figure), so counting it for the head office and drawing the sites'
 * losses on top would count the group twice: the filed figure covers the filer's whole subtree.
 */
import type { EntityRecord } from '../domain/records';
import { sharedInt32 } from './graph';

/**
 * For every entity, the slot of the outermost filed loss among the entity and its ancestors
 * (`parentId`), or -1; `lossMu` per report slot, NaN where no loss was filed.
 */
export function filedLossCover(entities: readonly EntityRecord[], index: ReadonlyMap<string, number>, reportSlot: Int32Array, lossMu: Float64Array): Int32Array {
  const n = entities.length;
  const cover = sharedInt32(n).fill(-1);
  if (!lossMu.some((mu) => mu === mu)) return cover;
  const parent = new Int32Array(n).fill(-1);
  entities.forEach((e, v) => {
    const p = e.parentId ? index.get(e.parentId) : undefined;
    if (p !== undefined) parent[v] = p;
  });
  for (let v = 0; v < n; v++) {
    // the step limit guards against a parent cycle, which the graph rules refuse elsewhere
    for (let u = v, steps = 0; u >= 0 && steps <= n; u = parent[u], steps++) {
      const slot = reportSlot[u];
      if (slot >= 0 && lossMu[slot] === lossMu[slot]) cover[v] = slot;
    }
  }
  return cover;
}
