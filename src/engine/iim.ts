/**
 * The Inoperability Input-Output Model (Haimes & Jiang 2001; Santos & Haimes 2004) on a sparse
 * matrix: q = min(1, c + A* q), where A*_ij is the share of entity i's function lost when j is
 * fully inoperable and c is the direct inoperability (from infection). Stored column-wise
 * (for each j, the dependents i with A*_ij) because the solver pushes increments from a node to
 * the entities that depend on it, touching only the affected part of the graph.
 */

/** A* stored by column: for source j, entries offsets[j]..offsets[j+1]-1 give (row i, A*_ij). */
export interface InoperabilityMatrix {
  n: number;
  offsets: Int32Array;
  rows: Int32Array;
  coef: Float64Array;
}

/** Thrown when A* has spectral radius >= 1 (the cascade would not settle). */
export class UnstableDependencyMatrixError extends Error {
  constructor(readonly spectralRadius: number) {
    super(
      `the service-dependency matrix is unstable: spectral radius ${spectralRadius.toFixed(4)} >= 1 ` +
        `(the inoperability model needs it below 1; lower the weights of 'service' dependencies, ` +
        `e.g. so that each entity's incoming weights sum to less than 1)`,
    );
  }
}

/**
 * Builds A* from triplets (row i depends on column j with coefficient a); repeated pairs add up.
 * @param alloc array allocator (pass SharedArrayBuffer-backed allocators to share with workers)
 */
export function inoperabilityMatrix(
  n: number,
  row: ArrayLike<number>,
  col: ArrayLike<number>,
  value: ArrayLike<number>,
  alloc: { i32(len: number): Int32Array; f64(len: number): Float64Array } = { i32: (l) => new Int32Array(l), f64: (l) => new Float64Array(l) },
): InoperabilityMatrix {
  const nnz = row.length;
  const offsets = alloc.i32(n + 1);
  for (let k = 0; k < nnz; k++) {
    const v = value[k];
    if (!(v >= 0)) throw new Error(`inoperability coefficient must be >= 0, got ${v}`);
    offsets[col[k] + 1]++;
  }
  for (let j = 0; j < n; j++) offsets[j + 1] += offsets[j];
  const cursor = offsets.slice(0, n);
  const rows = alloc.i32(nnz);
  const coef = alloc.f64(nnz);
  for (let k = 0; k < nnz; k++) {
    const p = cursor[col[k]]++;
    rows[p] = row[k];
    coef[p] = value[k];
  }
  return { n, offsets, rows, coef };
}

/** From a dense row-major matrix (tests, small models). */
export function denseInoperabilityMatrix(a: number[][]): InoperabilityMatrix {
  const row: number[] = [];
  const col: number[] = [];
  const value: number[] = [];
  a.forEach((r, i) =>
    r.forEach((v, j) => {
      if (v !== 0) {
        row.push(i);
        col.push(j);
        value.push(v);
      }
    }),
  );
  return inoperabilityMatrix(a.length, row, col, value);
}

/**
 * Spectral radius of the nonnegative matrix A*. Cheap rigorous bounds first (max row / column
 * sums); otherwise power iteration on A* + I (which removes periodicity) with Collatz-Wielandt
 * bounds min_i (Bx)_i/x_i <= rho(B) <= max_i (Bx)_i/x_i, on the core of the matrix (nodes on or
 * between cycles; 0 without a cycle); returns the upper bound once it has converged (or both
 * bounds' midpoint once they meet).
 */
export function spectralRadius(m: InoperabilityMatrix, maxIterations = 500, tol = 1e-9): number {
  const { n, offsets, rows, coef } = m;
  if (n === 0 || offsets[n] === 0) return 0;
  const rowSum = new Float64Array(n);
  let maxCol = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = offsets[j]; p < offsets[j + 1]; p++) {
      s += coef[p];
      rowSum[rows[p]] += coef[p];
    }
    if (s > maxCol) maxCol = s;
  }
  let maxRow = 0;
  for (let i = 0; i < n; i++) if (rowSum[i] > maxRow) maxRow = rowSum[i];
  // rho <= min(max row sum, max column sum); power iteration tightens from there, on the core
  return estimate(core(m), maxIterations, tol, Math.min(maxRow, maxCol));
}

