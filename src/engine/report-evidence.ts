/**
 * The reports as evidence for calibrated `sir` runs (see README, "Calibration of `sir` runs"):
 * which reports a run takes as genuine and when those entities were infected, the prediction
 * bins, and a forward run's summaries of what the reports should look like (expected reports per
 * bin, the neighbour share) for the synthetic likelihood.
 */
import type { EventConfig, SpreadWorkspace } from './spread';
import { runEvents } from './spread';
import type { ScenarioCore } from './model';
import type { Rng } from './prng';
import { lgamma } from './distributions';

/** Prediction bins of the likelihood (equal observed counts). */
const PREDICTION_BINS = 3;
/** Early reports needed for a growth rate of their own (see earlyGrowthRate). */
const EARLY_REPORTS = 10;

/** log NegativeBinomial(k; mean mu, size r); the Poisson as r -> Infinity. */
export function logNegativeBinomial(k: number, mu: number, r: number): number {
  if (!(mu > 0)) return k === 0 ? 0 : -Infinity;
  if (r === Infinity) return k * Math.log(mu) - mu - lgamma(k + 1);
  return lgamma(k + r) - lgamma(r) - lgamma(k + 1) + r * Math.log(r / (r + mu)) + k * Math.log(mu / (r + mu));
}

/** The reports as one run takes them (see drawReports). */
export interface ReportDraw {
  /** Per entity: 1 if the run takes its report as genuine (seeded, transmissions onto it dropped). */
  genuine: Uint8Array;
  /** Genuine reported entities (index cases first) and their drawn infection times. */
  nodes: Int32Array;
  times: Float64Array;
  count: number;
  /** The first `earlyCount` of them were reported by the conditioning time (index cases among them). */
  earlyCount: number;
  /** Per entity: 1 for those early genuine reports (the forward run's seeds). */
  early: Uint8Array;
  /** Genuine reports after the conditioning time, per prediction bin. */
  perBin: Int32Array;
}

export class ReportEvidence {
  /**
   * Edges of the prediction bins (hours): edges[0] the conditioning time (the first quarter of the
   * reports came in by it), the last asOf; and a forward run's expected reports per bin.
   */
  readonly edges: Float64Array;
  readonly expected: Float64Array;
  /** One forward run's summaries: log(expected reports + 1/2) per bin, then the neighbour share. */
  readonly summary: Float64Array;
  /** Reports after the conditioning time per bin (all of them, genuine or not). */
  readonly observedPerBin: Float64Array;
  readonly observedNeighbourShare: number;
  /**
   * Growth rate (per hour, >= 0) of the report incidence, the exponential fitted to the report
   * times (reportGrowthRate): the infections' own growth rate while the outbreak grows.
   */
  readonly growthRate: number;
  /**
   * Growth rate of the early reports (by the conditioning time; the forward runs' seeds), where
   * they number EARLY_REPORTS or more, else growthRate. A saturating outbreak's reports grow fast
   * early and flatten later: one rate fitted to all of them (0.068-0.110 per hour on four
   * saturated synthetic outbreaks, against 0.119-0.252 for their first quarter) placed the early
   * reports' infections too early, so at the true parameters the forward runs burnt out before
   * asOf (the last bin's predicted reports 23-84 where 46-115 came in) and the likelihood chose a
   * low transmissibility. Later reports keep the overall rate: their own (about 0 as the
   * incidence flattens) put the main runs' infections earlier still and their horizon lower.
   */
  readonly earlyGrowthRate: number;
  /** The reports as the current run takes them. */
  readonly draw: ReportDraw;
  /** Per entity: the report time of a forward run's realised reports (Infinity: none), and the entities marked. */
  private readonly reportTime: Float64Array;
  private readonly touched: Int32Array;

  constructor(private readonly core: ScenarioCore) {
    const n = core.n;
    const K = core.seedNode.length;
    // condition on the first quarter of the reports; predict the rest in up to PREDICTION_BINS
    // bins of equal observed counts, the last ending at asOf
    const sorted = Float64Array.from(core.seedTime).sort();
    const C = Math.ceil(K / 4);
    const rest = K - C;
    const B = Math.max(1, Math.min(PREDICTION_BINS, rest));
    this.edges = new Float64Array(B + 1);
    this.edges[0] = sorted[C - 1];
    for (let b = 1; b < B; b++) {
      const i = C + Math.floor((b * rest) / B);
      this.edges[b] = (sorted[i - 1] + sorted[i]) / 2;
    }
    this.edges[B] = core.asOfHours;
    this.expected = new Float64Array(B);
    this.summary = new Float64Array(B + 1);
    this.reportTime = new Float64Array(n).fill(Infinity);
    this.touched = new Int32Array(n);
    this.observedPerBin = new Float64Array(B);
    for (let j = 0; j < K; j++) {
      const t = core.seedTime[j];
      if (t <= this.edges[0]) continue;
      let b = 0;
      while (b < B - 1 && t > this.edges[b + 1]) b++;
      this.observedPerBin[b]++;
    }
    this.observedNeighbourShare = this.laterReportsNearEarlier(this.markObservedReports(null));
    this.growthRate = reportGrowthRate(sorted, core.asOfHours);
    // the early reports' own rate where they are enough (see earlyGrowthRate)
    this.earlyGrowthRate = C >= EARLY_REPORTS ? reportGrowthRate(sorted.subarray(0, C), this.edges[0]) : this.growthRate;
    this.draw = { genuine: new Uint8Array(n), early: new Uint8Array(n), nodes: new Int32Array(K), times: new Float64Array(K), count: 0, earlyCount: 0, perBin: new Int32Array(B) };
  }

