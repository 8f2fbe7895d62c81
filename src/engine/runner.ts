/**
 * One Monte Carlo run of an assessment, and the accumulation of runs into a mergeable partial
 * aggregate. Runs are independent given (seed, run index): see prng.ts.
 */
import type { Range90 } from '../domain/records';
import { lgamma, logBinomialPmf, lognormalFromRange, logitNormalFromRange, sampleLognormal, sampleLogitNormal, expit, type ScaleNormal } from './distributions';
import { KIND_SLOTS } from './graph';
import { IimWorkspace, solveInoperabilitySparse } from './iim';
import type { ScenarioCore } from './model';
import { Rng, Substream } from './prng';
import { drawReportingRate, drawTransmissibility, type ParameterProposal } from './proposal';
import { DelayMode, runEvents, SpreadWorkspace, WindowMode, type EventConfig } from './spread';
import { syntheticLogLikelihood } from './synthetic-likelihood';
import { infectedShare, ReportEvidence } from './report-evidence';
import { addRange, countRuns, FIGURE, groupCells, GROUP_VALUE, growGroups, NF, NG, scalePartial, SPLITS, TOTALS_WIDTH, type AssessmentPartial } from './partial';

/** Options that change what a run computes (part of a partial's fingerprint). */
export interface RunSettings {
  model: 'ic' | 'sir';
  seed: number;
  calibrate: boolean;
  /** Prior 90% range of the share of infected entities that get reported (logit-normal). */
  reportingRate: Range90;
  /** `ic` runs: likelihood factor for a reported entity the run's spread does not reach by its report time. */
  unexplainedReportProbability: number;
  /** Prior 90% range of the mean reporting lag, hours (lognormal; lags are exponential with that mean). */
  reportingLagHours: Range90;
  /**
   * Calibrated `sir` runs: size r of the negative binomial that compares each bin's report count
   * with the forward run's expected count mu (variance mu + mu^2 / r): the tolerance of the
   * comparison, about 1/sqrt(r) of large counts, for the spread's own randomness in one run.
   */
  reportDispersion: number;
  /** An uninfected entity with inoperability q >= this counts as disrupted. */
  disruptionThreshold: number;
  timelineBins: number;
  /** Early-warning windows after asOf, hours. */
  earlyWarningHours: number[];
  /** Keep per-arc transmission counts (for most likely paths). */
  trackPaths: boolean;
  /**
   * How calibrated runs draw their parameters: 'prior' (plain importance weighting of prior
   * draws, the original scheme) or 'adaptive' (transmissibilities from `proposal`, reporting rate
   * from its conditional posterior given the run's infections; see proposal.ts). Default 'prior'
   * here; runShard/runAssessment default to 'adaptive' when calibrating.
   */
  sampler?: 'prior' | 'adaptive';
  /** Fitted transmissibility proposal of the adaptive sampler (null: prior draws). */
  proposal?: ParameterProposal | null;
  /**
   * Calibrated `sir` runs condition the spread on the reports (default true): a transmission that
   * lands on an unreported entity by asOf counts with probability 1 - reporting rate, because
   * given which infections were reported the others are the thinned process; without it a seeded
   * run grows a second lineage beside every reported one (about 3.7 times the infections by asOf
   * at the true transmissibility in the coverage study). The reporting rate is then drawn before
   * the spread (an adapted dimension of the adaptive sampler).
   */
  reportThinning?: boolean;
}

/**
 * Per-run parameter columns after the transmissibilities: reporting rate, recovery days, mean
 * reporting lag (hours), and the posterior predictive replicate of the reports (their count,
 * and their mean report time minus the observed one, hours).
 */
export const PARAMETERS_AFTER_KINDS = 5;

/**
 * Inoperability increments below this are not propagated in a run: 1e-7 of an entity's function
 * is far below what the losses and the disruption threshold (0.1) resolve, and the solver's
 * geometric convergence reaches it in about half the sweeps that 1e-10 needs.
 */
const IIM_TOLERANCE = 1e-7;