/**
 * The submatrix on the nodes that lie on a directed cycle or between cycles: nodes without an
 * incoming or an outgoing arc (iteratively) are removed. The spectral radius of a nonnegative
 * matrix is the largest of its strongly connected components', all inside this core, so it is
 * unchanged; the power iteration gets much smaller and its Collatz-Wielandt lower bound is no
 * longer pinned at 0 by source nodes. Returns `m` itself when nothing is removed.
 */
function core(m: InoperabilityMatrix): InoperabilityMatrix {
  const { n, offsets, rows, coef } = m;
  const nnz = offsets[n];
  const inDeg = new Int32Array(n);
  const outDeg = new Int32Array(n);
  for (let j = 0; j < n; j++)
    for (let p = offsets[j]; p < offsets[j + 1]; p++)
      if (coef[p] > 0) {
        outDeg[j]++;
        inDeg[rows[p]]++;
      }
  // transpose (arcs into each node) to find the sources of a removed node
  const tOff = new Int32Array(n + 1);
  for (let p = 0; p < nnz; p++) if (coef[p] > 0) tOff[rows[p] + 1]++;
  for (let i = 0; i < n; i++) tOff[i + 1] += tOff[i];
  const tSrc = new Int32Array(tOff[n]);
  const cur = tOff.slice(0, n);
  for (let j = 0; j < n; j++) for (let p = offsets[j]; p < offsets[j + 1]; p++) if (coef[p] > 0) tSrc[cur[rows[p]]++] = j;
  const removed = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let v = 0; v < n; v++)
    if (inDeg[v] === 0 || outDeg[v] === 0) {
      removed[v] = 1;
      stack[top++] = v;
    }
  let removedCount = top;
  while (top > 0) {
    const v = stack[--top];
    for (let p = offsets[v]; p < offsets[v + 1]; p++) {
      if (!(coef[p] > 0)) continue;
      const i = rows[p];
      if (removed[i] === 0 && --inDeg[i] === 0) {
        removed[i] = 1;
        stack[top++] = i;
        removedCount++;
      }
    }
    for (let p = tOff[v]; p < tOff[v + 1]; p++) {
      const j = tSrc[p];
      if (removed[j] === 0 && --outDeg[j] === 0) {
        removed[j] = 1;
        stack[top++] = j;
        removedCount++;
      }
    }
  }
  if (removedCount === 0) return m;
  const id = new Int32Array(n).fill(-1);
  let k = 0;
  for (let v = 0; v < n; v++) if (removed[v] === 0) id[v] = k++;
  const r: number[] = [];
  const c: number[] = [];
  const val: number[] = [];
  for (let j = 0; j < n; j++) {
    if (id[j] < 0) continue;
    for (let p = offsets[j]; p < offsets[j + 1]; p++) {
      const i = rows[p];
      if (id[i] >= 0 && coef[p] > 0) {
        r.push(id[i]);
        c.push(id[j]);
        val.push(coef[p]);
      }
    }
  }
  return inoperabilityMatrix(k, r, c, val);
}

function estimate(m: InoperabilityMatrix, maxIterations: number, tol: number, bound: number): number {
  const { n, offsets, rows, coef } = m;
  if (n === 0 || offsets[n] === 0) return 0; // no cycle: nilpotent
  let x = new Float64Array(n).fill(1);
  let y = new Float64Array(n);
  let lo = 0;
  let hi = bound;
  const hist: number[] = [];
  for (let it = 0; it < maxIterations; it++) {
    y.set(x);
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      if (xj === 0) continue;
      for (let p = offsets[j]; p < offsets[j + 1]; p++) y[rows[p]] += coef[p] * xj;
    }
    let mn = Infinity;
    let mx = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const r = y[i] / x[i];
      if (r < mn) mn = r;
      if (r > mx) mx = r;
      if (y[i] > norm) norm = y[i];
    }
    lo = Math.max(lo, mn - 1);
    hi = Math.min(hi, mx - 1);
    for (let i = 0; i < n; i++) y[i] = Math.max(y[i] / norm, 1e-300);
    const t = x;
    x = y;
    y = t;
    if (hi - lo < tol) break;
    if (hi < 1 - 1e-6 && it > 20 && hi - lo < 1e-3) return Math.max(0, (lo + hi) / 2); // clearly stable: precision not needed
    // on a reducible core the lower bound can stay low (a component with a smaller radius) while
    // the upper bound converges to rho: stop when it no longer moves
    hist.push(hi);
    if (it > 50 && hist[it - 50] - hi < tol * Math.max(1, hi)) break;
  }
  // the upper bound: rigorous (rho <= hi) and converging to rho; the midpoint when both bounds met
  return Math.max(0, hi - lo < tol ? (lo + hi) / 2 : hi);
}