  /** The observed summaries: log(reports per bin + 1/2), then the neighbour share. */
  get observedSummaries(): number[] {
    return [...Array.from(this.observedPerBin, (k) => Math.log(k + 0.5)), this.observedNeighbourShare];
  }

  /**
   * Which reports a run takes as genuine (an index case always; any other with its confidence)
   * and their infection times: report time minus a lag. Given a report at t, its infection time
   * s has density proportional to (infections at s) x (lag density at t - s); with infections
   * growing as exp(r s) and lags Exp(mean m), the lag is Exp(rate 1/m + r). Drawing it from the
   * lag law alone (r = 0) put a growing outbreak's infections far too early when the lag is long
   * (mean 73 h against about 9 h given the growth), so the runs grew too much by asOf and too
   * little after it.
   */
  drawReports(rng: Rng, meanLag: number): void {
    const core = this.core;
    const rep = this.draw;
    for (let j = 0; j < core.seedNode.length; j++) {
      rep.genuine[core.seedNode[j]] = 0;
      rep.early[core.seedNode[j]] = 0;
    }
    rep.perBin.fill(0);
    rep.earlyCount = 0;
    const edges = this.edges;
    // early reports first (the forward run starts from them), then the others
    let k = 0;
    for (const pass of [1, 0])
      for (let j = 0; j < core.seedNode.length; j++) {
        const early = core.seedTime[j] <= edges[0] ? 1 : 0;
        if (early !== pass) continue;
        const lag = -Math.log(rng.random()) / (1 / meanLag + (early === 1 ? this.earlyGrowthRate : this.growthRate));
        if (core.seedIsIndex[j] === 0 && !(rng.random() < core.seedConfidence[j])) continue;
        const v = core.seedNode[j];
        rep.genuine[v] = 1;
        rep.early[v] = early;
        rep.nodes[k] = v;
        rep.times[k] = core.seedTime[j] - lag;
        k++;
        if (early === 1) rep.earlyCount = k;
        else {
          let b = 0;
          while (b < edges.length - 2 && core.seedTime[j] > edges[b + 1]) b++;
          rep.perBin[b]++;
        }
      }
    rep.count = k;
  }

  /**
   * The reports after the conditioning time that a forward run would bring, per prediction bin
   * (into `this.expected`): the run starts from the early genuine reports at their drawn
   * infection times, conditioned like the main run up to the conditioning time (transmissions
   * onto unreported entities kept with the chance they were not reported by then), and runs
   * unconditioned to asOf. An infection at t is reported in a bin (a, b] with probability
   * rho (F(b - t) - F(a - t)), divided by 1 - rho F(c - t) for t before the conditioning time c
   * (it was not reported by c), F(x) = 1 - exp(-x / meanLag).
   */
  forwardExpectedReports(cfg: EventConfig, ws: SpreadWorkspace, spreadRng: Rng, rng: Rng, meanLag: number, rho: number): void {
    const core = this.core;
    const rep = this.draw;
    const thin = cfg.thin!;
    thin.rho = rho;
    thin.lagRate = 1 / meanLag;
    thin.share = infectedShare(rep.earlyCount, rho, core.n);
    const count = runEvents(core.graph, rep.nodes.subarray(0, rep.earlyCount), rep.times.subarray(0, rep.earlyCount), cfg, spreadRng, ws);
    const e = this.expected;
    const edges = this.edges;
    const c = edges[0];
    const asOf = core.asOfHours;
    const F = (x: number) => (x > 0 ? -Math.expm1(-x / meanLag) : 0);
    e.fill(0);
    let touched = this.markObservedReports(rep.genuine);
    for (let i = 0; i < count; i++) {
      const v = ws.order[i];
      if (rep.early[v] === 1) continue;
      const t = ws.time[v];
      if (t > asOf) continue;
      const scale = t < c ? rho / (1 - rho * F(c - t)) : rho;
      let prev = F(c - t);
      const first = prev;
      for (let b = 0; b < e.length; b++) {
        const next = F(edges[b + 1] - t);
        e[b] += scale * (next - prev);
        prev = next;
      }
      // one realisation of its report: in (c, asOf] with the probability summed above, at a lag
      // drawn within that window (exponential, truncated)
      if (rng.random() < scale * (prev - first)) {
        const a = Math.exp(-Math.max(0, c - t) / meanLag);
        const b = Math.exp(-(asOf - t) / meanLag);
        const when = t - meanLag * Math.log(a - rng.random() * (a - b));
        if (when < this.reportTime[v]) {
          if (this.reportTime[v] === Infinity) this.touched[touched++] = v;
          this.reportTime[v] = when;
        }
      }
    }
    // the summaries the synthetic likelihood is fitted to: log(expected genuine reports plus the
    // reports this run takes as not genuine, + 1/2) per bin, then the neighbour share
    const y = this.summary;
    for (let b = 0; b < e.length; b++) y[b] = Math.log(e[b] + (this.observedPerBin[b] - rep.perBin[b]) + 0.5);
    y[e.length] = this.laterReportsNearEarlier(touched);
  }

