/**
 * Counterfactuals on common random numbers: what a variant of the world that changes one thing
 * (the weapon honours norms 13(f)/13(k) or spares sectors, a kill switch at another time,
 * containment, entities patched by a time, a dependency kind cut) would have spared, run by run.
 *
 * The baseline of every run is the assessment's own run, recomputed by the assessment's engine
 * (RunEngine: thinning by the reporting model, filed losses of groups, the inoperability
 * cascade), so its figures are the ones the headline ranges rest on, run for run. The variant
 * prunes that run's transmission tree: an entity the variant forbids (at its infection time),
 * or reached over a cut arc, after the kill switch, or after its infector's containment, is not
 * infected, and neither is anything it infected. The variant's world is a subset of the
 * baseline's, so the avoided damage is never negative in any run and exactly 0 for a variant
 * that changes nothing; each run keeps the assessment's weight, so the avoided damage is a
 * paired range. Limits (docs/decisions.md): a pruned entity's descendants are not re-reached by
 * another route (the avoided damage is an upper bound in that respect), and disruption of
 * uninfected entities by the cascade is kept as in the baseline (a lower bound there).
 */
import { RunEngine } from './runner';
import type { RunSettings } from './settings';
import { FIGURE, NF, emptyPartial, type AssessmentPartial } from './partial';
import { tailOf } from './graph';
import type { ScenarioCore } from './model';
import { WeightedSample, type Range } from './stats';

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
export type WorldFigure = (typeof WORLD_FIGURES)[number];

export interface CounterfactualResult {
  runs: number;
  /** Per run (in `runs` order): the assessment's world and the variant. */
  baseline: WorldFigures[];
  variant: WorldFigures[];
  /** Paired ranges of baseline - variant (avoided damage), and of each world, at `level`. */
  avoided: Record<WorldFigure, Range>;
  baselineRanges: Record<WorldFigure, Range>;
  variantRanges: Record<WorldFigure, Range>;
}

const COLLATERAL = 2 * NF;
const INFECTED = FIGURE.entitiesInfected;
const LOSS_TOTAL = FIGURE.lossTotal;

/**
 * Re-runs the assessment's runs one at a time and prunes each for the variant. `settings` must be
 * the assessment's (with its sampler proposal resolved), else the baseline is another world:
 * callers compare the baseline with the stored run table (`onRun`).
 */
export class CounterfactualEngine {
  private readonly engine: RunEngine;
  private readonly partial: AssessmentPartial;
  private readonly pruned: Uint8Array;
  private readonly spared: Uint8Array | null;
  private readonly patchAt: Float64Array | null;
  private readonly cut: Uint8Array;
  private readonly tEnd: number;

  constructor(
    private readonly core: ScenarioCore,
    settings: RunSettings,
    private readonly x: Variant,
  ) {
    // Early-warning windows and arc counts only accumulate; without them the run is the same run.
    const s: RunSettings = { ...settings, earlyWarningHours: [], trackPaths: false };
    this.engine = new RunEngine(core, s);
    this.partial = emptyPartial(core, s, 1, this.engine.paramCount);
    this.pruned = new Uint8Array(core.n);
    this.spared = x.sparedSectors?.length ? new Uint8Array(Math.max(1, core.sectorCount)) : null;
    for (const sec of x.sparedSectors ?? []) if (this.spared && sec >= 0 && sec < this.spared.length) this.spared[sec] = 1;
    this.patchAt = null;
    if (x.patched?.length) {
      this.patchAt = new Float64Array(core.n).fill(Infinity);
      for (const p of x.patched) this.patchAt[p.node] = Math.min(this.patchAt[p.node], p.byHours);
    }
    this.cut = new Uint8Array(256);
    for (const k of x.cutKinds ?? []) this.cut[k] = 1;
    this.tEnd = x.killSwitchHours ?? Infinity;
  }

  /** Whether the variant forbids entity v's infection at time t. */
  private blocked(v: number, t: number): boolean {
    const { core, x } = this;
    if (x.honourNormMask && (core.protectedMask[v] & x.honourNormMask) !== 0) return true;
    if (this.spared !== null && core.sector[v] >= 0 && this.spared[core.sector[v]] === 1) return true;
    if (t > this.tEnd) return true;
    return this.patchAt !== null && t > this.patchAt[v];
  }

