/**
 * A run's impact: each infected entity's direct loss and own inoperability (drawn, or as
 * reported), filed losses shared within their groups, and the inoperability cascade (IIM) that
 * carries the damage to entities that depend on the infected ones.
 */
import { IimWorkspace, solveInoperabilitySparse } from './iim';
import type { ScenarioCore } from './model';
import type { Rng } from './prng';

/**
 * Inoperability increments below this are not propagated in a run: 1e-7 of an entity's function
 * is far below what the losses and the disruption threshold (0.1) resolve, and the solver's
 * geometric convergence reaches it in about half the sweeps that 1e-10 needs.
 */
const IIM_TOLERANCE = 1e-7;

/** Per-thread buffers of a run's impact; cleared sparsely between runs. */
export class RunImpact {
  /** Per entity, this run: direct loss, and own inoperability c (0 unless infected). */
  readonly direct: Float64Array;
  readonly ownInoperability: Float64Array;
  /** Infected entities with c > 0 and their c: the cascade's sources. */
  private readonly cNode: Int32Array;
  private readonly cValue: Float64Array;
  private cCount = 0;
  /** Per report slot, this run: the drawn filed loss (NaN unless its filer is infected) and the model's loss of the group's infected members. */
  private readonly filedLoss: Float64Array;
  private readonly coverSum: Float64Array;
  private readonly filedActive: Int32Array;
  private filedCount = 0;
  private readonly iim: IimWorkspace;
  /** The scenario has functional dependencies: the cascade runs. */
  private readonly hasIim: boolean;

  constructor(private readonly core: ScenarioCore) {
    const n = core.n;
    const slots = core.reportedLossMu.length;
    this.filedLoss = new Float64Array(slots).fill(NaN);
    this.coverSum = new Float64Array(slots);
    this.filedActive = new Int32Array(slots);
    this.iim = new IimWorkspace(n);
    this.hasIim = core.functional.offsets[n] > 0;
    this.cNode = new Int32Array(n);
    this.cValue = new Float64Array(n);
    this.ownInoperability = new Float64Array(n);
    this.direct = new Float64Array(n);
  }

  /**
   * Draws the impact of the infected entities `order[0..count)` and runs the cascade. The
   * weapon's laws are read once per run and drawn inline (sampleLogitNormal, sampleLognormal and
   * expit written out): the same draws in the same order and the same expressions.
   */
  draw(rng: Rng, order: Int32Array, count: number): void {
    const core = this.core;
    const w = core.weapon;
    const { hosts, reportSlot, reportedHosts, reportedDowntimeDays, lossCover, reportedLossMu, reportedLossSigma, dailyValueUsd } = core;
    const { direct, ownInoperability, cNode, cValue, filedLoss, filedActive } = this;
    const shareMu = w.hostShare.mu;
    const shareSigma = w.hostShare.sigma;
    const costMu = w.costPerHost.mu;
    const costSigma = w.costPerHost.sigma;
    const downMu = w.downtimeDays.mu;
    const downSigma = w.downtimeDays.sigma;
    const inop = w.inoperability;
    const inopMu = inop ? inop.mu : 0;
    const inopSigma = inop ? inop.sigma : 0;
    const payloadFactor = w.payloadFactor;
    let cCount = 0;
    let filedCount = 0;
    for (let i = 0; i < count; i++) {
      const v = order[i];
      const slot = reportSlot[v];
      let share = shareSigma > 0 ? 1 / (1 + Math.exp(-(shareMu + shareSigma * rng.normal()))) : 1 / (1 + Math.exp(-shareMu));
      const h = hosts[v];
      let hit = Math.round(h * share);
      const cost = costSigma > 0 ? Math.exp(costMu + costSigma * rng.normal()) : Math.exp(costMu);
      let down = downSigma > 0 ? Math.exp(downMu + downSigma * rng.normal()) : Math.exp(downMu);
      if (slot >= 0) {
        const rh = reportedHosts[slot];
        if (rh === rh) {
          hit = rh;
          share = h > 0 ? Math.min(1, rh / h) : 1;
        }
        const rd = reportedDowntimeDays[slot];
        if (rd === rd) down = rd;
        // an infected filer's figure applies to its whole group this run (shared below)
        if (lossCover[v] === slot && reportedLossMu[slot] === reportedLossMu[slot]) {
          filedLoss[slot] = Math.exp(reportedLossMu[slot] + reportedLossSigma[slot] * rng.normal());
          filedActive[filedCount++] = slot;
        }
      }
      direct[v] = hit * cost + down * dailyValueUsd[v];
      const c = inop ? 1 / (1 + Math.exp(-(inopMu + inopSigma * rng.normal()))) : Math.min(1, share * payloadFactor);
      ownInoperability[v] = c;
      if (c > 0) {
        cNode[cCount] = v;
        cValue[cCount] = c;
        cCount++;
      }
    }
    this.cCount = cCount;
    this.filedCount = filedCount;
    if (filedCount > 0) shareFiledLosses(order, count, lossCover, reportSlot, direct, filedLoss, this.coverSum);
    if (this.hasIim) solveInoperabilitySparse(core.functional, cNode, cValue, cCount, this.iim, IIM_TOLERANCE);
  }

  /**
   * The run's cascade (ws.q for the entities ws.touched[0..touchedCount)), or null without
   * functional dependencies (the infected entities' impact is then their own c, ownInoperability).
   * The entities the run's impact reaches, q their inoperability: with the cascade, the entities
   * it touched with q > 0, then the infected ones it did not (q = 0: their direct loss still
   * counts); without, the infected ones at their own c (RunEngine.tallyImpacts walks them).
   */
  get cascade(): IimWorkspace | null {
    return this.hasIim ? this.iim : null;
  }

  /**
   * Loss from v's interruption beyond its own inoperability, over the run's recovery time; 0 for
   * a member of a group whose filed loss applies this run (the figure includes it).
   */
  indirectLoss(v: number, q: number, infected: boolean, recoveryDays: number): number {
    const g = this.core.lossCover[v];
    const filed = this.filedLoss;
    return g >= 0 && filed[g] === filed[g] ? 0 : this.core.dailyValueUsd[v] * Math.max(0, q - (infected ? this.ownInoperability[v] : 0)) * recoveryDays;
  }

  /** Clears the run's values (infected entities `order[0..count)`). */
  clear(order: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      this.ownInoperability[order[i]] = 0;
      this.direct[order[i]] = 0;
    }
    for (let i = 0; i < this.filedCount; i++) {
      this.filedLoss[this.filedActive[i]] = NaN;
      this.coverSum[this.filedActive[i]] = 0;
    }
  }
}

/**
 * A filed loss replaces the model's direct losses of its group's infected members this run: it is
 * split among them in proportion to the model's own draws (so countries and sectors get the share
 * where the model puts the damage); the filer takes it all when the model drew nothing.
 */
function shareFiledLosses(order: Int32Array, count: number, cover: Int32Array, reportSlot: Int32Array, direct: Float64Array, filed: Float64Array, sum: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const v = order[i];
    const g = cover[v];
    if (g >= 0 && filed[g] === filed[g]) sum[g] += direct[v];
  }
  for (let i = 0; i < count; i++) {
    const v = order[i];
    const g = cover[v];
    if (g < 0 || filed[g] !== filed[g]) continue;
    direct[v] = sum[g] > 0 ? (filed[g] * direct[v]) / sum[g] : reportSlot[v] === g ? filed[g] : 0;
  }
}