export const DEFAULT_SETTINGS: Omit<RunSettings, 'model' | 'seed'> = {
  calibrate: true,
  reportingRate: { low: 0.05, high: 0.6 },
  // 1 = off: "reached before its report time" is a one-sided test that rewards fast spread (it
  // pushed the posterior transmissibility to the top of its prior in the coverage study).
  unexplainedReportProbability: 1,
  reportingLagHours: { low: 2, high: 72 },
  reportDispersion: 20,
  disruptionThreshold: 0.1,
  timelineBins: 48,
  earlyWarningHours: [24, 72, 168],
  trackPaths: true,
};


/**
 * Executes runs on one thread: owns the per-thread workspaces, writes each run into a partial.
 */
export class RunEngine {
  readonly settings: RunSettings;
  readonly paramCount: number;
  private readonly ws: SpreadWorkspace;
  private readonly iim: IimWorkspace;
  private readonly cfg: EventConfig;
  private readonly cNode: Int32Array;
  private readonly cValue: Float64Array;
  private readonly cOf: Float64Array;
  private readonly direct: Float64Array;
  /** Per report slot, this run: the drawn filed loss (NaN unless its filer is infected) and the model's loss of the group's infected members. */
  private readonly filedLoss: Float64Array;
  private readonly coverSum: Float64Array;
  private readonly filedActive: Int32Array;
  private readonly rho: ScaleNormal;
  /** Cell of each entity (GroupCells), and the run's sums per cell. */
  private readonly cellOf: Int32Array;
  private readonly gAcc: Float64Array;
  private readonly gTouched: Int32Array;
  private readonly gMark: Uint8Array;
  private readonly cStamp: Int32Array;
  private readonly rowT: Float64Array;
  private readonly bins: Float64Array;
  private readonly hasIim: boolean;
  private readonly par: Float64Array;
  private readonly z: Float64Array;
  private readonly zScratch: Float64Array;
  private readonly adaptPrior: ScaleNormal[];
  private readonly adaptDimList: number[];
  /** Per weapon kind index: its slot in z, or -1 (degenerate prior: fixed). */
  private readonly adaptSlot: Int32Array;
  /** Slot of log(mean reporting lag) in z when thinning, else -1. */
  private readonly lagSlot: number = -1;
  private readonly lagPrior: ScaleNormal;
  /** Runs thin unreported infections by asOf (see RunSettings.reportThinning). */
  private readonly thinning: boolean;
  /** Thinned runs: the reports as evidence (ReportEvidence), and the forward run's configuration. */
  private readonly evidence: ReportEvidence | null = null;
  private readonly forwardCfg: EventConfig | null = null;
  /** Slot of logit(reporting rate) in z when thinning, else -1. */
  private readonly rhoSlot: number = -1;
  /** Observed first-report times: count and mean (hours), for the predictive check. */
  private readonly observedMeanTime: number;
  private ll = 0;
  private lpr = 0;
  private readonly byNode: Int32Array;
  /** Arcs scanned by the spread over all runs (for throughput figures). */
  arcsExamined = 0;