/** Whether a cascade on A* of spectral radius `rho` settles: rho < 1, with a margin for the estimate's rounding. */
export function isStable(rho: number): boolean {
  return rho < 1 - 1e-9;
}

/** Throws UnstableDependencyMatrixError when rho(A*) >= 1. Returns rho. */
export function checkStable(m: InoperabilityMatrix): number {
  const rho = spectralRadius(m);
  if (!isStable(rho)) throw new UnstableDependencyMatrixError(rho);
  return rho;
}

/** Reusable buffers for the sparse solver. */
export class IimWorkspace {
  readonly q: Float64Array;
  /** Uncapped input c + A* q (no longer updated for an entity once its q reaches 1). */
  readonly s: Float64Array;
  readonly queue: Int32Array;
  readonly inQueue: Uint8Array;
  readonly touched: Int32Array;
  touchedCount = 0;
  /** Nodes whose s changed since the dense solver's last visit, one bit each (solveDense). */
  readonly dirty: Int32Array;
  constructor(readonly n: number) {
    this.dirty = new Int32Array((n + 31) >> 5);
    this.q = new Float64Array(n);
    this.s = new Float64Array(n);
    this.queue = new Int32Array(n);
    this.inQueue = new Uint8Array(n);
    this.touched = new Int32Array(n);
  }
  reset(): void {
    for (let k = 0; k < this.touchedCount; k++) {
      const v = this.touched[k];
      this.q[v] = 0;
      this.s[v] = 0;
    }
    this.touchedCount = 0;
  }
}

/**
 * Solves q = min(1, c + A* q) for a sparse c (nodes `cNode` with values `cValue`) by monotone
 * push propagation from q = 0: when q_j rises by d, every dependent i gets s_i += A*_ij d and
 * q_i = min(1, s_i). It converges to the least fixed point (the IIM solution) when rho(A*) < 1;
 * increments below `tol` are not propagated. Results are in ws.q for the nodes ws.touched[0..touchedCount).
 */
export function solveInoperabilitySparse(m: InoperabilityMatrix, cNode: ArrayLike<number>, cValue: ArrayLike<number>, cCount: number, ws: IimWorkspace, tol = 1e-10): void {
  ws.reset();
  const { offsets, rows, coef, n } = m;
  const { q, s, queue, inQueue, touched } = ws;
  if (cCount > n >> 3) {
    solveDense(m, cNode, cValue, cCount, ws, tol);
    return;
  }
  let tc = 0;
  let head = 0;
  let len = 0;
  for (let k = 0; k < cCount; k++) {
    const v = cNode[k];
    if (!(cValue[k] > 0)) continue;
    if (s[v] === 0 && q[v] === 0) touched[tc++] = v;
    s[v] += cValue[k];
    if (!inQueue[v]) {
      inQueue[v] = 1;
      queue[(head + len++) % n] = v;
    }
  }
  let pushes = 0;
  const limit = 1e3 * (n + offsets[n]) + 1e6;
  while (len > 0) {
    const j = queue[head];
    head = head + 1 === n ? 0 : head + 1;
    len--;
    inQueue[j] = 0;
    const sj = s[j];
    const target = sj < 1 ? sj : 1;
    const d = target - q[j];
    if (d <= tol) continue;
    q[j] = target;
    const end = offsets[j + 1];
    for (let p = offsets[j]; p < end; p++) {
      const i = rows[p];
      const qi = q[i];
      // at q = 1 an entity is settled (s only rises): its s is no longer needed
      if (qi === 1) continue;
      const s0 = s[i];
      if (s0 === 0 && qi === 0) touched[tc++] = i;
      const si = s0 + coef[p] * d;
      s[i] = si;
      if (inQueue[i] === 0 && (si < 1 ? si : 1) - qi > tol) {
        inQueue[i] = 1;
        let slot = head + len++;
        if (slot >= n) slot -= n;
        queue[slot] = i;
      }
    }
    if (++pushes > limit) throw new UnstableDependencyMatrixError(NaN);
  }
  ws.touchedCount = tc;
}

