/**
 * Merging partial aggregates and turning the merged aggregate into the assessment result.
 */
import type { Norm } from '../domain/vocabulary';
import type { ScenarioModel } from './model';
import { addRange, countRuns, FIGURE, FIGURES, groupCells, growGroups, NF, NG, scalePartial, SPLITS, TOTALS_WIDTH, trimPartial, type AssessmentPartial } from './partial';
import { tailOf } from './graph';
import { normalQuantile } from './distributions';
import type { SamplerStage } from './proposal';
import { kish, rangeError, WeightedSample, weightedRange, wilson, type Probability, type Range, type RangeError } from './stats';

/** Figures of one split (total, intended or collateral). */
export interface FigureSet {
  entitiesInfected: Range;
  entitiesDisrupted: Range;
  unreportedInfections: Range;
  forecastInfections: Range;
  lossUsd: { direct: Range; indirect: Range; total: Range };
  populationAffected: Range;
  countriesAffected: Range;
}

export interface ProtectedHit {
  entityId: string;
  name: string;
  sector: string | null;
  /** Probability that the entity is infected or disrupted by the horizon. */
  probability: number;
  probabilityInfected: number;
  norms: Norm[];
}

/** The summary as the API returns it. */
export interface AssessmentSummary {
  total: FigureSet;
  intended: FigureSet;
  collateral: FigureSet;
  protectedHits: ProtectedHit[];
  calibration: {
    method: string;
    parameters: Record<string, Range>;
    prior: Record<string, Range>;
    effectiveSampleSize: number;
    /** Stages of the pilot that fitted the sampler's proposal: synthetic-likelihood rounds, or tempering stages of `ic` runs (absent without one). */
    stages?: SamplerStage[];
    /** Posterior predictive check of the reports (calibrated results only). */
    predictiveCheck?: PredictiveCheck;
  };
  monteCarloError: {
    runs: number;
    effectiveSampleSize: number;
    method: string;
    figures: Record<string, RangeError>;
  };
}

/**
 * Does the calibrated model reproduce the reports? Each run replicates the reports by asOf
 * from its infections (runner.ts); a p-value is the weighted share of replicates at least as
 * extreme as the observed statistic, two-sided (twice the smaller tail, mid-p for ties).
 */
export interface PredictiveCheck {
  observedReports: number;
  predictedReports: Range;
  reportsPValue: number;
  /** Mean first-report time of the replicates minus the observed one (hours). */
  meanReportTimeShiftHours: Range;
  timingPValue: number;
}

/** Below these a result carries a warning. */
export const WARN_PREDICTIVE_P = 0.05;
export const WARN_ESS_SHARE = 0.1;
/** How the predictive check's warnings begin (readers who may not see every report do not get them). */
export const PREDICTIVE_CHECK_WARNING = 'predictive check failed';

export interface EntityStat {
  entityId: string;
  name: string;
  country: string | null;
  sector: string | null;
  intended: boolean;
  reported: boolean;
  protected: boolean;
  probabilityInfected: Probability;
  probabilityDisrupted: Probability;
  /** Expected direct + indirect loss of this entity, USD. */
  expectedLossUsd: number;
}

/** Which entities of a group a GroupStat covers: all of them, or its intended or its collateral ones. */
export type GroupPart = 'total' | 'intended' | 'collateral';

/** Ranges of a group's per-run totals (weighted run distribution; a run that does not touch the group counts as zero). */
export interface GroupStat {
  /** Country code, sector, or `country/sector`; 'unknown' for a missing country or sector. */
  key: string;
  /** Absent in results stored before parts existed (they hold totals only). */
  part?: GroupPart;
  entitiesInfected: Range;
  entitiesDisrupted: Range;
  lossUsd: Range;
  populationAffected: Range;
}

export interface CountrySectorStat extends GroupStat {
  country: string;
  sector: string;
}

/**
 * Per-run group ranges: every country, sector and country x sector group, each as a `total`
 * entry and an entry for each part (intended, collateral) it holds entities of; a group of one
 * part has both a total and that part's entry, with the same figures. Totals first, then by
 * expected loss.
 */