  constructor(
    readonly core: ScenarioCore,
    settings: RunSettings,
  ) {
    this.settings = settings;
    const n = core.n;
    this.paramCount = core.weapon.kinds.length + PARAMETERS_AFTER_KINDS;
    this.par = new Float64Array(this.paramCount);
    this.byNode = new Int32Array(n);
    this.filedLoss = new Float64Array(core.reportedLossMu.length).fill(NaN);
    this.coverSum = new Float64Array(core.reportedLossMu.length);
    this.filedActive = new Int32Array(core.reportedLossMu.length);
    this.adaptPrior = [];
    this.adaptDimList = [];
    this.adaptSlot = new Int32Array(core.weapon.kinds.length).fill(-1);
    core.weapon.kinds.forEach((k, j) => {
      const tp = core.weapon.transmissibility[k]!;
      if (tp.sigma > 0) {
        this.adaptSlot[j] = this.adaptPrior.length;
        this.adaptPrior.push(tp);
        this.adaptDimList.push(j);
      }
    });
    this.rho = logitNormalFromRange(settings.reportingRate, 'reportingRate');
    this.thinning = settings.calibrate && settings.model === 'sir' && settings.reportThinning !== false && core.reportedCount > 0;
    this.lagPrior = lognormalFromRange(settings.reportingLagHours, 'reportingLagHours');
    if (this.thinning && this.rho.sigma > 0) {
      // index weapon.kinds.length marks the reporting rate among the adapted dimensions
      this.rhoSlot = this.adaptPrior.length;
      this.adaptPrior.push(this.rho);
      this.adaptDimList.push(core.weapon.kinds.length);
    }
    if (this.thinning) {
      if (this.lagPrior.sigma > 0) {
        this.lagSlot = this.adaptPrior.length;
        this.adaptPrior.push(this.lagPrior);
        this.adaptDimList.push(core.weapon.kinds.length + 2);
      }
      this.evidence = new ReportEvidence(core);
    }
    let sumT = 0;
    for (let j = 0; j < core.seedTime.length; j++) sumT += core.seedTime[j];
    this.observedMeanTime = core.seedTime.length > 0 ? sumT / core.seedTime.length : 0;
    this.z = new Float64Array(this.adaptPrior.length);
    this.zScratch = new Float64Array(this.adaptPrior.length);
    this.ws = new SpreadWorkspace(n);
    this.iim = new IimWorkspace(n);
    this.hasIim = core.functional.offsets[n] > 0;
    this.cNode = new Int32Array(n);
    this.cValue = new Float64Array(n);
    this.cOf = new Float64Array(n);
    this.direct = new Float64Array(n);
    const cells = groupCells(core);
    this.cellOf = cells.cellOf;
    const G = cells.count;
    this.gAcc = new Float64Array(G * NG);
    this.gTouched = new Int32Array(G);
    this.gMark = new Uint8Array(G);
    this.cStamp = new Int32Array(Math.max(1, core.countryCount) * 3).fill(-1);
    this.rowT = new Float64Array(TOTALS_WIDTH);
    this.bins = new Float64Array(settings.timelineBins);
    const w = core.weapon;
    const sir = settings.model === 'sir';
    const delayMu = new Float64Array(KIND_SLOTS);
    const delaySigma = new Float64Array(KIND_SLOTS);
    for (const k of w.kinds) {
      delayMu[k] = w.delay[k]!.mu;
      delaySigma[k] = w.delay[k]!.sigma;
    }
    this.cfg = {
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
      // rho and the lag rate are the run's, set per run
      thin: this.evidence ? { until: core.asOfHours, rho: 0, lagRate: Infinity, exempt: this.evidence.draw.genuine } : null,
    };
    // the forward run of the likelihood: from the early reports, conditioned up to the conditioning time, then unconditioned to asOf
    if (this.evidence) this.forwardCfg = { ...this.cfg, thin: { until: this.evidence.edges[0], rho: 0, lagRate: Infinity, exempt: this.evidence.draw.early }, tEnd: Math.min(this.cfg.tEnd, core.asOfHours) };
  }

