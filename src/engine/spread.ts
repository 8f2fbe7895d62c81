/**
 * Spread kernels on the CSR graph.
 *
 * - `runCascade`: the discrete independent cascade (IC). Every arc u->v gets one independent
 *   chance, with probability p = kindProb[kind] * weight * susceptibility[v], when u is infected.
 *   Its final set is the set reachable from the seeds over open arcs (bond percolation), so the
 *   order of processing does not matter: a FIFO breadth-first pass. Open arcs are found by
 *   geometric skipping with the largest arc probability pmax (one random number per candidate
 *   arc instead of one per arc) and thinned to each arc's own probability (accept with p/pmax),
 *   which keeps the per-arc semantics exactly.
 * - `runEvents`: the event-driven continuous-time model (first-passage percolation / SIR,
 *   Kiss, Miller & Simon's fast algorithm): nodes are infected in time order from a monotone
 *   calendar queue (queue.ts: time buckets, the current one a small 4-ary heap) with lazy
 *   deletion (an earlier arrival is pushed again, the stale entry skipped when popped); only
 *   arrivals that improve the target's time are pushed. An infected node u spreads during its window
 *   [t_u, min(t_u + W_u, stopAt[u], tEnd)); each arc transmits with probability p (as above)
 *   after a delay (fixed, lognormal or exponential per kind) and the transmission counts if it
 *   lands inside the window. Candidates come by skipping only when the node's largest arc chance
 *   is small (SKIP_BELOW), else every arc draws once against its own chance. With exponential
 *   delays of rate r the per-arc chance within the window is p(1 - exp(-r W)), and the delay
 *   given transmission is a truncated exponential:
 *   this is the Markovian SIR with T = r / (r + gamma) when W ~ Exp(gamma).
 */
import type { Graph } from './graph';
import type { Rng } from './prng';
import { EventQueue } from './queue';

/** Reusable per-thread buffers for one graph (reset sparsely between runs). */
export class SpreadWorkspace {
  readonly time: Float64Array;
  readonly parentArc: Int32Array;
  /** 0 untouched, 1 reached (in heap), 2 infected. */
  readonly state: Uint8Array;
  /** Infected nodes in infection order; `count` of them. */
  readonly order: Int32Array;
  count = 0;
  /** Arcs leaving infected nodes in the last run (sum of their out-degrees where they could spread). */
  arcs = 0;
  readonly touched: Int32Array;
  touchedCount = 0;
  /** Event queue of runEvents (monotone calendar queue, see queue.ts). */
  readonly queue: EventQueue;
  /**
   * End of each infected node's spreading window (its recovery), recorded by runEvents only when
   * the caller allocates it (the researchers' time series); null otherwise.
   */
  until: Float64Array | null = null;
  /** Union-find parents / sizes for the percolation fast path (allocated on first use). */
  uf: Int32Array | null = null;
  heapSize = 0;
  /** runEvents' fixed delay of each kind in the current run (exp(delayMu)), allocated on first use. */
  fixedDelay: Float64Array | null = null;

  constructor(readonly n: number) {
    this.time = new Float64Array(n).fill(Infinity);
    this.parentArc = new Int32Array(n).fill(-1);
    this.state = new Uint8Array(n);
    this.order = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.queue = new EventQueue(1024);
  }

  /** Clears what the last run touched. */
  reset(): void {
    const { touched, time, parentArc, state } = this;
    for (let i = 0; i < this.touchedCount; i++) {
      const v = touched[i];
      time[v] = Infinity;
      parentArc[v] = -1;
      state[v] = 0;
    }
    this.touchedCount = 0;
    this.count = 0;
    this.heapSize = 0;
    this.arcs = 0;
  }
}

/** Largest per-arc probability on the graph given per-kind probabilities (capped at 1). */
export function maxArcProbability(g: Graph, kindProb: Float64Array): number {
  let m = 0;
  for (let k = 0; k < kindProb.length; k++) if (kindProb[k] > m) m = kindProb[k];
  return Math.min(1, m * g.maxWeight);
}