export interface AssessmentGroups {
  country: GroupStat[];
  sector: GroupStat[];
  /** Absent in results stored before it existed. */
  countrySector?: CountrySectorStat[];
}

export interface TimelineBin {
  /** Bin end, hours from origin, and as a time. */
  hours: number;
  at: string;
  /** Cumulative infections by the bin end (weighted run distribution). */
  infections: Range;
  /** Cumulative reported entities by the bin end. */
  reported: number;
}

export interface EarlyWarningEntity {
  entityId: string;
  name: string;
  country: string | null;
  sector: string | null;
  probability: Probability;
  /** Most likely path from a reported infection: entity ids from the reported source to this entity. */
  path: string[];
}

export interface EarlyWarningWindow {
  withinHours: number;
  entities: EarlyWarningEntity[];
}

export interface RunTable {
  columns: string[];
  rows: number[][];
}

export interface AssessmentResult {
  model: 'ic' | 'sir';
  seed: number;
  runCount: number;
  level: number;
  calibrated: boolean;
  origin: string;
  asOf: string;
  horizonHours: number;
  reportsUsed: number;
  reportedEntities: number;
  spectralRadius: number;
  summary: AssessmentSummary;
  /** Entities with a non-zero chance of infection or disruption, or reported; by probability of infection. */
  entities: EntityStat[];
  groups: AssessmentGroups;
  timeline: TimelineBin[];
  earlyWarning: { asOf: string; windows: EarlyWarningWindow[] };
  runs: RunTable;
  warnings: string[];
}

function copyPartial(p: AssessmentPartial): AssessmentPartial {
  const t = trimPartial(p);
  return {
    ...t,
    ranges: t.ranges.map((r) => [r[0], r[1]] as [number, number]),
    infected: t.infected.slice(),
    disrupted: t.disrupted.slice(),
    loss: t.loss.slice(),
    early: t.early.slice(),
    carry: t.carry ? t.carry.slice() : null,
    runIndex: t.runIndex.slice(),
    logLik: t.logLik.slice(),
    logPriorRatio: t.logPriorRatio ? t.logPriorRatio.slice() : undefined,
    params: t.params.slice(),
    totals: t.totals.slice(),
    timeline: t.timeline.slice(),
    groupRun: t.groupRun.slice(),
    groupId: t.groupId.slice(),
    groupValues: t.groupValues.slice(),
  };
}

function concat<T extends Int32Array | Float64Array | Float32Array>(a: T, aLen: number, b: T, bLen: number): T {
  const out = new (a.constructor as { new (n: number): T })(aLen + bLen);
  out.set(a.subarray(0, aLen) as never);
  out.set(b.subarray(0, bLen) as never, aLen);
  return out;
}

/** The per-run log prior/proposal ratios of a partial (zeros for partials written before they existed). */
function priorRatioOf(p: AssessmentPartial, R: number): Float64Array {
  return p.logPriorRatio && p.logPriorRatio.length >= R ? p.logPriorRatio : new Float64Array(R);
}

/**
 * Adds `b` into `acc` (both of the same assessment: same fingerprint, disjoint run ranges).
 * `b` is scaled in place; `acc` is modified and returned.
 */
