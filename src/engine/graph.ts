/**
 * The compact graph: compressed sparse rows (CSR) in typed arrays on SharedArrayBuffers,
 * so worker threads read one copy. Arc `a` of node `u` (offsets[u] <= a < offsets[u+1])
 * goes from `u` to `targets[a]`, with `weights[a]` in [0,1] and dependency kind `kinds[a]`
 * (the index of the kind in DEPENDENCY_KINDS). Infection flows along arcs: an arc
 * `source -> target` means "the target depends on / is reachable from the source".
 */
import { dependencyColumnsOf } from './dependency-columns';
import { readFileSync } from 'node:fs';
import { DEPENDENCY_KINDS, type DependencyKind } from '../domain/vocabulary';
import type { DependencyRecord, EntityRecord } from '../domain/records';

/** Number of kind slots per-kind tables hold (DEPENDENCY_KINDS.length rounded up). */
export const KIND_SLOTS = 8;

export interface Graph {
  /** Number of nodes. */
  n: number;
  /** Number of arcs (an undirected edge or bidirectional dependency is two arcs). */
  arcs: number;
  /** Arc range of node u is offsets[u] .. offsets[u+1]-1 (length n+1). */
  offsets: Int32Array;
  /** Head of each arc. */
  targets: Int32Array;
  /** Strength of each arc in [0,1]. */
  weights: Float32Array;
  /** Dependency kind index (into DEPENDENCY_KINDS) of each arc. */
  kinds: Uint8Array;
  /** True when every weight is 1 and every arc has the same kind (lets the kernels skip per-arc thinning). */
  uniform: boolean;
  /** Largest arc weight. */
  maxWeight: number;
  /**
   * For undirected graphs: the edge list (each edge once, arcs 2i-ish share its weight and kind).
   * Lets the percolation fast path open each edge with one coin.
   */
  edges?: { src: Int32Array; dst: Int32Array; weight: Float32Array | null; kind: Uint8Array | null };
}

/** Graph construction or edge-list error, with the place it was found. */
export class GraphInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
  }
}

export function sharedInt32(len: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);
}
export function sharedFloat32(len: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);
}
export function sharedFloat64(len: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, len) * 8), 0, len);
}
export function sharedUint8(len: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, len)), 0, len);
}

/** Edges as parallel arrays; `both[i]` (or `undirected`) adds the reverse arc too. */
export interface EdgeArrays {
  n: number;
  src: Int32Array;
  dst: Int32Array;
  weight?: Float32Array;
  kind?: Uint8Array;
  /** Per edge: 1 adds the reverse arc as well. */
  both?: Uint8Array;
  /** Every edge adds both arcs. */
  undirected?: boolean;
}

/** Builds the CSR (counting sort by source; arcs of a node keep input order). */
export function buildCsr(e: EdgeArrays): Graph {
  const { n, src, dst } = e;
  const m = src.length;
  const twice = (i: number) => e.undirected === true || (e.both !== undefined && e.both[i] === 1);
  const offsets = sharedInt32(n + 1);
  let arcs = 0;
  for (let i = 0; i < m; i++) {
    offsets[src[i] + 1]++;
    arcs++;
    if (twice(i)) {
      offsets[dst[i] + 1]++;
      arcs++;
    }
  }
  if (arcs > 2147483647) throw new Error(`graph too large: ${arcs} arcs`);
  for (let u = 0; u < n; u++) offsets[u + 1] += offsets[u];
  const cursor = new Int32Array(n);
  for (let u = 0; u < n; u++) cursor[u] = offsets[u];
  const targets = sharedInt32(arcs);
  const weights = sharedFloat32(arcs);
  const kinds = sharedUint8(arcs);
  let maxWeight = 0;
  let uniform = true;
  const k0 = e.kind ? e.kind[0] ?? 0 : 0;
  for (let i = 0; i < m; i++) {
    const w = e.weight ? e.weight[i] : 1;
    const k = e.kind ? e.kind[i] : 0;
    if (w > maxWeight) maxWeight = w;
    if (w !== 1 || k !== k0) uniform = false;
    let a = cursor[src[i]]++;
    targets[a] = dst[i];
    weights[a] = w;
    kinds[a] = k;
    if (twice(i)) {
      a = cursor[dst[i]]++;
      targets[a] = src[i];
      weights[a] = w;
      kinds[a] = k;
    }
  }
  if (arcs === 0) maxWeight = 1;
  const g: Graph = { n, arcs, offsets, targets, weights, kinds, uniform, maxWeight };
  if (e.undirected === true) {
    const es = sharedInt32(m);
    es.set(src);
    const ed = sharedInt32(m);
    ed.set(dst);
    let ew: Float32Array | null = null;
    let ek: Uint8Array | null = null;
    if (!uniform) {
      ew = sharedFloat32(m);
      for (let i = 0; i < m; i++) ew[i] = e.weight ? e.weight[i] : 1;
      ek = sharedUint8(m);
      if (e.kind) ek.set(e.kind);
    }
    g.edges = { src: es, dst: ed, weight: ew, kind: ek };
  }
  return g;
}