/**
 * Independent cascade from `seeds` (all infected at generation 0). Fills ws.order / ws.count,
 * ws.parentArc (the arc that infected each node, -1 for seeds) and ws.arcs.
 * @returns the number of infected nodes
 */
export function runCascade(g: Graph, seeds: ArrayLike<number>, kindProb: Float64Array, susceptibility: Float32Array | null, rng: Rng, ws: SpreadWorkspace): number {
  ws.reset();
  const { offsets, targets, weights, kinds } = g;
  const { state, order, parentArc, touched } = ws;
  let count = 0;
  for (let i = 0; i < seeds.length; i++) {
    const s = seeds[i];
    if (state[s] === 0) {
      state[s] = 2;
      parentArc[s] = -1;
      order[count++] = s;
    }
  }
  const pmax = maxArcProbability(g, kindProb);
  const thin = !(g.uniform && susceptibility === null);
  let arcs = 0;
  if (pmax > 0) {
    // Geometric skipping over the concatenated sequence of arcs scanned: `gap` closed trials
    // precede the next open one; memorylessness lets the gap carry over from node to node.
    // a gap is floor(E / -ln(1 - pmax)), E ~ Exp(1): P(gap >= k) = (1 - pmax)^k
    const skipRate = pmax < 1 ? -Math.log(1 - pmax) : Infinity;
    let gap = Math.floor(rng.exponential1() / skipRate);
    for (let h = 0; h < count; h++) {
      const u = order[h];
      const start = offsets[u];
      const end = offsets[u + 1];
      arcs += end - start;
      let a = start;
      for (;;) {
        const left = end - a;
        if (gap >= left) {
          gap -= left;
          break;
        }
        a = (a + gap) | 0;
        const v = targets[a];
        if (state[v] === 0) {
          let ok = true;
          if (thin) {
            const pa = kindProb[kinds[a]] * weights[a] * (susceptibility === null ? 1 : susceptibility[v]);
            ok = pa >= pmax || rng.random() * pmax < pa;
          }
          if (ok) {
            state[v] = 2;
            parentArc[v] = a;
            order[count++] = v;
          }
        }
        a++;
        gap = Math.floor(rng.exponential1() / skipRate);
      }
    }
  }
  for (let i = 0; i < count; i++) touched[i] = order[i];
  ws.touchedCount = count;
  ws.count = count;
  ws.arcs = arcs;
  return count;
}

/**
 * Final size of the independent cascade on an undirected graph with symmetric arc probabilities
 * (no per-target susceptibility), by bond percolation: one pass over the edges opens each with
 * its probability (geometric skipping + thinning), union-find joins the ends, and the outbreak is
 * the union of the seeds' clusters. Each undirected edge is used by the cascade in at most one
 * direction and both directions have the same probability, so this has exactly the cascade's
 * distribution of final sizes. It does not say who infected whom (use runCascade for that).
 * ws.arcs is set to the number of edges whose coin was decided (all of them).
 * @returns the number of infected nodes
 */