export function mergeInto(acc: AssessmentPartial, b: AssessmentPartial): AssessmentPartial {
  if (acc.fingerprint !== b.fingerprint) throw new Error('cannot merge partials of different assessments (model, seed or settings differ)');
  for (const [x, y] of b.ranges) addRange(acc.ranges.map((r) => [r[0], r[1]] as [number, number]), x, y); // overlap check
  const Ra = countRuns(acc);
  const Rb = countRuns(b);
  const M = Math.max(acc.logScale, b.logScale);
  if (M !== -Infinity) {
    if (acc.logScale !== -Infinity) scalePartial(acc, Math.exp(acc.logScale - M));
    if (b.logScale !== -Infinity) scalePartial(b, Math.exp(b.logScale - M));
    acc.logScale = M;
  }
  acc.sumW += b.sumW;
  acc.sumW2 += b.sumW2;
  const add = (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < x.length; i++) x[i] += y[i];
  };
  add(acc.infected, b.infected);
  add(acc.disrupted, b.disrupted);
  add(acc.loss, b.loss);
  add(acc.early, b.early);
  if (acc.carry && b.carry) for (let i = 0; i < acc.carry.length; i++) acc.carry[i] += b.carry[i];
  acc.runIndex = concat(acc.runIndex, Ra, b.runIndex, Rb);
  acc.logLik = concat(acc.logLik, Ra, b.logLik, Rb);
  acc.logPriorRatio = concat(priorRatioOf(acc, Ra), Ra, priorRatioOf(b, Rb), Rb);
  acc.params = concat(acc.params, Ra * acc.paramCount, b.params, Rb * b.paramCount);
  acc.totals = concat(acc.totals, Ra * TOTALS_WIDTH, b.totals, Rb * TOTALS_WIDTH);
  acc.timeline = concat(acc.timeline, Ra * acc.bins, b.timeline, Rb * b.bins);
  if (b.groupCount > 0) {
    const need = acc.groupCount + b.groupCount;
    if (need > acc.groupRun.length) growGroups(acc, need);
    acc.groupRun.set(b.groupRun.subarray(0, b.groupCount), acc.groupCount);
    acc.groupId.set(b.groupId.subarray(0, b.groupCount), acc.groupCount);
    acc.groupValues.set(b.groupValues.subarray(0, b.groupCount * NG), acc.groupCount * NG);
    acc.groupCount = need;
  }
  for (const [x, y] of b.ranges) addRange(acc.ranges, x, y);
  return acc;
}

/**
 * Merges partials of one assessment (any order, disjoint run ranges) into a new partial.
 * Run rows are identical to a single computation of the union; weighted sums agree up to
 * floating-point rounding (bit-identical when merged in run order along the same chunk boundaries).
 */
export function mergePartials(parts: readonly AssessmentPartial[]): AssessmentPartial {
  if (parts.length === 0) throw new Error('mergePartials needs at least one partial');
  const sorted = [...parts].sort((a, b) => (a.ranges[0]?.[0] ?? 0) - (b.ranges[0]?.[0] ?? 0));
  const acc = copyPartial(sorted[0]);
  for (let i = 1; i < sorted.length; i++) mergeInto(acc, copyPartial(sorted[i]));
  return acc;
}

export interface FinalizeOptions {
  /** Confidence level of the central intervals (default 0.9). */
  confidenceLevel?: number;
  /** Entities kept per early-warning window and part (intended, collateral; default 100 each). */
  earlyWarningLimit?: number;
  /** Early-warning windows (hours after asOf) the partial was computed with. */
  earlyWarningHours: number[];
  model: 'ic' | 'sir';
  seed: number;
  calibrated: boolean;
  /** How the calibrated runs drew their parameters (default 'prior'). */
  sampler?: 'prior' | 'adaptive';
  /** Stages of the pilot that fitted the proposal, if any. */
  stages?: SamplerStage[];
  /**
   * Prior of each drawn parameter (parameterNames order): when given, the reported prior ranges
   * are exact (quantiles of the distribution) instead of the drawn runs' (which are not prior
   * draws under the adaptive sampler).
   */
  priors?: Array<{ scale: 'logit' | 'log'; mu: number; sigma: number }>;
}