/** Result of building a graph from domain records: the graph and the id <-> index maps. */
export interface EntityGraph {
  graph: Graph;
  /** Entity id of node i. */
  ids: string[];
  /** Node index of an entity id. */
  index: Map<string, number>;
}

/**
 * Builds the spread graph from entities and dependencies (ids become indices in entity order).
 * Each dependency `sourceId -> targetId` is an arc (both ways when `bidirectional`).
 * Throws GraphInputError naming the dependency (1-based position) for unknown ids, unknown kinds
 * or weights outside [0,1].
 */
export function buildGraph(entities: readonly EntityRecord[], dependencies: readonly DependencyRecord[], source = 'dependencies'): EntityGraph {
  const index = new Map<string, number>();
  const ids: string[] = new Array(entities.length);
  entities.forEach((e, i) => {
    if (index.has(e.id)) throw new GraphInputError('entities', i + 1, `duplicate entity id '${e.id}'`);
    index.set(e.id, i);
    ids[i] = e.id;
  });
  const m = dependencies.length;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  const weight = new Float32Array(m);
  const kind = new Uint8Array(m);
  const both = new Uint8Array(m);
  // Stored graphs arrive as columns of entity indexes: no record and no id look-up per dependency
  // (at 9M dependencies records took 13 s of a 17.5 s scenario preparation).
  const columns = dependencyColumnsOf(dependencies);
  const columnKinds = columns?.kinds.map(kindIndex);
  for (let i = 0; i < m; i++) {
    let s: number | undefined;
    let t: number | undefined;
    let k: number;
    let w: number;
    let b: boolean;
    if (columns) {
      s = columns.source[i];
      t = columns.target[i];
      k = columnKinds![columns.kind[i]];
      w = columns.weight[i];
      b = columns.bidirectional[i] === 1;
    } else {
      const d = dependencies[i];
      s = index.get(d.sourceId);
      t = index.get(d.targetId);
      k = kindIndex(d.kind);
      w = d.weight ?? 1;
      b = !!d.bidirectional;
    }
    if (s === undefined || s < 0 || s >= ids.length) throw new GraphInputError(source, i + 1, `unknown source entity '${dependencies[i].sourceId}'`);
    if (t === undefined || t < 0 || t >= ids.length) throw new GraphInputError(source, i + 1, `unknown target entity '${dependencies[i].targetId}'`);
    if (k < 0) throw new GraphInputError(source, i + 1, `unknown dependency kind '${dependencies[i].kind}'`);
    if (!(w >= 0 && w <= 1)) throw new GraphInputError(source, i + 1, `weight must lie in [0,1], got ${w}`);
    src[i] = s;
    dst[i] = t;
    weight[i] = w;
    kind[i] = k;
    both[i] = b ? 1 : 0;
  }
  return { graph: buildCsr({ n: entities.length, src, dst, weight, kind, both }), ids, index };
}

