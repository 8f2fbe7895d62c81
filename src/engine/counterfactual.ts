/**
 * Counterfactuals on common random numbers: what a variant of the world that changes one thing
 * (the weapon honours norms 13(f)/13(k) or spares sectors, a kill switch at another time,
 * entities patched by a time, a dependency kind cut) would have spared, run by run.
 *
 * Every random number of a run is keyed by (seed, run, arc or entity, purpose), not drawn in
 * event order (spread.ts draws in event order, so removing one entity would reshuffle every
 * later draw). With keyed draws a run is first-passage percolation on a fixed set of open arcs
 * with fixed delays and spreading windows; a variant only removes arcs, entities or time, so
 * every infection time can only grow and the infected set can only shrink: the avoided damage
 * of such a variant is never negative in any run, and exactly 0 for a variant that changes
 * nothing. Each run reuses the assessment's drawn transmissibilities and its weight, so the
 * avoided damage is a paired range over the assessment's weighted runs.
 *
 * Differences from the assessment's kernel (documented in docs/decisions.md): no thinning of
 * unreported infections before asOf (it depends on the arrival time, which would break the
 * monotonicity), direct loss only (no inoperability cascade), and responders' loss figures
 * are not substituted (their host counts are).
 */
import type { RunTable } from './aggregate';
import { expit } from './distributions';
import { KIND_SLOTS, kindName } from './graph';
import type { ScenarioCore } from './model';
import { weightedRange, type Range } from './stats';

/** One change to the world; the empty variant changes nothing. */
export interface Variant {
  /** Protected entities under these norm bits (1: 13(f), 2: 13(k)) cannot be infected. */
  honourNormMask?: number;
  /** Entities of these sector indices cannot be infected. */
  sparedSectors?: readonly number[];
  /** Nothing new is infected after this hour (from origin), if earlier than the weapon's kill switch. */
  killSwitchHours?: number;
  /** Every infected entity stops spreading this many hours after its infection (containment). */
  containWithinHours?: number;
  /** Entities patched by an hour: not infected after it. */
  patched?: ReadonlyArray<{ node: number; byHours: number }>;
  /** Dependency kind slots that carry nothing. */
  cutKinds?: readonly number[];
}

/** One run of the assessment: its index, normalised weight and drawn per-kind transmissibility. */
export interface RunDraw {
  run: number;
  weight: number;
  /** Per kind slot (0 where the weapon does not spread). */
  kindProb: Float64Array;
}

/** Per-run figures of one world. */
export interface WorldFigures {
  infected: number;
  collateralInfected: number;
  /** Collateral entities infected that a norm protects. */
  protectedHits: number;
  collateralLossUsd: number;
  totalLossUsd: number;
}

export const WORLD_FIGURES = ['infected', 'collateralInfected', 'protectedHits', 'collateralLossUsd', 'totalLossUsd'] as const;

export interface CounterfactualResult {
  runs: number;
  /** Per run (draw order): the assessment's world and the variant, re-simulated on keyed draws. */
  baseline: WorldFigures[];
  variant: WorldFigures[];
  /** Paired ranges of baseline - variant (avoided damage), and of each world, at `level`. */
  avoided: Record<(typeof WORLD_FIGURES)[number], Range>;
  baselineRanges: Record<(typeof WORLD_FIGURES)[number], Range>;
  variantRanges: Record<(typeof WORLD_FIGURES)[number], Range>;
}

const INV32 = 1 / 4294967296;
/** Purposes of keyed draws. */
const Key = { open: 1, delay: 2, window: 3, hostShare: 4, cost: 5, downtime: 6 } as const;

/** murmur3's finaliser, local so the hot loop inlines it. */
function fmix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The key of run `run` under assessment seed `seed` (hashed once per run). */
export function runKey(seed: number, run: number): number {
  return fmix(fmix(fmix((seed >>> 0) ^ 0x2545f491) ^ Math.floor(seed / 4294967296)) ^ (run >>> 0));
}