/** Exact central range of a logit- or lognormal. */
export function priorRange(d: { scale: 'logit' | 'log'; mu: number; sigma: number }, level: number): Range {
  const f = d.scale === 'log' ? Math.exp : (x: number) => 1 / (1 + Math.exp(-x));
  const q = (1 - level) / 2;
  // mean: trapezoid over +-10 sigma (the integrand is smooth and light-tailed)
  let mean = f(d.mu);
  if (d.sigma > 0) {
    if (d.scale === 'log') mean = Math.exp(d.mu + (d.sigma * d.sigma) / 2);
    else {
      const K = 4000;
      let s = 0;
      let ws = 0;
      for (let i = 0; i <= K; i++) {
        const u = -10 + (20 * i) / K;
        const wt = Math.exp(-0.5 * u * u) * (i === 0 || i === K ? 0.5 : 1);
        s += wt * f(d.mu + d.sigma * u);
        ws += wt;
      }
      mean = s / ws;
    }
  }
  return { mean, median: f(d.mu), low: f(d.mu + d.sigma * normalQuantile(q)), high: f(d.mu + d.sigma * normalQuantile(1 - q)), level };
}

/** Turns a (merged) partial into the assessment result. */
export function finalize(model: ScenarioModel, partial: AssessmentPartial, opts: FinalizeOptions): AssessmentResult {
  const { core, meta } = model;
  const level = opts.confidenceLevel ?? 0.9;
  if (!(level > 0 && level < 1)) throw new Error(`confidenceLevel must lie in (0,1), got ${level}`);
  const p = trimPartial(partial);
  const R = countRuns(p);
  if (R === 0) throw new Error('no runs to summarise');
  // rows in run order
  const order = Array.from({ length: R }, (_, i) => i).sort((a, b) => p.runIndex[a] - p.runIndex[b]);
  // weight = likelihood x prior/proposal (the ratio is 0 on the log scale for prior draws)
  const lpr = priorRatioOf(p, R);
  let maxLl = -Infinity;
  let maxPr = -Infinity;
  for (let i = 0; i < R; i++) {
    if (p.logLik[i] + lpr[i] > maxLl) maxLl = p.logLik[i] + lpr[i];
    if (lpr[i] > maxPr) maxPr = lpr[i];
  }
  const w = new Float64Array(R);
  const wPrior = new Float64Array(R);
  let sw = 0;
  let sw2 = 0;
  for (let k = 0; k < R; k++) {
    const i = order[k];
    w[k] = maxLl === -Infinity ? 0 : Math.exp(p.logLik[i] + lpr[i] - maxLl);
    wPrior[k] = Math.exp(lpr[i] - maxPr);
    sw += w[k];
    sw2 += w[k] * w[k];
  }
  if (!(sw > 0)) throw new Error('every run has zero likelihood: the reports cannot be explained by the model (try forward mode or wider ranges)');
  const ess = kish(sw, sw2);
  const column = (get: (i: number) => number) => Float64Array.from(order, get);

  // ---- headline figures
  const figures: Record<string, RangeError> = {};
  const set = (split: number): FigureSet => {
    const r = (fig: number) => {
      const s = new WeightedSample(
        column((i) => p.totals[i * TOTALS_WIDTH + split * NF + fig]),
        w,
      );
      figures[`${SPLITS[split]}.${FIGURES[fig]}`] = rangeError(s, level, ess);
      return s.range(level);
    };
    return {
      entitiesInfected: r(FIGURE.entitiesInfected),
      entitiesDisrupted: r(FIGURE.entitiesDisrupted),
      unreportedInfections: r(FIGURE.unreportedInfections),
      forecastInfections: r(FIGURE.forecastInfections),
      lossUsd: { direct: r(FIGURE.lossDirect), indirect: r(FIGURE.lossIndirect), total: r(FIGURE.lossTotal) },
      populationAffected: r(FIGURE.populationAffected),
      countriesAffected: r(FIGURE.countriesAffected),
    };
  };
  const total = set(0);
  const intended = set(1);
  const collateral = set(2);

  // ---- calibration
  const parameters: Record<string, Range> = {};
  const prior: Record<string, Range> = {};
  meta.parameterNames.forEach((name, j) => {
    if (name.startsWith('predicted.')) return;
    const col = column((i) => p.params[i * p.paramCount + j]);
    parameters[name] = new WeightedSample(col, w).range(level);
    // exact when the priors are given; else the drawn runs weighted by prior/proposal
    const d = opts.priors?.[j];
    prior[name] = d ? priorRange(d, level) : new WeightedSample(col, wPrior).range(level);
  });

  // ---- posterior predictive check and warnings
  const warnings = [...meta.warnings];
  let predictiveCheck: PredictiveCheck | undefined;
  const kRep = meta.parameterNames.indexOf('predicted.reports');
  if (opts.calibrated && kRep >= 0) {
    const reps = column((i) => p.params[i * p.paramCount + kRep]);
    const shift = column((i) => p.params[i * p.paramCount + kRep + 1]);
    const tails = (x: Float64Array, obs: number) => {
      let above = 0;
      let tie = 0;
      for (let k = 0; k < R; k++) {
        if (x[k] > obs) above += w[k];
        else if (x[k] === obs) tie += w[k];
      }
      const upper = (above + 0.5 * tie) / sw;
      return Math.min(1, 2 * Math.min(upper, 1 - upper));
    };
    predictiveCheck = {
      observedReports: core.reportedCount,
      predictedReports: new WeightedSample(reps, w).range(level),
      reportsPValue: tails(reps, core.reportedCount),
      meanReportTimeShiftHours: new WeightedSample(shift, w).range(level),
      timingPValue: tails(shift, 0),
    };
    if (predictiveCheck.reportsPValue < WARN_PREDICTIVE_P)
      warnings.push(
        `${PREDICTIVE_CHECK_WARNING}: the calibrated model predicts ${Math.round(predictiveCheck.predictedReports.low)}-${Math.round(predictiveCheck.predictedReports.high)} reported entities by asOf, ${core.reportedCount} were reported (p = ${predictiveCheck.reportsPValue.toFixed(3)}): ranges may not hold`,
      );
    if (predictiveCheck.timingPValue < WARN_PREDICTIVE_P)
      warnings.push(
        `${PREDICTIVE_CHECK_WARNING}: the calibrated model puts the reports ${predictiveCheck.meanReportTimeShiftHours.median > 0 ? 'later' : 'earlier'} than they came in (mean shift ${predictiveCheck.meanReportTimeShiftHours.median.toFixed(1)} h, p = ${predictiveCheck.timingPValue.toFixed(3)}): ranges may not hold`,
      );
    const phi = opts.stages?.[opts.stages.length - 1]?.temperature ?? 1;
    if (phi < 1)
      warnings.push(
        `approximate calibration: the runs are weighted by the likelihood of the reports to the power ${phi.toPrecision(2)} (the sampler's tempering stopped there because the simulated likelihood is too noisy to sharpen further): ranges are wider than the reports alone would give`,
      );
    if (ess < WARN_ESS_SHARE * R)
      warnings.push(`low effective sample size: ${ess.toFixed(1)} of ${R} runs (below ${WARN_ESS_SHARE * 100}%): ranges rest on few runs; run more or widen the priors`);
  }

  // ---- entities
  const sumW = p.sumW;
  const nEffEntity = kish(p.sumW, p.sumW2);
  const entities: EntityStat[] = [];
  const protectedHits: ProtectedHit[] = [];
  for (let v = 0; v < core.n; v++) {
    // a report need not be genuine (its confidence), so reported entities have a probability too
    const pi = Math.min(1, p.infected[v] / sumW);
    const pd = p.disrupted[v] / sumW;
    if (!(pi > 0 || pd > 0)) continue;
    const isProtected = core.protectedMask[v] !== 0;
    entities.push({
      entityId: meta.ids[v],
      name: meta.names[v],
      country: core.country[v] >= 0 ? meta.countries[core.country[v]] : null,
      sector: meta.sectorOf[v],
      intended: core.intended[v] === 1,
      reported: core.reported[v] === 1,
      protected: isProtected,
      probabilityInfected: pi === 1 ? { p: 1, low: 1, high: 1 } : wilson(pi, nEffEntity),
      probabilityDisrupted: wilson(pd, nEffEntity),
      expectedLossUsd: p.loss[v] / sumW,
    });
    if (isProtected)
      protectedHits.push({
        entityId: meta.ids[v],
        name: meta.names[v],
        sector: meta.sectorOf[v],
        probability: Math.min(1, pi + pd),
        probabilityInfected: pi,
        norms: meta.norms.get(v) ?? [],
      });
  }
  entities.sort((a, b) => b.probabilityInfected.p - a.probabilityInfected.p || b.expectedLossUsd - a.expectedLossUsd);
  protectedHits.sort((a, b) => b.probability - a.probability);

  // ---- groups
  const groups = groupStats(model, p, order, w, sw, level);

  // ---- timeline
  const originMs = Date.parse(meta.originIso);
  const width = core.horizonEndHours / p.bins;
  const repTimes = meta.reportTimes;
  const timeline: TimelineBin[] = [];
  for (let b = 0; b < p.bins; b++) {
    const hours = (b + 1) * width;
    const s = new WeightedSample(column((i) => p.timeline[i * p.bins + b]), w);
    timeline.push({ hours, at: new Date(originMs + hours * 3600_000).toISOString(), infections: s.range(level), reported: repTimes.filter((t) => t <= hours).length });
  }

  // ---- early warning
  const bestIn = p.carry ? mostLikelyParents(model, p.carry) : null;
  const limit = opts.earlyWarningLimit ?? 100;
  const windows: EarlyWarningWindow[] = opts.earlyWarningHours.map((hrs, k) => {
    const cand: Array<[number, number]> = [];
    for (let v = 0; v < core.n; v++) {
      if (core.reported[v]) continue;
      const pr = p.early[v * p.windows + k] / sumW;
      if (pr > 0) cand.push([v, pr]);
    }
    cand.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    // Top `limit` of each part, so a reader filtering to collateral (or intended) entities gets a
    // full list even when the other part dominates the ranking.
    const kept = { intended: 0, collateral: 0 };
    const top = cand.filter(([v]) => {
      const part = core.intended[v] === 1 ? 'intended' : 'collateral';
      return kept[part] < limit && ++kept[part] > 0;
    });
    return {
      withinHours: hrs,
      entities: top.map(([v, pr]) => ({
        entityId: meta.ids[v],
        name: meta.names[v],
        country: core.country[v] >= 0 ? meta.countries[core.country[v]] : null,
        sector: meta.sectorOf[v],
        probability: wilson(pr, nEffEntity),
        path: bestIn ? pathTo(model, bestIn, v) : [],
      })),
    };
  });

  // ---- run table
  const columns = ['run', 'weight', 'logLikelihood', ...meta.parameterNames];
  for (const sp of SPLITS) for (const f of FIGURES) columns.push(`${sp}.${f}`);
  columns.push('logPriorRatio');
  const rows = order.map((i, k) => {
    const row = [p.runIndex[i], w[k] / sw, p.logLik[i]];
    for (let j = 0; j < p.paramCount; j++) row.push(p.params[i * p.paramCount + j]);
    for (let j = 0; j < TOTALS_WIDTH; j++) row.push(p.totals[i * TOTALS_WIDTH + j]);
    row.push(lpr[i]);
    return row;
  });

  return {
    model: opts.model,
    seed: opts.seed,
    runCount: R,
    level,
    calibrated: opts.calibrated,
    origin: meta.originIso,
    asOf: meta.asOfIso,
    horizonHours: meta.horizonHours,
    reportsUsed: meta.reportsUsed,
    reportedEntities: core.reportedCount,
    spectralRadius: core.spectralRadius,
    summary: {
      total,
      intended,
      collateral,
      protectedHits,
      calibration: {
        method: opts.calibrated
          ? opts.sampler === 'adaptive'
            ? opts.model === 'sir'
              ? 'importance sampling from a normal fitted to the synthetic-likelihood posterior (pilot rounds in stages); runs seeded with the reports taken as genuine (by confidence) a drawn reporting lag before them, unreported infections thinned by the chance of a report by asOf; weights prior/proposal x synthetic likelihood of the report counts per time bin after the first quarter of the reports and of the share of later reports near an earlier one, regressed on the parameters over forward runs (see docs/method.md)'
              : 'adaptive importance sampling: transmissibilities from a defensive mixture (prior + normal fitted to the tempered pilot), reporting rate from its conditional posterior given the run; weights prior/proposal x likelihood of the reports up to asOf (binomial count under the drawn reporting rate x explanation of each non-index report)'
            : 'importance weighting of prior draws by the likelihood of the reports up to asOf (binomial count under the drawn reporting rate x explanation of each non-index report)'
          : 'none (forward mode: runs weighted equally)',
        parameters,
        prior,
        effectiveSampleSize: ess,
        ...(opts.stages ? { stages: opts.stages } : {}),
        ...(predictiveCheck ? { predictiveCheck } : {}),
      },
      monteCarloError: {
        runs: R,
        effectiveSampleSize: ess,
        method: 'mean: weighted standard error; interval ends: 95% interval from quantiles p -/+ 1.96 sqrt(p(1-p)/n_eff) with Kish n_eff',
        figures,
      },
    },
    entities,
    groups,
    timeline,
    earlyWarning: { asOf: meta.asOfIso, windows },
    runs: { columns, rows },
    warnings,
  };
}