  /** log likelihood of the genuine reports per bin given the forward run's expectation: negative binomial of size r. */
  negativeBinomialLogLikelihood(size: number): number {
    let ll = 0;
    for (let b = 0; b < this.expected.length; b++) ll += logNegativeBinomial(this.draw.perBin[b], this.expected[b], size);
    return ll;
  }

  /**
   * Marks the observed reports every run shares (all the early ones; the later ones this run
   * takes as not genuine) in `reportTime`, from `touched[0]`; returns the count marked.
   */
  private markObservedReports(genuine: Uint8Array | null): number {
    const core = this.core;
    const c = this.edges[0];
    let touched = 0;
    for (let j = 0; j < core.seedNode.length; j++) {
      const v = core.seedNode[j];
      const t = core.seedTime[j];
      if (t > c && genuine !== null && genuine[v] === 1) continue;
      if (this.reportTime[v] === Infinity) this.touched[touched++] = v;
      if (t < this.reportTime[v]) this.reportTime[v] = t;
    }
    return touched;
  }

  /**
   * The share of reports after the conditioning time with an arc to an entity reported before
   * them, as logit((k + 1/2) / (m + 1)), over the marked reports (`touched[0..count)`), whose
   * marks it then clears. Many infected entities go unreported when the reporting rate is low, so
   * reports then stand apart; when it is high they come in clusters along the dependencies.
   */
  private laterReportsNearEarlier(count: number): number {
    const g = this.core.graph;
    const rt = this.reportTime;
    const c = this.edges[0];
    const asOf = this.core.asOfHours;
    let later = 0;
    let near = 0;
    for (let i = 0; i < count; i++) {
      const v = this.touched[i];
      const t = rt[v];
      if (!(t > c && t <= asOf)) continue;
      later++;
      for (let a = g.offsets[v]; a < g.offsets[v + 1]; a++)
        if (rt[g.targets[a]] < t) {
          near++;
          break;
        }
    }
    for (let i = 0; i < count; i++) rt[this.touched[i]] = Infinity;
    const share = (near + 0.5) / (later + 1);
    return Math.log(share / (1 - share));
  }
}

/**
 * The share of entities infected that the thinning of unreported infections assumes (see
 * EventConfig.thin): the genuine reports over the reporting rate, over all entities, at most 1.
 * An entity not reported is infected with probability q(1 - rho F)/(1 - q rho F), q its chance
 * of infection; thinning each transmission by 1 - rho F alone gives q(1 - rho F), right while
 * few are infected but far too few near saturation (at the true parameters of synthetic outbreaks
 * holding 1,959-2,340 of 3,000 infected, 1,777-2,186 in the median run). Reports over rho count the
 * infections whose reports would all be in by now, so the share is a low estimate and the
 * correction a partial one (the runs' median 1,913-2,306).
 */
export function infectedShare(genuineReports: number, rho: number, entities: number): number {
  return rho > 0 && entities > 0 ? Math.min(1, genuineReports / (rho * entities)) : 0;
}

/**
 * Maximum-likelihood growth rate r >= 0 (per hour) of report times on [first, asOf] under a
 * density proportional to exp(r t): the solution of mean(t - first) = D e^{rD}/(e^{rD} - 1) - 1/r
 * (D = asOf - first), 0 when the reports do not come in faster over time (mean at or before D/2)
 * or when there are fewer than 3 of them. `sorted`: the report times in ascending order.
 */
export function reportGrowthRate(sorted: ArrayLike<number>, asOf: number): number {
  const K = sorted.length;
  if (K < 3) return 0;
  const first = sorted[0];
  const D = asOf - first;
  if (!(D > 0)) return 0;
  let sum = 0;
  for (let j = 0; j < K; j++) sum += sorted[j] - first;
  const mean = sum / K / D; // in (0, 1]; 1/2 for r = 0
  if (!(mean > 0.5)) return 0;
  // mean of the truncated exponential on [0, 1] with rate a: 1/(1 - e^-a) - 1/a, rising in a
  const meanAt = (a: number) => 1 / -Math.expm1(-a) - 1 / a;
  let lo = 1e-9;
  let hi = 1;
  while (meanAt(hi) < mean && hi < 1e4) hi *= 2;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (meanAt(mid) < mean) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2 / D;
}