export function percolationFinalSize(g: Graph, seeds: ArrayLike<number>, kindProb: Float64Array, rng: Rng, ws: SpreadWorkspace): number {
  const e = g.edges;
  if (!e) throw new Error('percolationFinalSize needs an undirected graph');
  ws.reset();
  const n = g.n;
  let uf = ws.uf;
  if (uf === null) uf = ws.uf = new Int32Array(n);
  // uf[v] >= 0: parent; uf[v] < 0: root of a cluster of size -uf[v]
  uf.fill(-1);
  const { src, dst, weight, kind } = e;
  const m = src.length;
  const pmax = maxArcProbability(g, kindProb);
  const thin = weight !== null;
  if (pmax > 0) {
    const skipRate = pmax < 1 ? -Math.log(1 - pmax) : Infinity;
    let i = Math.floor(rng.exponential1() / skipRate);
    while (i < m) {
      let ok = true;
      if (thin) {
        const pa = kindProb[kind![i]] * weight![i];
        ok = pa >= pmax || rng.random() * pmax < pa;
      }
      if (ok) {
        // find with path halving
        let a = src[i];
        while (uf[a] >= 0) {
          const p = uf[a];
          if (uf[p] >= 0) uf[a] = uf[p];
          a = uf[a];
        }
        let b = dst[i];
        while (uf[b] >= 0) {
          const p = uf[b];
          if (uf[p] >= 0) uf[b] = uf[p];
          b = uf[b];
        }
        if (a !== b) {
          // union by size
          if (uf[a] > uf[b]) {
            const t = a;
            a = b;
            b = t;
          }
          uf[a] += uf[b];
          uf[b] = a;
        }
      }
      i += 1 + Math.floor(rng.exponential1() / skipRate);
    }
  }
  let total = 0;
  const seen: number[] = [];
  for (let j = 0; j < seeds.length; j++) {
    let a = seeds[j];
    while (uf[a] >= 0) a = uf[a];
    if (seen.indexOf(a) === -1) {
      seen.push(a);
      total += -uf[a];
    }
  }
  ws.arcs = m;
  ws.count = 0;
  return total;
}

/** runEvents skips over closed arcs (geometric gaps) when the largest arc chance is below this. */
const SKIP_BELOW = 0.3;

/** Delay laws per kind. */
export const DelayMode = { fixed: 0, lognormal: 1, exponential: 2 } as const;
/** Spreading-window laws per node. */
export const WindowMode = { none: 0, exponential: 1, lognormal: 2 } as const;

/** Parameters of one event-driven run (per-kind tables are indexed by kind code). */
export interface EventConfig {
  /** Probability that an arc of weight 1 into a fully susceptible node ever transmits. */
  kindProb: Float64Array;
  delayMode: number;
  /** fixed: delay exp(mu); lognormal: exp(mu + sigma Z) (hours or any time unit). */
  delayMu: Float64Array;
  delaySigma: Float64Array;
  /** exponential: delay ~ Exp(rate). */
  delayRate: Float64Array;
  windowMode: number;
  windowRate: number;
  windowMu: number;
  windowSigma: number;
  /** No infection happens after this time (kill switch, horizon). */
  tEnd: number;
  susceptibility: Float32Array | null;
  /** Per-node time at which the node stops spreading (reported containment); null = never. */
  stopAt: Float64Array | null;
  /** Width of the event queue's time buckets (cost only, never results); default from the delays. */
  bucketWidth?: number;
  /**
   * Conditioning on the reports (calibrated runs). A transmission onto a node marked in
   * `exempt` (a report taken as genuine: the node is seeded at its drawn infection time) is
   * dropped. A transmission landing at tv <= `until` (asOf) on any other node is kept with
   * probability `1 - rho F(until - tv)`, F(x) = 1 - exp(-x lagRate) the chance its report would
   * have come in by asOf (lagRate Infinity: at once): given which infections were reported, the
   * unreported ones are the spread thinned by that chance, so seeded runs do not grow a second
   * lineage beside each reported one, and late infections (not reported yet) are not thinned.
   * With `share` q (the share of entities infected, infectedShare) the chance a transmission is
   * dropped is rho F (1 - q)/(1 - q rho F), so that an unreported entity is infected with
   * probability q(1 - rho F)/(1 - q rho F), as conditioning on its not being reported gives.
   */
  thin?: { until: number; rho: number; lagRate: number; exempt: Uint8Array; share?: number } | null;
}

/**
 * Bucket width of the event queue: a 64th of the typical delay (the fastest used kind's median,
 * or 1/(rate + recovery) for exponential delays), so buckets hold a few dozen events.
 */
export function bucketWidthOf(cfg: EventConfig): number {
  let tau = Infinity;
  for (let k = 0; k < cfg.kindProb.length; k++) {
    if (!(cfg.kindProb[k] > 0)) continue;
    const d = cfg.delayMode === DelayMode.exponential ? 1 / (cfg.delayRate[k] + (cfg.windowMode === WindowMode.exponential ? cfg.windowRate : 0)) : Math.exp(cfg.delayMu[k]);
    if (d < tau) tau = d;
  }
  return tau > 0 && Number.isFinite(tau) ? tau / 64 : 1;
}