/**
 * Ranges of the per-run totals of every country, sector and country x sector group, for the
 * total and each part, from the sparse (run, cell) rows: a group's per-run total is the sum of
 * its cells' rows in that run; a run with no row in the group counts as zero (`zeroWeight`).
 * `order` lists the partial's run rows in run order, `w` their weights (summing to `sw`).
 */
function groupStats(model: ScenarioModel, p: AssessmentPartial, order: number[], w: Float64Array, sw: number, level: number): AssessmentGroups {
  const { core, meta } = model;
  const R = order.length;
  const cells = groupCells(core);
  const K = cells.count;
  const M = p.groupCount;
  // The rows copied cell by cell (run position, values), so each group reads its cells' rows
  // sequentially. A group's per-run total is summed over its cells in cell order, and the runs
  // are read in run order: the result does not depend on the order of the partial's rows.
  const pos = new Map<number, number>();
  order.forEach((i, k) => pos.set(p.runIndex[i], k));
  const gid = p.groupId;
  const grun = p.groupRun;
  const gv = p.groupValues;
  const cellStart = new Int32Array(K + 1);
  for (let j = 0; j < M; j++) cellStart[gid[j] + 1]++;
  for (let c = 0; c < K; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, K);
  const cellK = new Int32Array(M);
  const cellV = new Float32Array(M * NG);
  let lastRun = -1;
  let runPos = -1;
  for (let j = 0; j < M; j++) {
    if (grun[j] !== lastRun) {
      lastRun = grun[j];
      const at = pos.get(lastRun);
      if (at === undefined) throw new Error(`internal: group row of run ${lastRun}, which the partial does not hold`);
      runPos = at;
    }
    const t = fill[gid[j]]++;
    cellK[t] = runPos;
    for (let f = 0; f < NG; f++) cellV[t * NG + f] = gv[j * NG + f];
  }

  // the groups, as lists of cells; a missing country or sector is 'unknown' (as in the rollup)
  type Def = { key: string; country: string; sector: string; cells: Record<GroupPart, number[]> };
  const defs = { country: new Map<string, Def>(), sector: new Map<string, Def>(), countrySector: new Map<string, Def>() };
  for (let c = 0; c < K; c++) {
    const cn = cells.country[c] >= 0 ? meta.countries[cells.country[c]] : 'unknown';
    const sn = cells.sector[c] >= 0 ? meta.sectors[cells.sector[c]] : 'unknown';
    const part: GroupPart = cells.intended[c] === 1 ? 'intended' : 'collateral';
    const put = (m: Map<string, Def>, key: string, id = key) => {
      let d = m.get(id);
      if (!d) m.set(id, (d = { key, country: cn, sector: sn, cells: { total: [], intended: [], collateral: [] } }));
      d.cells.total.push(c);
      d.cells[part].push(c);
    };
    put(defs.country, cn);
    put(defs.sector, sn);
    put(defs.countrySector, `${cn}/${sn}`, `${cn}\u0000${sn}`); // the key alone is ambiguous if a name holds '/'
  }

  const acc = new Float64Array(R * NG);
  const seen = new Uint8Array(R);
  const vals = new Float64Array(NG * (R + 1)); // figure f at [f * (R + 1), (f + 1) * (R + 1))
  const wts = new Float64Array(R + 1);
  const scratchV = new Float64Array(R + 1);
  const scratchW = new Float64Array(R + 1);
  const stat = (list: number[]): Range[] => {
    for (const c of list) {
      for (let t = cellStart[c]; t < cellStart[c + 1]; t++) {
        const k = cellK[t];
        seen[k] = 1;
        for (let f = 0; f < NG; f++) acc[k * NG + f] += cellV[t * NG + f];
      }
    }
    let m = 0;
    let present = 0;
    for (let k = 0; k < R; k++) {
      if (seen[k] === 0) continue;
      seen[k] = 0;
      if (w[k] > 0) {
        for (let f = 0; f < NG; f++) vals[f * (R + 1) + m] = acc[k * NG + f];
        wts[m++] = w[k];
        present += w[k];
      }
      for (let f = 0; f < NG; f++) acc[k * NG + f] = 0;
    }
    // runs without a row in the group: value 0
    const zero = Math.max(0, sw - present);
    if (zero > 0) {
      for (let f = 0; f < NG; f++) vals[f * (R + 1) + m] = 0;
      wts[m++] = zero;
    }
    const out: Range[] = [];
    for (let f = 0; f < NG; f++) out.push(weightedRange(vals.subarray(f * (R + 1), (f + 1) * (R + 1)), wts, m, level, scratchV, scratchW));
    return out;
  };
  const build = (m: Map<string, Def>, pair: boolean): GroupStat[] => {
    const out: GroupStat[] = [];
    for (const d of m.values()) {
      let total: Range[] | null = null;
      for (const part of ['total', 'intended', 'collateral'] as const) {
        const list = d.cells[part];
        if (list.length === 0) continue;
        // a part holding every cell of the group has the total's figures
        const r: Range[] = part !== 'total' && list.length === d.cells.total.length ? total! : stat(list);
        if (part === 'total') total = r;
        const g: GroupStat = { key: d.key, part, entitiesInfected: r[0], entitiesDisrupted: r[1], lossUsd: r[2], populationAffected: r[3] };
        out.push(pair ? ({ ...g, country: d.country, sector: d.sector } as CountrySectorStat) : g);
      }
    }
    const rank = { total: 0, intended: 1, collateral: 2 };
    return out.sort((a, b) => rank[a.part!] - rank[b.part!] || b.lossUsd.mean - a.lossUsd.mean || a.key.localeCompare(b.key));
  };
  return { country: build(defs.country, false), sector: build(defs.sector, false), countrySector: build(defs.countrySector, true) as CountrySectorStat[] };
}

/** For each node, the incoming arc that carried the infection in the most (weighted) runs, or -1. */
function mostLikelyParents(model: ScenarioModel, carry: Float32Array): Int32Array {
  const g = model.core.graph;
  const best = new Int32Array(g.n).fill(-1);
  const val = new Float32Array(g.n);
  for (let a = 0; a < g.arcs; a++) {
    const c = carry[a];
    if (c > 0) {
      const v = g.targets[a];
      if (c > val[v]) {
        val[v] = c;
        best[v] = a;
      }
    }
  }
  return best;
}

function pathTo(model: ScenarioModel, bestIn: Int32Array, v: number): string[] {
  const { core, meta } = model;
  const path = [v];
  const seen = new Set([v]);
  let cur = v;
  while (!core.reported[cur] && path.length < 64) {
    const a = bestIn[cur];
    if (a < 0) break;
    const u = tailOf(core.graph.offsets, a);
    if (seen.has(u)) break;
    seen.add(u);
    path.push(u);
    cur = u;
  }
  return path.reverse().map((x) => meta.ids[x]);
}