/** A uniform in (0,1) keyed by (run key, item, purpose): the same whatever else happens in the run. */
export function keyedUniform(key: number, item: number, purpose: number): number {
  return (fmix(fmix(key ^ Math.imul(item + 1, 0x9e3779b9)) ^ Math.imul(purpose, 0x27d4eb2f)) + 0.5) * INV32;
}

/** A standard normal keyed like keyedUniform (Box-Muller on two keyed uniforms). */
function keyedNormal(key: number, item: number, purpose: number): number {
  const u1 = keyedUniform(key, item, purpose * 2 + 64);
  const u2 = keyedUniform(key, item, purpose * 2 + 65);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Binary min-heap of (time, node) with lazy deletion. */
class TimeHeap {
  private t: number[] = [];
  private v: number[] = [];
  get size() {
    return this.t.length;
  }
  push(time: number, node: number) {
    const { t, v } = this;
    let i = t.length;
    t.push(time);
    v.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p] <= time) break;
      t[i] = t[p];
      v[i] = v[p];
      i = p;
    }
    t[i] = time;
    v[i] = node;
  }
  pop(): [number, number] {
    const { t, v } = this;
    const top: [number, number] = [t[0], v[0]];
    const lt = t.pop()!;
    const lv = v.pop()!;
    if (t.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= t.length) break;
        const c = l + 1 < t.length && t[l + 1] < t[l] ? l + 1 : l;
        if (t[c] >= lt) break;
        t[i] = t[c];
        v[i] = v[c];
        i = c;
      }
      t[i] = lt;
      v[i] = lv;
    }
    return top;
  }
}

/** Whether the variant forbids entity v's infection at time t. */
function blockedBy(core: ScenarioCore, x: Variant, spared: Uint8Array | null, patchAt: Float64Array | null, v: number, t: number): boolean {
  if (x.honourNormMask && (core.protectedMask[v] & x.honourNormMask) !== 0) return true;
  if (spared && core.sector[v] >= 0 && spared[core.sector[v]] === 1) return true;
  return patchAt !== null && t > patchAt[v];
}

/**
 * One run's world on keyed draws: first-passage percolation (Dijkstra) from the reported seeds
 * over the open arcs, each with its keyed delay, within each infected entity's spreading window.
 * Writes infection times into `time` (Infinity: not infected).
 */
export function keyedWorld(core: ScenarioCore, seed: number, draw: RunDraw, x: Variant, time: Float64Array): WorldFigures {
  const { graph: g, weapon: w } = core;
  const key = runKey(seed, draw.run);
  time.fill(Infinity);
  const spared = x.sparedSectors?.length ? new Uint8Array(Math.max(1, core.sectorCount)) : null;
  for (const s of x.sparedSectors ?? []) if (spared && s >= 0 && s < spared.length) spared[s] = 1;
  let patchAt: Float64Array | null = null;
  if (x.patched?.length) {
    patchAt = new Float64Array(core.n).fill(Infinity);
    for (const p of x.patched) patchAt[p.node] = Math.min(patchAt[p.node], p.byHours);
  }
  const cut = new Uint8Array(KIND_SLOTS);
  for (const k of x.cutKinds ?? []) cut[k] = 1;
  const tEnd = Math.min(w.killSwitchHours, core.horizonEndHours, x.killSwitchHours ?? Infinity);
  const heap = new TimeHeap();
  for (let j = 0; j < core.seedNode.length; j++) {
    const v = core.seedNode[j];
    const t = core.seedTime[j];
    if (!(t <= tEnd) || blockedBy(core, x, spared, patchAt, v, t) || !(t < time[v])) continue;
    time[v] = t;
    heap.push(t, v);
  }
  const done = new Uint8Array(core.n);
  while (heap.size) {
    const [t, u] = heap.pop();
    if (done[u] === 1 || t > time[u]) continue;
    done[u] = 1;
    let end = tEnd;
    if (core.stopAt !== null && core.stopAt[u] < end) end = core.stopAt[u];
    if (w.containment) end = Math.min(end, t + Math.exp(w.containment.mu + w.containment.sigma * keyedNormal(key, u, Key.window)));
    if (x.containWithinHours !== undefined) end = Math.min(end, t + x.containWithinHours);
    for (let a = g.offsets[u]; a < g.offsets[u + 1]; a++) {
      const k = g.kinds[a];
      const v = g.targets[a];
      if (cut[k] === 1 || done[v] === 1) continue;
      const sus = core.susceptibility === null ? 1 : core.susceptibility[v];
      if (!(keyedUniform(key, a, Key.open) < draw.kindProb[k] * g.weights[a] * sus)) continue;
      const d = w.delay[k];
      const tv = t + (d ? Math.exp(d.mu + d.sigma * keyedNormal(key, a, Key.delay)) : 0);
      if (!(tv < end) || !(tv < time[v]) || blockedBy(core, x, spared, patchAt, v, tv)) continue;
      time[v] = tv;
      heap.push(tv, v);
    }
  }
  const f: WorldFigures = { infected: 0, collateralInfected: 0, protectedHits: 0, collateralLossUsd: 0, totalLossUsd: 0 };
  for (let v = 0; v < core.n; v++) {
    if (time[v] === Infinity) continue;
    const loss = directLoss(core, key, v);
    f.infected++;
    f.totalLossUsd += loss;
    if (core.intended[v] === 0) {
      f.collateralInfected++;
      f.collateralLossUsd += loss;
      if (core.protectedMask[v] !== 0) f.protectedHits++;
    }
  }
  return f;
}