  /** Run r: the assessment's figures and the variant's. */
  run(r: number): { baseline: WorldFigures; variant: WorldFigures; totals: Float64Array } {
    const { core, partial: p, pruned } = this;
    // one run per partial: its weight is then 1 (0 for a run the reports rule out) and p.loss
    // holds each entity's own loss in this run, filed losses and the cascade included
    p.ranges.length = 0;
    p.logScale = -Infinity;
    p.sumW = 0;
    p.sumW2 = 0;
    p.groupCount = 0;
    p.loss.fill(0);
    this.engine.run(r, p);
    const totals = p.totals.slice(0, p.totals.length);
    const { time, parentArc, order, count } = this.engine.lastSpread;
    const g = core.graph;
    const own = (v: number) => p.loss[v] / (p.sumW > 0 ? p.sumW : 1);
    const base: WorldFigures = {
      infected: totals[INFECTED],
      collateralInfected: totals[COLLATERAL + INFECTED],
      protectedHits: 0,
      collateralLossUsd: totals[COLLATERAL + LOSS_TOTAL],
      totalLossUsd: totals[LOSS_TOTAL],
    };
    let gone = 0;
    let goneCollateral = 0;
    let goneProtected = 0;
    let lossGone = 0;
    let collateralLossGone = 0;
    const cw = this.x.containWithinHours;
    // infection order: an infector comes before what it infects
    for (let i = 0; i < count; i++) {
      const v = order[i];
      const t = time[v];
      let out = this.blocked(v, t);
      const a = parentArc[v];
      if (!out && a >= 0) {
        const u = tailOf(g.offsets, a);
        out = pruned[u] === 1 || this.cut[g.kinds[a]] === 1 || (cw !== undefined && t - time[u] > cw);
      }
      const collateral = core.intended[v] === 0;
      if (collateral && core.protectedMask[v] !== 0) base.protectedHits++;
      if (!out) continue;
      pruned[v] = 1;
      const loss = own(v);
      gone++;
      lossGone += loss;
      if (collateral) {
        goneCollateral++;
        collateralLossGone += loss;
        if (core.protectedMask[v] !== 0) goneProtected++;
      }
    }
    for (let i = 0; i < count; i++) pruned[order[i]] = 0;
    const variant: WorldFigures = {
      infected: base.infected - gone,
      collateralInfected: base.collateralInfected - goneCollateral,
      protectedHits: base.protectedHits - goneProtected,
      collateralLossUsd: goneCollateral > 0 ? base.collateralLossUsd - collateralLossGone : base.collateralLossUsd,
      totalLossUsd: gone > 0 ? base.totalLossUsd - lossGone : base.totalLossUsd,
    };
    return { baseline: base, variant, totals };
  }
}

/** Weighted ranges of per-run figures, as the headline computes them (WeightedSample). */
export function figureRanges(rows: readonly WorldFigures[], weights: ArrayLike<number>, level: number, pick: (row: number, f: WorldFigure) => number = (i, f) => rows[i][f]): Record<WorldFigure, Range> {
  return Object.fromEntries(WORLD_FIGURES.map((f) => [f, new WeightedSample(Float64Array.from(rows, (_, i) => pick(i, f)), weights).range(level)])) as Record<WorldFigure, Range>;
}

/**
 * The variant against the assessment's world over the given runs (run indices) with the
 * assessment's weights. `onRun` sees each run's totals row (the run table's figure columns) as
 * the engine recomputed it, to check it against the stored one; it may throw to stop.
 */
export function runCounterfactual(
  core: ScenarioCore,
  settings: RunSettings,
  runs: readonly number[],
  weights: ArrayLike<number>,
  x: Variant,
  level: number,
  onRun?: (index: number, run: number, totals: Float64Array) => void,
): CounterfactualResult {
  const cf = new CounterfactualEngine(core, settings, x);
  const baseline: WorldFigures[] = [];
  const variant: WorldFigures[] = [];
  runs.forEach((r, i) => {
    const out = cf.run(r);
    onRun?.(i, r, out.totals);
    baseline.push(out.baseline);
    variant.push(out.variant);
  });
  return {
    runs: runs.length,
    baseline,
    variant,
    avoided: figureRanges(baseline, weights, level, (i, f) => baseline[i][f] - variant[i][f]),
    baselineRanges: figureRanges(baseline, weights, level),
    variantRanges: figureRanges(variant, weights, level),
  };
}