/**
 * Node labels numbered in order of first appearance: edge lists and posted graphs name nodes by
 * label, the CSR by index, and both number them the same way so a graph gives the same runs
 * whichever way it came in.
 */
export class NodeLabels {
  /** Label of node i. */
  readonly ids: string[] = [];
  /** Node of a label. */
  readonly index = new Map<string, number>();
  /** The node of a label, numbered next if it is new. */
  of(label: string): number {
    let v = this.index.get(label);
    if (v === undefined) {
      v = this.ids.length;
      this.index.set(label, v);
      this.ids.push(label);
    }
    return v;
  }
}

/**
 * The CSR graph of edges `[u, v, weight, kind name]` between labelled nodes, already checked by
 * the caller (a posted graph): nodes numbered as listed in `nodes`, then in order of first
 * appearance in the edges; weights and kinds are kept only if some edge is not `[.., 1, network]`.
 */
export function labelledGraph(nodes: readonly string[] | null, edges: ReadonlyArray<readonly [string, string, number, string]>, directed: boolean): EntityGraph {
  const labels = new NodeLabels();
  for (const id of nodes ?? []) labels.of(id);
  const m = edges.length;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  const weight = new Float32Array(m);
  const kind = new Uint8Array(m);
  let weighted = false;
  for (let i = 0; i < m; i++) {
    const [u, v, w, k] = edges[i];
    src[i] = labels.of(u);
    dst[i] = labels.of(v);
    weight[i] = w;
    kind[i] = kindIndex(k);
    if (w !== 1 || kind[i] !== 0) weighted = true;
  }
  const graph = buildCsr({ n: labels.ids.length, src, dst, weight: weighted ? weight : undefined, kind: weighted ? kind : undefined, undirected: !directed });
  return { graph, ids: labels.ids, index: labels.index };
}

export function kindIndex(kind: string): number {
  return (DEPENDENCY_KINDS as readonly string[]).indexOf(kind);
}
export function kindName(k: number): DependencyKind {
  return DEPENDENCY_KINDS[k];
}

/** An edge list read from a file: the graph plus node labels. */
export interface EdgeListGraph {
  graph: Graph;
  file: string;
  /** Undirected edges / directed dependencies as listed (before doubling). */
  edges: number;
  /**
   * How labels map to nodes: when every label is a non-negative integer the label is the node
   * index (so ids match other tools reading the same file); otherwise labels are numbered in order
   * of first appearance.
   */
  labels: string[] | null;
  /** Node index of a label, or -1. */
  lookup(label: string): number;
}

const INT_RE = /^\d+$/;

/**
 * Reads an edge list: one `u v [weight [kind]]` per line, whitespace-separated; blank lines and
 * lines starting with `#` (or `%`) are skipped; weight in [0,1] (default 1); kind one of
 * DEPENDENCY_KINDS (default `network`). Undirected unless `directed`.
 * Errors throw GraphInputError with file, line and reason.
 */