/** Direct loss of entity v in run r (keyed, so the same in every world where v is infected). */
function directLoss(core: ScenarioCore, key: number, v: number): number {
  const w = core.weapon;
  let hit = Math.round(core.hosts[v] * expit(w.hostShare.mu + w.hostShare.sigma * keyedNormal(key, v, Key.hostShare)));
  const slot = core.reportSlot[v];
  if (slot >= 0 && core.reportedHosts[slot] === core.reportedHosts[slot]) hit = core.reportedHosts[slot];
  const cost = Math.exp(w.costPerHost.mu + w.costPerHost.sigma * keyedNormal(key, v, Key.cost));
  const down = Math.exp(w.downtimeDays.mu + w.downtimeDays.sigma * keyedNormal(key, v, Key.downtime));
  return hit * cost + down * core.dailyValueUsd[v];
}

/** The assessment's runs as draws: each run's weight and drawn transmissibility per kind (run table columns). */
export function drawsFromRuns(core: ScenarioCore, runs: RunTable): RunDraw[] {
  const col = (name: string) => {
    const i = runs.columns.indexOf(name);
    if (i < 0) throw new Error(`the run table has no ${name} column`);
    return i;
  };
  const runCol = col('run');
  const wCol = col('weight');
  const kinds = core.weapon.kinds.map((k) => [k, col(`transmissibility.${kindName(k)}`)] as const);
  return runs.rows.map((row) => {
    const kindProb = new Float64Array(KIND_SLOTS);
    for (const [k, c] of kinds) kindProb[k] = row[c];
    return { run: row[runCol], weight: row[wCol], kindProb };
  });
}

/** The variant against the assessment's world over the assessment's weighted runs. */
export function runCounterfactual(core: ScenarioCore, seed: number, draws: readonly RunDraw[], x: Variant, level: number): CounterfactualResult {
  const time = new Float64Array(core.n);
  const baseline = draws.map((d) => keyedWorld(core, seed, d, {}, time));
  const variant = draws.map((d) => keyedWorld(core, seed, d, x, time));
  const m = draws.length;
  const weights = Float64Array.from(draws, (d) => d.weight);
  const ranges = (pick: (i: number) => number) => weightedRange(Float64Array.from({ length: m }, (_, i) => pick(i)), weights, m, level);
  const per = (fn: (f: (typeof WORLD_FIGURES)[number]) => (i: number) => number) =>
    Object.fromEntries(WORLD_FIGURES.map((f) => [f, ranges(fn(f))])) as Record<(typeof WORLD_FIGURES)[number], Range>;
  return {
    runs: m,
    baseline,
    variant,
    avoided: per((f) => (i) => baseline[i][f] - variant[i][f]),
    baselineRanges: per((f) => (i) => baseline[i][f]),
    variantRanges: per((f) => (i) => variant[i][f]),
  };
}