/**
 * Event-driven spread from seeds at given times. Fills ws.time (infection times, Infinity if not
 * infected), ws.order/count (in time order), ws.parentArc (-1 for nodes infected by seeding).
 * The hot loop reads the configuration into locals once per run and inlines the thinning of
 * EventConfig.thin; its random draws and floating-point expressions are the model's exactly
 * (runs are reproducible bit for bit, see prng.ts).
 * @returns the number of infected nodes
 */
export function runEvents(g: Graph, seedNode: ArrayLike<number>, seedTime: ArrayLike<number>, cfg: EventConfig, rng: Rng, ws: SpreadWorkspace): number {
  ws.reset();
  const { offsets, targets, weights, kinds } = g;
  const { time, parentArc, state, order, touched } = ws;
  const until = ws.until;
  const { kindProb, delayMode, delayMu, delaySigma, delayRate, windowMode, windowRate, windowMu, windowSigma, tEnd, susceptibility, stopAt } = cfg;
  const thin = cfg.thin ?? null;
  // EventConfig.thin, read once: a transmission onto an exempt node is dropped; one landing at
  // tv <= thinUntil is kept with a draw against rho F(until - tv) (1 - q) / (1 - q rho F)
  const thinning = thin !== null;
  const exempt = thinning ? thin.exempt : null;
  const thinUntil = thinning ? thin.until : 0;
  const rho = thinning ? thin.rho : 0;
  const lagRate = thinning ? thin.lagRate : 0;
  const atOnce = lagRate === Infinity;
  const share = thinning ? (thin.share ?? 0) : 0;
  // the largest chance of dropping a transmission (reported by asOf with certainty, F = 1): a draw
  // at or above it keeps the transmission whatever F is, so F's expm1 is needed only below it
  const dropAtMost = share * rho < 1 ? (rho * (1 - share)) / (1 - share * rho) : 1;
  // Monotone event queue (calendar of buckets + small heaps, see queue.ts) with lazy deletion:
  // an earlier arrival pushes a new entry and the stale one is skipped when popped (its node is
  // infected by then).
  const queue = ws.queue;
  queue.reset(cfg.bucketWidth ?? bucketWidthOf(cfg));
  let touchedCount = 0;

  for (let i = 0; i < seedNode.length; i++) {
    const t = seedTime[i];
    const v = seedNode[i];
    if (!(t <= tEnd)) continue;
    if (state[v] === 0) {
      state[v] = 1;
      touched[touchedCount++] = v;
    } else if (!(t < time[v])) continue;
    time[v] = t;
    parentArc[v] = -1;
    queue.push(v, t);
  }

  let pmax = 0;
  let rmax = 0;
  for (let k = 0; k < kindProb.length; k++) {
    if (kindProb[k] > pmax) pmax = kindProb[k];
    if (kindProb[k] > 0 && delayRate[k] > rmax) rmax = delayRate[k];
  }
  pmax = Math.min(1, pmax * g.maxWeight);
  const uniform = g.uniform && susceptibility === null;
  const k0 = g.arcs > 0 ? kinds[0] : 0;
  const expDelay = delayMode === DelayMode.exponential;
  const fixedDelay = delayMode === DelayMode.fixed;
  const r0 = delayRate[k0];
  const sus = susceptibility;
  // fixed delays: exp(mu) of each kind once per run rather than once per transmission
  let fixedExp = ws.fixedDelay;
  if (fixedDelay) {
    if (fixedExp === null || fixedExp.length < delayMu.length) fixedExp = ws.fixedDelay = new Float64Array(delayMu.length);
    for (let k = 0; k < delayMu.length; k++) fixedExp[k] = Math.exp(delayMu[k]);
  }
  let count = 0;
  let arcs = 0;

  for (;;) {
    const u = queue.pop();
    if (u < 0) break;
    if (state[u] === 2) continue; // stale entry (the node was reached earlier by another arc)
    state[u] = 2;
    order[count++] = u;
    if (pmax <= 0 && until === null) continue;
    const t = time[u];
    let end = tEnd;
    if (stopAt !== null && stopAt[u] < end) end = stopAt[u];
    if (windowMode !== 0) {
      const w = windowMode === 1 ? rng.exponential(windowRate) : Math.exp(windowMu + windowSigma * rng.normal());
      if (t + w < end) end = t + w;
    }
    if (until !== null) until[u] = end;
    const W = end - t;
    if (!(W > 0) || pmax <= 0) continue;
    const start = offsets[u];
    const stop = offsets[u + 1];
    if (start === stop) continue;
    arcs += stop - start;
    let qmax = pmax;
    const finiteExp = expDelay && W !== Infinity;
    if (finiteExp) qmax = pmax * -Math.expm1(-W * rmax);
    if (!(qmax > 0)) continue;
    // uniform exponential case: the chance within the window is the same for every arc of u
    const within0 = expDelay ? (W === Infinity ? 1 : -Math.expm1(-W * r0)) : 1;
    // skip to the candidates when they are few, else one draw per arc against its own chance: an
    // Exp(1) and a uniform per candidate cost as much as a uniform per arc at qmax 0.22-0.43
    // (measured draw costs; NotPetya's qmax is about 0.84)
    const skip = qmax < SKIP_BELOW;
    const qdraw = skip ? qmax : 1;
    const skipRate = skip ? -Math.log1p(-qmax) : 0;
    let a = skip ? start + Math.floor(rng.exponential1() / skipRate) : start;
    while (a < stop) {
      const v = targets[a];
      // thinning first (contiguous per-arc data), the target's state (a random access) only then
      let k = k0;
      let accept = true;
      if (!uniform) {
        k = kinds[a];
        const pa = kindProb[k] * weights[a] * (finiteExp ? -Math.expm1(-W * delayRate[k]) : 1);
        accept = pa >= qdraw || rng.random() * qdraw < pa;
        // then the target's susceptibility (0 or 1 from tags; a fraction is accepted with its own draw)
        if (accept && sus !== null) {
          const sv = sus[v];
          accept = sv >= 1 || (sv > 0 && rng.random() < sv);
        }
      } else if (!skip) accept = qmax >= 1 || rng.random() < qmax;
      const sv = accept ? state[v] : 2;
      if (sv !== 2) {
        let tv: number;
        if (expDelay) {
          // delay given that the transmission happens within the window: truncated exponential
          if (uniform) tv = t - Math.log1p(-rng.random() * within0) / r0;
          else {
            const r = delayRate[k];
            tv = t - Math.log1p(-rng.random() * (W === Infinity ? 1 : -Math.expm1(-W * r))) / r;
          }
        } else tv = t + (fixedDelay ? fixedExp![k] : Math.exp(delayMu[k] + delaySigma[k] * rng.normal()));
        // ---- push only if it improves the target's arrival (an infection time only decreases)
        if (tv < end && (sv === 0 || tv < time[v])) {
          let keep = true;
          if (thinning) {
            if (exempt![v] === 1) keep = false;
            else if (!(tv > thinUntil)) {
              const x = rng.random();
              if (x < dropAtMost) {
                const reportedByAsOf = atOnce ? rho : rho * -Math.expm1(-(thinUntil - tv) * lagRate);
                keep = x >= (reportedByAsOf * (1 - share)) / (1 - share * reportedByAsOf);
              }
            }
          }
          if (keep) {
            if (sv === 0) {
              state[v] = 1;
              touched[touchedCount++] = v;
            }
            time[v] = tv;
            parentArc[v] = a;
            queue.push(v, tv);
          }
        }
      }
      a += skip ? 1 + Math.floor(rng.exponential1() / skipRate) : 1;
    }
  }
  ws.touchedCount = touchedCount;
  ws.count = count;
  ws.arcs = arcs;
  ws.heapSize = 0;
  return count;
}
