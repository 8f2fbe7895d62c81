/**
 * The run loop: one Monte Carlo run of an assessment (its parameters, its spread and the
 * likelihood of the reports, its impact) written as a row into a mergeable partial aggregate.
 * Runs are independent given (seed, run index): see prng.ts.
 */
import type { ScaleNormal } from './distributions';
import { KIND_SLOTS } from './graph';
import { binInfections } from './timeline';
import { RunImpact } from './impact';
import { infectionsByAsOf, reportsLogLikelihood } from './likelihood';
import type { ScenarioCore } from './model';
import { ParameterDraws, type ParameterColumns } from './parameters';
import { addRange, countRuns, FIGURE, GROUP_VALUE, runWeightIn, TOTALS_WIDTH, type AssessmentPartial } from './partial';
import { ReportReplicate } from './predictive-check';
import { Rng, Substream } from './prng';
import { drawReportingRate, type ParameterProposal } from './proposal';
import { infectedShare, ReportEvidence } from './report-evidence';
import { GroupRows } from './group-rows';
import { RunTotals } from './run-totals';
import { thinsByReports, type RunSettings } from './settings';
import { DelayMode, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from './spread';
import { syntheticLogLikelihood } from './synthetic-likelihood';

/** SpreadWorkspace.state of an infected entity. */
const INFECTED = 2;
/** Columns written per entity, read once (FIGURE and GROUP_VALUE are lookups). */
const F_INFECTED = FIGURE.entitiesInfected;
const F_UNREPORTED = FIGURE.unreportedInfections;
const F_FORECAST = FIGURE.forecastInfections;
const F_DIRECT = FIGURE.lossDirect;
const F_INDIRECT = FIGURE.lossIndirect;
const F_POPULATION = FIGURE.populationAffected;
const F_DISRUPTED = FIGURE.entitiesDisrupted;
const G_INFECTED = GROUP_VALUE.entitiesInfected;
const G_DISRUPTED = GROUP_VALUE.entitiesDisrupted;
const G_LOSS = GROUP_VALUE.lossUsd;
const G_POPULATION = GROUP_VALUE.populationAffected;
/**
 * A run's arcs carried are added to the per-arc sums block by block of 2^16 arcs (256 KB of
 * single-precision sums, which the cache holds): in node order they land anywhere in an array of
 * the graph's size, and at 10M arcs those scattered writes cost more than the rest of the tally.
 */
const CARRY_BLOCK_BITS = 16;

/** Runs that thin by the reports: the reports as evidence, and the configuration of the likelihood's forward run. */
interface Thinned {
  evidence: ReportEvidence;
  forward: EventConfig;
}

/**
 * The last run's spread, read-only (typed so that it cannot be written through): the infected
 * entities in infection order (an infector before what it infects), and per entity its infection
 * time (hours from origin) and the arc that infected it (-1 for a seed), valid for those entities.
 */
export interface RunSpread {
  readonly count: number;
  readonly order: ArrayLike<number>;
  readonly time: ArrayLike<number>;
  readonly parentArc: ArrayLike<number>;
}

/**
 * Executes runs on one thread: owns the per-thread workspaces, writes each run into a partial.
 */
export class RunEngine {
  readonly paramCount: number;
  /** Arcs scanned by the spread over all runs (for throughput figures). */
  arcsExamined = 0;
  private readonly draws: ParameterDraws;
  private readonly col: ParameterColumns;
  /** The last run's parameter row (ParameterColumns). */
  private readonly par: Float64Array;
  private readonly ws: SpreadWorkspace;
  private readonly cfg: EventConfig;
  private readonly thinned: Thinned | null = null;
  private readonly replicate: ReportReplicate;
  private readonly impact: RunImpact;
  private readonly totals: RunTotals;
  private readonly groups: GroupRows;
  /** Scratch: infections per timeline bin. */
  private readonly bins: Float64Array;
  private readonly byNode: Int32Array;
  /** Scratch of the arcs carried: the run's (parentArcs), the same grouped by block, and the blocks' starts. */
  private readonly parentArcs: Int32Array;
  private readonly arcsByBlock: Int32Array;
  private readonly blockStart: Int32Array;
  /** Per early-warning window k: asOf + earlyWarningHours[k] (an infection by then counts in it). */
  private readonly earlyEnds: Float64Array;
  private readonly populationServed: Float64Array;
  private readonly disruptionThreshold: number;
  /** The last run's log likelihood of the reports, and its draws' log prior/proposal ratio. */
  private ll = 0;
  private lpr = 0;

  constructor(
    readonly core: ScenarioCore,
    readonly settings: RunSettings,
  ) {
    const thinning = thinsByReports(settings, core.reportedCount);
    this.draws = new ParameterDraws(core.weapon, settings.reportingRate, settings.reportingLagHours, thinning);
    this.col = this.draws.columns;
    this.paramCount = this.col.count;
    this.par = new Float64Array(this.paramCount);
    const evidence = thinning ? new ReportEvidence(core) : null;
    this.cfg = eventConfig(core, settings, evidence);
    // the forward run of the likelihood: from the early reports, conditioned up to the conditioning time, then unconditioned to asOf
    if (evidence !== null)
      this.thinned = { evidence, forward: { ...this.cfg, thin: { until: evidence.edges[0], rho: 0, lagRate: Infinity, exempt: evidence.draw.early }, tEnd: Math.min(this.cfg.tEnd, core.asOfHours) } };
    this.replicate = new ReportReplicate(core);
    this.ws = new SpreadWorkspace(core.n);
    this.impact = new RunImpact(core);
    this.totals = new RunTotals(core);
    this.groups = new GroupRows(core);
    this.bins = new Float64Array(settings.timelineBins);
    this.byNode = new Int32Array(core.n);
    const carries = settings.trackPaths ? core.n : 0;
    this.parentArcs = new Int32Array(carries);
    this.arcsByBlock = new Int32Array(carries);
    this.blockStart = new Int32Array(settings.trackPaths ? (core.graph.arcs >> CARRY_BLOCK_BITS) + 2 : 0);
    this.earlyEnds = Float64Array.from(settings.earlyWarningHours, (h) => core.asOfHours + h);
    this.populationServed = core.populationServed;
    this.disruptionThreshold = settings.disruptionThreshold;
  }

  /**
   * Draws run r's parameters (into `par`), runs its spread and the likelihood of the reports
   * (into `ll`; the draws' log prior/proposal ratio into `lpr`). Returns the number infected.
   * `pilot` runs use their own streams (they are not runs of the assessment) and, thinned by the
   * reports, stop at the likelihood (0 infected).
   */
  private simulateCore(r: number, pilot: boolean, proposal: ParameterProposal | null, fixedZ: ArrayLike<number> | null = null): number {
    const s = this.settings;
    const adaptive = s.sampler === 'adaptive' && s.calibrate;
    const off = pilot ? Substream.pilot : 0;
    const kindProb = this.cfg.kindProb;
    kindProb.fill(0);
    const prng = new Rng(s.seed, r, off + Substream.parameters);
    this.lpr = 0;
    if (adaptive) this.lpr = this.draws.drawAdaptive(prng, proposal, fixedZ, this.par, kindProb);
    else this.draws.drawPrior(prng, this.par, kindProb);
    if (this.thinned === null) return this.spreadFromSeeds(r, off, pilot, adaptive);
    const { evidence } = this.thinned;
    const lag = this.par[this.col.reportingLagHours];
    const rho = this.par[this.col.reportingRate];
    evidence.drawReports(new Rng(s.seed, r, off + Substream.seeds), lag);
    const synthetic = adaptive && !pilot ? (proposal?.likelihood ?? null) : null;
    this.ll = synthetic !== null ? syntheticLogLikelihood(synthetic, this.draws.z) : this.forwardLikelihood(r, off, lag, rho);
    // a pilot run needs only the prediction, not the spread to the horizon
    if (pilot) return 0;
    const count = this.spreadThinned(r, lag, rho);
    this.replicate.draw(new Rng(s.seed, r, Substream.check), this.ws, count, evidence.draw.genuine, rho, 1 / lag, this.par, this.col);
    return count;
  }

  /** Likelihood of the reports from the forward run of the early reports (report-evidence.ts). */
  private forwardLikelihood(r: number, off: number, lag: number, rho: number): number {
    const s = this.settings;
    const { evidence, forward } = this.thinned!;
    evidence.forwardExpectedReports(forward, this.ws, new Rng(s.seed, r, off + Substream.forward), new Rng(s.seed, r, off + Substream.reportDraws), lag, rho);
    this.arcsExamined += this.ws.arcs;
    return evidence.negativeBinomialLogLikelihood(s.reportDispersion);
  }

  /** The spread from the reports taken as genuine, unreported infections by asOf thinned. */
  private spreadThinned(r: number, lag: number, rho: number): number {
    const draw = this.thinned!.evidence.draw;
    const thin = this.cfg.thin!;
    thin.rho = rho;
    thin.lagRate = 1 / lag;
    thin.share = infectedShare(draw.count, rho, this.core.n);
    const count = runEvents(this.core.graph, draw.nodes.subarray(0, draw.count), draw.times.subarray(0, draw.count), this.cfg, new Rng(this.settings.seed, r, Substream.spread), this.ws);
    this.arcsExamined += this.ws.arcs;
    return count;
  }

  /** The spread from every reported entity; calibrated, then the likelihood of the reports (likelihood.ts). */
  private spreadFromSeeds(r: number, off: number, pilot: boolean, adaptive: boolean): number {
    const { core, settings: s, par, col } = this;
    const count = runEvents(core.graph, core.seedNode, core.seedTime, this.cfg, new Rng(s.seed, r, off + Substream.spread), this.ws);
    this.arcsExamined += this.ws.arcs;
    this.ll = 0;
    if (s.calibrate) {
      const infected = infectionsByAsOf(this.ws, count, core.asOfHours);
      if (adaptive) {
        const d = drawReportingRate(this.draws.reportingRate, core.reportedCount, infected, new Rng(s.seed, r, off + Substream.reporting));
        par[col.reportingRate] = d.rho;
        this.lpr += d.logRatio;
      }
      this.ll = reportsLogLikelihood(core, this.ws, infected, par[col.reportingRate], s.unexplainedReportProbability);
    }
    if (!pilot) this.replicate.draw(new Rng(s.seed, r, Substream.check), this.ws, count, null, par[col.reportingRate], Infinity, par, col);
    return count;
  }

  /**
   * A pilot run at the given adapted parameters z (logit/log scale, `adaptDims` order), into
   * out[offset..offset + pilotWidth): with report thinning, its summaries for the synthetic
   * likelihood (see synthetic-likelihood.ts); otherwise the log likelihood of the reports (a
   * simulated, unbiased estimate, as a pseudo-marginal move needs).
   */
  pilotRun(r: number, z: ArrayLike<number>, out: Float64Array, offset: number): void {
    this.simulateCore(r, true, null, z);
    if (this.thinned !== null) out.set(this.thinned.evidence.summary, offset);
    else out[offset] = this.ll + this.lpr;
  }

  /** Values a pilot run writes: its summaries, or one log likelihood. */
  get pilotWidth(): number {
    return Math.max(1, this.summaryCount);
  }

  /** Number of summaries of the synthetic likelihood (prediction bins, then the neighbour share; 0 when runs are not thinned by the reports). */
  get summaryCount(): number {
    return this.thinned?.evidence.summary.length ?? 0;
  }

  /** The observed summaries: log(reports per prediction bin + 1/2), then the neighbour share (laterReportsNearEarlier). */
  get observedSummaries(): number[] {
    return this.thinned?.evidence.observedSummaries ?? [];
  }

  /** Dimensions (parameter columns) the adaptive sampler adapts, with their prior normals. */
  get adaptDims(): { dims: number[]; prior: ScaleNormal[] } {
    return { dims: this.draws.dims, prior: this.draws.prior };
  }

  /** The last run's spread (`run` or `spreadAt`): what counterfactuals prune and studies count. */
  get lastSpread(): RunSpread {
    return this.ws;
  }

  /**
   * Run r on the assessment's streams with its adapted parameters fixed at z (logit/log scale,
   * `adaptDims` order), without writing a row: the model at known parameters, for studies of it.
   * Returns the number infected; the spread is `lastSpread`. Only the adaptive sampler draws
   * through z, so other settings are refused rather than silently drawing from the prior.
   */
  spreadAt(r: number, z: ArrayLike<number>): number {
    if (!(this.settings.sampler === 'adaptive' && this.settings.calibrate)) throw new Error('spreadAt needs calibrated runs with the adaptive sampler (others draw their parameters from the prior)');
    return this.simulateCore(r, false, null, z);
  }

  /** Runs run `r` and appends it to `p` (which must have room). */
  run(r: number, p: AssessmentPartial): void {
    const row = countRuns(p);
    if (row >= p.runIndex.length) throw new Error(`partial is full (${row} runs)`);
    const count = this.simulateCore(r, false, this.settings.proposal ?? null);
    p.params.set(this.par, row * this.paramCount);
    if (p.logPriorRatio) p.logPriorRatio[row] = this.lpr;
    const order = this.aggregationOrder(count);
    const weight = runWeightIn(p, this.ll + this.lpr);
    this.impact.draw(new Rng(this.settings.seed, r, Substream.impact), order, count);
    this.totals.row.fill(0);
    this.tallyInfections(r, p, order, count, weight);
    const recoveryDays = this.par[this.col.recoveryDays];
    this.tallyImpacts(r, p, order, count, weight, recoveryDays);
    this.totals.finish();
    this.impact.clear(order, count);
    binInfections(this.ws, order, count, this.core.horizonEndHours, this.bins, p.timeline, row * p.bins);
    p.runIndex[row] = r;
    p.logLik[row] = this.ll;
    p.totals.set(this.totals.row, row * TOTALS_WIDTH);
    p.sumW += weight;
    p.sumW2 += weight * weight;
    this.groups.flush(p, r);
    addRange(p.ranges, r, r + 1);
  }

  /**
   * Aggregation order: infection order for small outbreaks; for large ones, node order (a scan
   * of the state array), so the per-entity arrays are read and written sequentially instead of
   * at random (the difference is cache misses, about 10 arrays per entity at 1M).
   */
  private aggregationOrder(count: number): Int32Array {
    const n = this.core.n;
    if (count <= n >> 3) return this.ws.order;
    const st = this.ws.state;
    const byNode = this.byNode;
    let k = 0;
    for (let v = 0; v < n; v++) if (st[v] === INFECTED) byNode[k++] = v;
    return byNode;
  }

  /** The infected entities' figures, early-warning windows, arcs carried and cells. */
  private tallyInfections(r: number, p: AssessmentPartial, order: Int32Array, count: number, weight: number): void {
    const { core, totals, groups } = this;
    const { time, parentArc } = this.ws;
    const reported = core.reported;
    const direct = this.impact.direct;
    const asOf = core.asOfHours;
    const W = p.windows;
    const early = this.earlyEnds;
    const pEarly = p.early;
    const infected = p.infected;
    const parentArcs = this.parentArcs;
    const tracks = p.carry !== null;
    let carried = 0;
    for (let i = 0; i < count; i++) {
      const v = order[i];
      const t = time[v];
      totals.add(v, F_INFECTED, 1);
      if (reported[v] === 0) {
        if (t <= asOf) totals.add(v, F_UNREPORTED, 1);
        for (let k = 0; k < W; k++) if (t <= early[k]) pEarly[v * W + k] += weight;
      }
      if (t > asOf) totals.add(v, F_FORECAST, 1);
      totals.add(v, F_DIRECT, direct[v]);
      totals.affected(v, r);
      infected[v] += weight;
      if (tracks && parentArc[v] >= 0) parentArcs[carried++] = parentArc[v];
      groups.add(v, G_INFECTED, 1);
    }
    if (tracks) this.addCarried(p.carry!, carried, weight);
  }

  /**
   * Adds `weight` to carry[a] for the run's arcs carried (parentArcs[0..carried)), grouped by
   * block of arcs (CARRY_BLOCK_BITS). An arc infects only its target, so each arc is there once:
   * the order of the additions changes no sum.
   */
  private addCarried(carry: Float32Array, carried: number, weight: number): void {
    const { parentArcs, arcsByBlock, blockStart } = this;
    blockStart.fill(0);
    for (let i = 0; i < carried; i++) blockStart[(parentArcs[i] >> CARRY_BLOCK_BITS) + 1]++;
    for (let b = 1; b < blockStart.length; b++) blockStart[b] += blockStart[b - 1];
    for (let i = 0; i < carried; i++) {
      const a = parentArcs[i];
      arcsByBlock[blockStart[a >> CARRY_BLOCK_BITS]++] = a;
    }
    for (let i = 0; i < carried; i++) carry[arcsByBlock[i]] += weight;
  }

  /**
   * Every entity the run's impact reaches (RunImpact.cascade), in that order: plain loops rather
   * than a callback per entity (a closure call per entity was a tenth of a run's time).
   */
  private tallyImpacts(r: number, p: AssessmentPartial, order: Int32Array, count: number, weight: number, recoveryDays: number): void {
    const cascade = this.impact.cascade;
    if (cascade === null) {
      const own = this.impact.ownInoperability;
      for (let i = 0; i < count; i++) this.tallyImpact(r, p, order[i], own[order[i]], weight, recoveryDays);
      return;
    }
    const { q, touched, touchedCount } = cascade;
    for (let i = 0; i < touchedCount; i++) {
      const v = touched[i];
      if (q[v] > 0) this.tallyImpact(r, p, v, q[v], weight, recoveryDays);
    }
    for (let i = 0; i < count; i++) {
      const v = order[i];
      if (!(q[v] > 0)) this.tallyImpact(r, p, v, 0, weight, recoveryDays);
    }
  }

  /** Entity v's indirect loss, people affected and disruption at inoperability q. */
  private tallyImpact(r: number, p: AssessmentPartial, v: number, q: number, weight: number, recoveryDays: number): void {
    const { totals, groups, impact } = this;
    const infected = this.ws.state[v] === INFECTED;
    const indirect = impact.indirectLoss(v, q, infected, recoveryDays);
    const people = this.populationServed[v] * q;
    totals.add(v, F_INDIRECT, indirect);
    totals.add(v, F_POPULATION, people);
    const own = indirect + (infected ? impact.direct[v] : 0);
    p.loss[v] += weight * own;
    if (!infected && q >= this.disruptionThreshold) {
      totals.add(v, F_DISRUPTED, 1);
      totals.affected(v, r);
      p.disrupted[v] += weight;
      groups.add(v, G_DISRUPTED, 1);
    }
    groups.add(v, G_LOSS, own);
    groups.add(v, G_POPULATION, people);
  }
}

/** The spread's configuration; thinned runs set the reporting rate and lag rate per run. */
function eventConfig(core: ScenarioCore, settings: RunSettings, evidence: ReportEvidence | null): EventConfig {
  const w = core.weapon;
  const sir = settings.model === 'sir';
  const delayMu = new Float64Array(KIND_SLOTS);
  const delaySigma = new Float64Array(KIND_SLOTS);
  for (const k of w.kinds) {
    delayMu[k] = w.delay[k]!.mu;
    delaySigma[k] = w.delay[k]!.sigma;
  }
  return {
    kindProb: new Float64Array(KIND_SLOTS),
    delayMode: sir ? DelayMode.lognormal : DelayMode.fixed,
    delayMu,
    delaySigma,
    delayRate: new Float64Array(KIND_SLOTS),
    windowMode: sir && w.containment ? WindowMode.lognormal : WindowMode.none,
    windowRate: 0,
    windowMu: w.containment?.mu ?? 0,
    windowSigma: w.containment?.sigma ?? 0,
    tEnd: Math.min(w.killSwitchHours, core.horizonEndHours),
    susceptibility: core.susceptibility,
    stopAt: core.stopAt,
    thin: evidence ? { until: core.asOfHours, rho: 0, lagRate: Infinity, exempt: evidence.draw.genuine } : null,
  };
}
