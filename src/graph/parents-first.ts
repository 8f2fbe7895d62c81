import type { NewEntity } from '../domain/rules/entity';

/**
 * Orders a batch so every parent inside the batch comes before its children (foreign keys):
 * by depth within the batch, then by id (inserting in key order keeps the indexes' pages hot).
 * Ids on a parentId cycle within the batch are returned in `cyclic` (and left out of `order`).
 */
export function parentsFirst(values: readonly NewEntity[]): { order: NewEntity[]; cyclic: string[] } {
  const n = values.length;
  const position = new Map<string, number>();
  for (let i = 0; i < n; i++) position.set(values[i].id, i);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = values[i].parentId;
    if (p) parent[i] = position.get(p) ?? -1;
  }
  // depth: -1 unknown, -2 on the current path, -3 on (or below) a cycle.
  const depth = new Int32Array(n).fill(-1);
  const path: number[] = [];
  const cyclic: string[] = [];
  for (let s = 0; s < n; s++) {
    if (depth[s] !== -1) continue;
    path.length = 0;
    let v = s;
    while (v !== -1 && depth[v] === -1) {
      depth[v] = -2;
      path.push(v);
      v = parent[v];
    }
    let base: number;
    if (v === -1) base = -1;
    else if (depth[v] === -2) {
      const start = path.indexOf(v);
      for (const u of path.slice(start)) cyclic.push(values[u].id);
      base = -3;
    } else base = depth[v];
    for (let k = path.length - 1; k >= 0; k--) {
      const u = path[k];
      depth[u] = base === -3 ? -3 : ++base;
    }
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (depth[i] >= 0) order.push(i);
  order.sort((a, b) => depth[a] - depth[b] || (values[a].id < values[b].id ? -1 : values[a].id > values[b].id ? 1 : 0));
  return { order: order.map((i) => values[i]), cyclic };
}