  /**
   * Draws run r's parameters (into `this.par`: per kind T, reporting rate, recovery days), runs
   * its spread and its likelihood. Returns the number infected; sets `this.ll` (log-likelihood
   * of the reports) and `this.lpr` (log prior/proposal of the draws). `pilot` runs use their own
   * streams (they are not runs of the assessment).
   */
  private simulateCore(r: number, pilot: boolean, proposal: ParameterProposal | null, fixedZ: ArrayLike<number> | null = null): number {
    const core = this.core;
    const s = this.settings;
    const w = core.weapon;
    const kinds = w.kinds.length;
    const par = this.par;
    const kindProb = this.cfg.kindProb;
    kindProb.fill(0);
    const adaptive = s.sampler === 'adaptive' && s.calibrate;
    const off = pilot ? Substream.pilot : 0;
    const prng = new Rng(s.seed, r, off + Substream.parameters);
    let lpr = 0;
    if (!adaptive) {
      // the original scheme: every parameter from its prior, in this order
      for (let j = 0; j < kinds; j++) {
        const k = w.kinds[j];
        const t = sampleLogitNormal(w.transmissibility[k]!, prng);
        kindProb[k] = t;
        par[j] = t;
      }
      par[kinds] = sampleLogitNormal(this.rho, prng);
      par[kinds + 1] = sampleLognormal(w.downtimeDays, prng);
      par[kinds + 2] = sampleLognormal(this.lagPrior, prng);
    } else {
      const z = this.z;
      if (fixedZ !== null) for (let i = 0; i < z.length; i++) z[i] = fixedZ[i];
      else lpr += drawTransmissibility(this.adaptPrior, proposal, prng, z, this.zScratch);
      for (let j = 0; j < kinds; j++) {
        const k = w.kinds[j];
        const tp = w.transmissibility[k]!;
        const slot = this.adaptSlot[j];
        const t = slot >= 0 ? expit(z[slot]) : expit(tp.mu);
        kindProb[k] = t;
        par[j] = t;
      }
      if (this.thinning) par[kinds] = this.rhoSlot >= 0 ? expit(z[this.rhoSlot]) : expit(this.rho.mu);
      par[kinds + 1] = sampleLognormal(w.downtimeDays, prng);
      par[kinds + 2] = this.lagSlot >= 0 ? Math.exp(z[this.lagSlot]) : Math.exp(this.lagPrior.mu);
    }
    // ---- spread (and, conditioning on the reports, their likelihood first)
    const evidence = this.evidence;
    const rep = evidence?.draw ?? null;
    let count: number;
    let ll = 0;
    if (evidence !== null && rep !== null) {
      const lag = par[kinds + 2];
      evidence.drawReports(new Rng(s.seed, r, off + Substream.seeds), lag);
      const rho = par[kinds];
      const synthetic = adaptive && !pilot ? (proposal?.likelihood ?? null) : null;
      if (synthetic !== null) ll = syntheticLogLikelihood(synthetic, this.z);
      else {
        evidence.forwardExpectedReports(this.forwardCfg!, this.ws, new Rng(s.seed, r, off + Substream.forward), new Rng(s.seed, r, off + Substream.reportDraws), lag, rho);
        this.arcsExamined += this.ws.arcs;
        ll = evidence.negativeBinomialLogLikelihood(s.reportDispersion);
        // a pilot run needs only the prediction, not the spread to the horizon
        if (pilot) {
          this.ll = ll;
          this.lpr = lpr;
          return 0;
        }
      }
      const thin = this.cfg.thin!;
      thin.rho = rho;
      thin.lagRate = 1 / lag;
      thin.share = infectedShare(rep.count, rho, core.n);
      count = runEvents(core.graph, rep.nodes.subarray(0, rep.count), rep.times.subarray(0, rep.count), this.cfg, new Rng(s.seed, r, off + Substream.spread), this.ws);
    } else count = runEvents(core.graph, core.seedNode, core.seedTime, this.cfg, new Rng(s.seed, r, off + Substream.spread), this.ws);
    this.arcsExamined += this.ws.arcs;
    if (rep !== null) {
      // likelihood computed above
    } else if (s.calibrate) {
      const { order, time, parentArc } = this.ws;
      const asOf = core.asOfHours;
      let nAsOf = 0;
      for (let i = 0; i < count; i++) if (time[order[i]] <= asOf) nAsOf++;
      if (adaptive && !this.thinning) {
        const d = drawReportingRate(this.rho, core.reportedCount, nAsOf, new Rng(s.seed, r, off + Substream.reporting));
        par[kinds] = d.rho;
        lpr += d.logRatio;
      }
      ll += logBinomialPmf(core.reportedCount, nAsOf, par[kinds]);
      const eps = s.unexplainedReportProbability;
      for (let j = 0; j < core.seedNode.length; j++) {
        if (core.seedIsIndex[j] === 1) continue;
        if (parentArc[core.seedNode[j]] >= 0) continue;
        const c = core.seedConfidence[j];
        ll += Math.log(1 - c + c * eps);
      }
    }
    this.ll = ll;
    this.lpr = lpr;
    if (!pilot) this.replicateReports(r, count, par[kinds], rep !== null ? 1 / par[kinds + 2] : Infinity);
    return count;
  }