/**
 * The same monotone iteration as sweeps in node order (Gauss-Seidel pushes: when q_j rises by d,
 * s_i += A*_ij d for its dependents), for a c covering a large part of the graph: sequential
 * access instead of a FIFO's random order. Stops when no node rises by more than tol; converges
 * to the same least fixed point. ws.touched lists the nodes with s or q > 0, in node order.
 * A sweep visits only the nodes whose s changed since their last visit (a bit set, ws.dirty, read
 * in node order; a push onto a node further on is visited in the same sweep, onto one behind in
 * the next): any other node would find d = 0 or the same d <= tol and be passed over, so the
 * sweeps, their order of pushes and their results are those of visiting every node.
 */
function solveDense(m: InoperabilityMatrix, cNode: ArrayLike<number>, cValue: ArrayLike<number>, cCount: number, ws: IimWorkspace, tol: number): void {
  const { offsets, rows, coef, n } = m;
  const { q, s, touched, dirty } = ws;
  const words = dirty.length;
  dirty.fill(0);
  for (let k = 0; k < cCount; k++)
    if (cValue[k] > 0) {
      const v = cNode[k];
      s[v] += cValue[k];
      dirty[v >> 5] |= 1 << (v & 31);
    }
  const limit = 1e4;
  for (let sweep = 0; ; sweep++) {
    let maxd = 0;
    for (let w = 0; w < words; w++) {
      let bits = dirty[w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        dirty[w] &= ~(1 << b);
        const j = (w << 5) | b;
        const sj = s[j];
        const target = sj < 1 ? sj : 1;
        const d = target - q[j];
        if (d > tol) {
          q[j] = target;
          if (d > maxd) maxd = d;
          const end = offsets[j + 1];
          for (let p = offsets[j]; p < end; p++) {
            const i = rows[p];
            s[i] += coef[p] * d;
            dirty[i >> 5] |= 1 << (i & 31);
          }
        }
        // the rest of this word: nodes after j (pushes onto nodes up to j wait for the next sweep)
        bits = b === 31 ? 0 : dirty[w] & (-1 << (b + 1));
      }
    }
    if (maxd <= tol) break;
    if (sweep > limit) throw new UnstableDependencyMatrixError(NaN);
  }
  dirty.fill(0);
  let tc = 0;
  for (let v = 0; v < n; v++) if (s[v] !== 0 || q[v] !== 0) touched[tc++] = v;
  ws.touchedCount = tc;
}

/** Dense-vector convenience: q = min(1, c + A* q) for every entity. */
export function solveInoperability(m: InoperabilityMatrix, c: ArrayLike<number>, tol = 1e-12): Float64Array {
  const ws = new IimWorkspace(m.n);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < m.n; i++)
    if (c[i] > 0) {
      idx.push(i);
      val.push(c[i]);
    }
  solveInoperabilitySparse(m, idx, val, idx.length, ws, tol);
  return Float64Array.from(ws.q);
}

/**
 * Dynamic IIM (Lian & Haimes 2006): q(t+1) = q(t) + K [A* q(t) + c - q(t)], capped to [0,1].
 * @param k per-entity resilience coefficients (diagonal of K)
 */
export function dynamicInoperability(m: InoperabilityMatrix, c: ArrayLike<number>, k: ArrayLike<number>, steps: number, q0?: ArrayLike<number>): Float64Array {
  const { n, offsets, rows, coef } = m;
  let q = new Float64Array(n);
  if (q0) for (let i = 0; i < n; i++) q[i] = q0[i];
  let next = new Float64Array(n);
  for (let t = 0; t < steps; t++) {
    const aq = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let p = offsets[j]; p < offsets[j + 1]; p++) aq[rows[p]] += coef[p] * q[j];
    for (let i = 0; i < n; i++) next[i] = Math.min(1, Math.max(0, q[i] + k[i] * (aq[i] + c[i] - q[i])));
    const tmp = q;
    q = next;
    next = tmp;
  }
  return q;
}