export function readEdgeList(path: string, opts: { directed?: boolean } = {}): EdgeListGraph {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GraphInputError(path, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseEdgeList(text, path, opts);
}

/** Parses edge-list text (see readEdgeList). */
export function parseEdgeList(text: string, file: string, opts: { directed?: boolean } = {}): EdgeListGraph {
  let cap = 1024;
  let src = new Int32Array(cap);
  let dst = new Int32Array(cap);
  let weight = new Float32Array(cap);
  let kind = new Uint8Array(cap);
  let m = 0;
  let anyWeightOrKind = false;
  const labels = new NodeLabels();
  let integerMode = true;
  let maxInt = -1;
  // Keep tokens as integers while every label is an integer; switch to a label table (renumbering
  // what was read so far) on the first non-integer label.
  let pending: Array<[string, string]> | null = null;
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  const node = (tok: string): number => {
    if (integerMode) {
      if (INT_RE.test(tok)) {
        const v = Number(tok);
        if (v > 2147483646) throw new GraphInputError(file, lineNo, `node id ${tok} too large`);
        if (v > maxInt) maxInt = v;
        return v;
      }
      // switch to labels: renumber what we have so far in order of appearance
      integerMode = false;
      pending = [];
      for (let i = 0; i < m; i++) pending.push([String(src[i]), String(dst[i])]);
      for (let i = 0; i < m; i++) {
        src[i] = labels.of(pending[i][0]);
        dst[i] = labels.of(pending[i][1]);
      }
      pending = null;
    }
    return labels.of(tok);
  };
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    lineNo++;
    const line = text.slice(pos, end).trim();
    pos = end + 1;
    if (line === '' || line[0] === '#' || line[0] === '%') continue;
    const f = line.split(/\s+/);
    if (f.length < 2) throw new GraphInputError(file, lineNo, `expected 'u v [weight [kind]]', got '${clip(line)}'`);
    if (f.length > 4) throw new GraphInputError(file, lineNo, `too many fields (${f.length}); expected 'u v [weight [kind]]'`);
    let w = 1;
    if (f.length >= 3) {
      w = Number(f[2]);
      if (f[2] === '' || !Number.isFinite(w)) throw new GraphInputError(file, lineNo, `weight '${f[2]}' is not a number`);
      if (w < 0) throw new GraphInputError(file, lineNo, `negative weight ${f[2]}`);
      if (w > 1) throw new GraphInputError(file, lineNo, `weight ${f[2]} exceeds 1 (weights are strengths in [0,1])`);
      anyWeightOrKind = true;
    }
    let k = 0;
    if (f.length === 4) {
      k = kindIndex(f[3]);
      if (k < 0) throw new GraphInputError(file, lineNo, `unknown kind '${f[3]}' (one of ${DEPENDENCY_KINDS.join(', ')})`);
      anyWeightOrKind = true;
    }
    if (m === cap) {
      cap *= 2;
      src = grow(src, cap);
      dst = grow(dst, cap);
      weight = grow(weight, cap);
      kind = grow(kind, cap);
    }
    src[m] = node(f[0]);
    dst[m] = node(f[1]);
    weight[m] = w;
    kind[m] = k;
    m++;
  }
  const n = integerMode ? maxInt + 1 : labels.ids.length;
  const graph = buildCsr({
    n,
    src: src.subarray(0, m),
    dst: dst.subarray(0, m),
    weight: anyWeightOrKind ? weight.subarray(0, m) : undefined,
    kind: anyWeightOrKind ? kind.subarray(0, m) : undefined,
    undirected: !opts.directed,
  });
  const finalLabels = integerMode ? null : labels.ids;
  return {
    graph,
    file,
    edges: m,
    labels: finalLabels,
    lookup: (tok: string) => {
      if (finalLabels === null) return INT_RE.test(tok) && Number(tok) < n ? Number(tok) : -1;
      return labels.index.get(tok) ?? -1;
    },
  };
}

function grow<T extends Int32Array | Float32Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as { new (n: number): T })(cap);
  b.set(a);
  return b;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * A uniform random G(n, m) Erdos-Renyi graph without loops or repeated edges (undirected),
 * from a seeded stream. Used by the tests and the bench.
 */
export function erdosRenyiEdges(n: number, m: number, rng: { int(n: number): number }): { src: Int32Array; dst: Int32Array } {
  if (m > (n * (n - 1)) / 2) throw new Error(`m=${m} exceeds n(n-1)/2`);
  const keys = new Float64Array(m);
  let have = 0;
  while (have < m) {
    const start = have;
    while (have < m) {
      const u = rng.int(n);
      const v = rng.int(n);
      if (u === v) continue;
      keys[have++] = u < v ? u * n + v : v * n + u;
    }
    const sorted = keys.subarray(0, have).sort();
    let w = 0;
    for (let i = 0; i < have; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[w++] = sorted[i];
    have = w;
    if (have === start && start === m) break;
  }
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    src[i] = Math.floor(keys[i] / n);
    dst[i] = keys[i] - src[i] * n;
  }
  return { src, dst };
}

/** The node an arc leaves: the u with offsets[u] <= a < offsets[u+1]. */
export function tailOf(offsets: Int32Array, a: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