  /**
   * Posterior predictive replicate of the reports (into the run's `predicted.*` parameters):
   * each infection by asOf is reported by asOf with probability rho F(asOf - t), after a lag
   * drawn given that; reports the run takes as not genuine stay as they were observed.
   * Returns nothing; writes the replicate's count and mean report time.
   */
  private replicateReports(r: number, count: number, rho: number, lagRate: number): void {
    const core = this.core;
    const { time, order } = this.ws;
    const asOf = core.asOfHours;
    const rng = new Rng(this.settings.seed, r, Substream.check);
    let k = 0;
    let sum = 0;
    const rep = this.evidence?.draw ?? null;
    if (rep !== null)
      for (let j = 0; j < core.seedNode.length; j++)
        if (rep.genuine[core.seedNode[j]] === 0) {
          k++;
          sum += core.seedTime[j];
        }
    for (let i = 0; i < count; i++) {
      const t = time[order[i]];
      if (t > asOf) continue;
      const x = asOf - t;
      const within = lagRate === Infinity ? 1 : -Math.expm1(-x * lagRate);
      if (!(rng.random() < rho * within)) continue;
      // lag given that it came by asOf: Exp(lagRate) truncated to [0, x]
      const lag = lagRate === Infinity ? 0 : -Math.log1p(-rng.random() * within) / lagRate;
      k++;
      sum += t + lag;
    }
    const P = this.par;
    const kinds = core.weapon.kinds.length;
    P[kinds + 3] = k;
    P[kinds + 4] = k > 0 ? sum / k - this.observedMeanTime : 0;
  }

  /**
   * A pilot run at the given adapted parameters z (logit/log scale, `adaptDims` order), into
   * out[offset..offset + pilotWidth): with report thinning, its summaries for the synthetic
   * likelihood (see synthetic-likelihood.ts); otherwise the log likelihood of the reports (a
   * simulated, unbiased estimate, as a pseudo-marginal move needs).
   */
  pilotRun(r: number, z: ArrayLike<number>, out: Float64Array, offset: number): void {
    this.simulateCore(r, true, null, z);
    if (this.evidence !== null) out.set(this.evidence.summary, offset);
    else out[offset] = this.ll + this.lpr;
  }

  /** Values a pilot run writes: its summaries, or one log likelihood. */
  get pilotWidth(): number {
    return Math.max(1, this.summaryCount);
  }

  /** Number of summaries of the synthetic likelihood (prediction bins, then the neighbour share; 0 when runs are not thinned by the reports). */
  get summaryCount(): number {
    return this.evidence?.summary.length ?? 0;
  }

  /** The observed summaries: log(reports per prediction bin + 1/2), then the neighbour share (laterReportsNearEarlier). */
  get observedSummaries(): number[] {
    return this.evidence?.observedSummaries ?? [];
  }

  /** Dimensions (indices into weapon.kinds) the adaptive sampler adapts, with their prior normals. */
  get adaptDims(): { dims: number[]; prior: ScaleNormal[] } {
    return { dims: this.adaptDimList, prior: this.adaptPrior };
  }

  /** Runs run `r` and appends it to `p` (which must have room). */
  run(r: number, p: AssessmentPartial): void {
    const core = this.core;
    const s = this.settings;
    const w = core.weapon;
    const ws = this.ws;
    const n = core.n;
    const row = countRuns(p);
    if (row >= p.runIndex.length) throw new Error(`partial is full (${row} runs)`);
    const P = this.paramCount;
    const count = this.simulateCore(r, false, s.proposal ?? null);
    p.params.set(this.par, row * P);
    const recoveryDays = this.par[w.kinds.length + 1];
    const ll = this.ll;
    const lw = ll + this.lpr;
    if (p.logPriorRatio) p.logPriorRatio[row] = this.lpr;
    const { time, parentArc } = ws;
    const asOf = core.asOfHours;
    // Aggregation order: infection order for small outbreaks; for large ones, node order (a scan
    // of the state array), so the per-entity arrays below are read and written sequentially
    // instead of at random (the difference is cache misses, about 10 arrays per entity at 1M).
    let order = ws.order;
    if (count > n >> 3) {
      const st = ws.state;
      const byNode = this.byNode;
      let k = 0;
      for (let v = 0; v < n; v++) if (st[v] === 2) byNode[k++] = v;
      order = byNode;
    }

    if (lw > p.logScale) {
      if (p.logScale !== -Infinity) scalePartial(p, Math.exp(p.logScale - lw));
      p.logScale = lw;
    }
    const weight = lw === -Infinity ? 0 : Math.exp(lw - p.logScale);

    // ---- impact
    const irng = new Rng(s.seed, r, Substream.impact);
    const { cNode, cValue, cOf, direct } = this;
    const hosts = core.hosts;
    const daily = core.dailyValueUsd;
    const { lossCover, reportedLossMu } = core;
    const { filedLoss, coverSum, filedActive } = this;
    let filedCount = 0;
    let cCount = 0;
    for (let i = 0; i < count; i++) {
      const v = order[i];
      const slot = core.reportSlot[v];
      let share = sampleLogitNormal(w.hostShare, irng);
      let hit = Math.round(hosts[v] * share);
      const cost = sampleLognormal(w.costPerHost, irng);
      let down = sampleLognormal(w.downtimeDays, irng);
      if (slot >= 0) {
        const rh = core.reportedHosts[slot];
        if (rh === rh) {
          hit = rh;
          share = hosts[v] > 0 ? Math.min(1, rh / hosts[v]) : 1;
        }
        const rd = core.reportedDowntimeDays[slot];
        if (rd === rd) down = rd;
        // an infected filer's figure applies to its whole group this run (shared below)
        if (lossCover[v] === slot && reportedLossMu[slot] === reportedLossMu[slot]) {
          filedLoss[slot] = Math.exp(reportedLossMu[slot] + core.reportedLossSigma[slot] * irng.normal());
          filedActive[filedCount++] = slot;
        }
      }
      direct[v] = hit * cost + down * daily[v];
      const c = w.inoperability ? expit(w.inoperability.mu + w.inoperability.sigma * irng.normal()) : Math.min(1, share * w.payloadFactor);
      cOf[v] = c;
      if (c > 0) {
        cNode[cCount] = v;
        cValue[cCount] = c;
        cCount++;
      }
    }
    if (filedCount > 0) shareFiledLosses(order, count, lossCover, core.reportSlot, direct, filedLoss, coverSum);
    if (this.hasIim) solveInoperabilitySparse(core.functional, cNode, cValue, cCount, this.iim, IIM_TOLERANCE);

    // ---- totals
    const T = this.rowT;
    T.fill(0);
    const intended = core.intended;
    const reported = core.reported;
    const pop = core.populationServed;
    const thr = s.disruptionThreshold;
    const country = core.country;
    const stamp = this.cStamp;
    const { cellOf, gAcc, gTouched, gMark } = this;
    let gCount = 0;
    /** Adds `value` to figure j of entity v's cell. */
    const group = (v: number, j: number, value: number) => {
      const g = cellOf[v];
      if (gMark[g] === 0) {
        gMark[g] = 1;
        gTouched[gCount++] = g;
      }
      gAcc[g * NG + j] += value;
    };
    const addCountry = (v: number, split: number) => {
      const c = country[v];
      if (c < 0) return;
      if (stamp[c * 3 + split] !== r) {
        stamp[c * 3 + split] = r;
        T[split * NF + FIGURE.countriesAffected]++;
      }
    };
    const add = (v: number, fig: number, value: number) => {
      T[fig] += value;
      T[(intended[v] === 1 ? NF : 2 * NF) + fig] += value;
    };
    const affected = (v: number) => {
      addCountry(v, 0);
      addCountry(v, intended[v] === 1 ? 1 : 2);
    };
    const W = p.windows;
    const early = s.earlyWarningHours;
    for (let i = 0; i < count; i++) {
      const v = order[i];
      const t = time[v];
      add(v, FIGURE.entitiesInfected, 1);
      if (reported[v] === 0) {
        if (t <= asOf) add(v, FIGURE.unreportedInfections, 1);
        for (let k = 0; k < W; k++) if (t <= asOf + early[k]) p.early[v * W + k] += weight;
      }
      if (t > asOf) add(v, FIGURE.forecastInfections, 1);
      add(v, FIGURE.lossDirect, direct[v]);
      affected(v);
      p.infected[v] += weight;
      if (this.carryOn(p) && parentArc[v] >= 0) p.carry![parentArc[v]] += weight;
      group(v, GROUP_VALUE.entitiesInfected, 1);
    }
    // indirect loss, disruption, people affected
    const addImpact = (v: number, q: number) => {
      const c = cOf[v];
      const infected = ws.state[v] === 2;
      // a group member's own interruption is part of the figure its group filed
      const g = lossCover[v];
      const indirect = g >= 0 && filedLoss[g] === filedLoss[g] ? 0 : daily[v] * Math.max(0, q - (infected ? c : 0)) * recoveryDays;
      add(v, FIGURE.lossIndirect, indirect);
      add(v, FIGURE.populationAffected, pop[v] * q);
      const own = indirect + (infected ? direct[v] : 0);
      p.loss[v] += weight * own;
      let dis = 0;
      if (!infected && q >= thr) {
        dis = 1;
        add(v, FIGURE.entitiesDisrupted, 1);
        affected(v);
        p.disrupted[v] += weight;
      }
      if (dis) group(v, GROUP_VALUE.entitiesDisrupted, 1);
      group(v, GROUP_VALUE.lossUsd, own);
      group(v, GROUP_VALUE.populationAffected, pop[v] * q);
    };
    if (this.hasIim) {
      const { q, touched, touchedCount } = this.iim;
      for (let i = 0; i < touchedCount; i++) {
        const v = touched[i];
        if (q[v] > 0) addImpact(v, q[v]);
      }
      // infected entities with c = 0 never enter the solver: count their direct loss
      for (let i = 0; i < count; i++) {
        const v = order[i];
        if (!(q[v] > 0)) addImpact(v, 0);
      }
    } else {
      for (let i = 0; i < count; i++) {
        const v = order[i];
        addImpact(v, cOf[v]);
      }
    }
    for (let split = 0; split < SPLITS.length; split++) T[split * NF + FIGURE.lossTotal] = T[split * NF + FIGURE.lossDirect] + T[split * NF + FIGURE.lossIndirect];
    for (let i = 0; i < count; i++) {
      cOf[order[i]] = 0;
      direct[order[i]] = 0;
    }
    for (let i = 0; i < filedCount; i++) {
      filedLoss[filedActive[i]] = NaN;
      coverSum[filedActive[i]] = 0;
    }

    // ---- timeline: cumulative infections at each bin's end
    const B = p.bins;
    const bins = this.bins;
    bins.fill(0);
    const width = core.horizonEndHours / B;
    for (let i = 0; i < count; i++) {
      const t = time[order[i]];
      let b = width > 0 ? Math.floor(t / width) : B - 1;
      if (b >= B) b = B - 1;
      if (b < 0) b = 0;
      bins[b]++;
    }
    let acc = 0;
    for (let b = 0; b < B; b++) {
      acc += bins[b];
      p.timeline[row * B + b] = acc;
    }

    // ---- append the run
    p.runIndex[row] = r;
    p.logLik[row] = ll;
    p.totals.set(T, row * TOTALS_WIDTH);
    p.sumW += weight;
    p.sumW2 += weight * weight;
    if (gCount > 0) {
      const m0 = p.groupCount;
      if (m0 + gCount > p.groupRun.length) growGroups(p, Math.max(2 * p.groupRun.length, m0 + gCount, 64));
      const gr = p.groupRun;
      const gi = p.groupId;
      const gv = p.groupValues;
      for (let j = 0; j < gCount; j++) {
        const g = gTouched[j];
        gr[m0 + j] = r;
        gi[m0 + j] = g;
        for (let k = 0; k < NG; k++) {
          gv[(m0 + j) * NG + k] = gAcc[g * NG + k];
          gAcc[g * NG + k] = 0;
        }
        gMark[g] = 0;
      }
      p.groupCount = m0 + gCount;
    }
    addRange(p.ranges, r, r + 1);
  }

  private carryOn(p: AssessmentPartial): boolean {
    return p.carry !== null;
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

/** Fits the reporting-rate prior (exported for documentation and tests). */
export function reportingRatePrior(r: Range90): ScaleNormal {
  return logitNormalFromRange(r, 'reportingRate');
}
export { lognormalFromRange };
