/**
 * prepareScenario: turns domain records (entities, dependencies, weapon, reports) into the
 * plain, transferable model the runs read. Numeric arrays live on SharedArrayBuffers so that
 * worker threads share them; `core` is what workers receive, `meta` stays on the main thread.
 */
import type { DependencyRecord, EntityRecord, Range90, ReportRecord, WeaponRecord } from '../domain/records';
import { DEPENDENCY_KINDS, defaultProtection, type DependencyKind, type Norm } from '../domain/vocabulary';
import { lognormalFromRange, logitNormalFromRange, type ScaleNormal } from './distributions';
import { buildGraph, KIND_SLOTS, sharedFloat32, sharedFloat64, sharedInt32, sharedUint8, type Graph } from './graph';
import { checkStable, inoperabilityMatrix, type InoperabilityMatrix } from './iim';

/** Raised for input that cannot make a model (no reports, unknown entity, bad range). */
export class ScenarioInputError extends Error {
  constructor(
    message: string,
    readonly code: 'no-reports' | 'invalid-input' = 'invalid-input',
  ) {
    super(message);
  }
}

export interface PrepareScenarioInput {
  entities: readonly EntityRecord[];
  dependencies: readonly DependencyRecord[];
  weapon: WeaponRecord;
  reports: readonly ReportRecord[];
  /** Assessment time (ISO 8601 or Date); default: the latest report's observedAt. Reports after it are ignored. */
  asOf?: string | Date;
  /** Forecast horizon after asOf, hours (default 168). */
  horizonHours?: number;
  /** Dependency kinds that carry functional dependence in the IIM (default ['service']). */
  functionalKinds?: readonly DependencyKind[];
}

/** Weapon parameters as fitted distributions (per kind slot; null where the weapon has no vector). */
export interface WeaponModel {
  /** Kind slots the weapon spreads along. */
  kinds: number[];
  /** Logit-normal of each used kind's transmissibility. */
  transmissibility: Array<ScaleNormal | null>;
  /** Lognormal of each used kind's per-arc delay (hours). */
  delay: Array<ScaleNormal | null>;
  /** Lognormal of an infected entity's spreading window (hours) before containment; null = until the horizon. */
  containment: ScaleNormal | null;
  /** Hours from origin after which nothing new is infected (Infinity if none). */
  killSwitchHours: number;
  hostShare: ScaleNormal;
  costPerHost: ScaleNormal;
  downtimeDays: ScaleNormal;
  /** Logit-normal of c for infected entities; null = c = host share x payloadFactor. */
  inoperability: ScaleNormal | null;
  payloadFactor: number;
}

/** The numeric part of the model (shared with workers). */
export interface ScenarioCore {
  n: number;
  graph: Graph;
  hosts: Float64Array;
  dailyValueUsd: Float64Array;
  populationServed: Float64Array;
  /** 1 if the entity carries all the weapon's required tags, else 0; null when every entity is susceptible. */
  susceptibility: Float32Array | null;
  intended: Uint8Array;
  reported: Uint8Array;
  /** Bit 1: norm 13(f); bit 2: norm 13(k); 0 = not protected. */
  protectedMask: Uint8Array;
  /** Country group index per entity (-1 none). */
  country: Int32Array;
  /** Sector group index per entity (-1 none). */
  sector: Int32Array;
  countryCount: number;
  sectorCount: number;
  functional: InoperabilityMatrix;
  spectralRadius: number;
  /** Seeds: reported entities at their earliest report (hours from origin). */
  seedNode: Int32Array;
  seedTime: Float64Array;
  /** 1 for index cases (earliest reports): they need no explanation in the likelihood. */
  seedIsIndex: Uint8Array;
  /** Report confidence in [0,1] per seed. */
  seedConfidence: Float64Array;
  /** Per entity: time it stops spreading (contained/remediated report), Infinity otherwise; null if none. */
  stopAt: Float64Array | null;
  /** Per entity: slot into the reported-impact arrays, or -1. */
  reportSlot: Int32Array;
  reportedHosts: Float64Array;
  reportedDowntimeDays: Float64Array;
  reportedLossMu: Float64Array;
  reportedLossSigma: Float64Array;
  /**
   * Per entity: the report slot of the filed loss that covers it, or -1. A loss filed for an
   * entity covers its whole subtree (a group's figure filed for its head office covers the group's
   * sites); the outermost filed loss wins, so nested figures are not added to their group's.
   */
  lossCover: Int32Array;
  weapon: WeaponModel;
  asOfHours: number;
  horizonEndHours: number;
  /** Distinct entities reported by asOf. */
  reportedCount: number;
}

/** Names and labels (main thread only). */
export interface ScenarioMeta {
  ids: string[];
  names: string[];
  sectorOf: Array<string | null>;
  countries: string[];
  sectors: string[];
  /** Norms per protected entity index. */
  norms: Map<number, Norm[]>;
  originIso: string;
  asOfIso: string;
  horizonHours: number;
  weaponId: string;
  weaponName: string;
  reportsUsed: number;
  /** Cumulative reported entities by time: sorted seed times (hours). */
  reportTimes: number[];
  /** Names of the per-run drawn parameters, in row order. */
  parameterNames: string[];
  warnings: string[];
}

export interface ScenarioModel {
  core: ScenarioCore;
  meta: ScenarioMeta;
}

const HOUR = 3600_000;
/** Per-run columns of the posterior predictive check (runner.ts, replicateReports), after the parameters. */
export const PREDICTED = ['predicted.reports', 'predicted.meanReportHoursShift'] as const;
const PAYLOAD_FACTOR: Record<string, number> = { wiper: 1, ransomware: 1, sabotage: 1, botnet: 0.1, espionage: 0.02 };

function parseTime(value: string | Date, what: string): number {
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(t)) throw new ScenarioInputError(`${what}: not a valid time: ${String(value)}`);
  return t;
}

function isRange(r: Range90 | null | undefined): r is Range90 {
  return !!r && Number.isFinite(r.low) && Number.isFinite(r.high);
}

/**
 * For every entity, the slot of the outermost filed loss among the entity and its ancestors, or -1.
 * Responders file a group's loss for its head office (Maersk's USD 200-300m is the group's figure),
 * so counting it for the head office and drawing the sites' losses on top would count the group twice.
 */
function filedLossCover(entities: readonly EntityRecord[], index: Map<string, number>, reportSlot: Int32Array, lossMu: Float64Array): Int32Array {
  const n = entities.length;
  const cover = sharedInt32(n).fill(-1);
  if (!lossMu.some((mu) => mu === mu)) return cover;
  const parent = new Int32Array(n).fill(-1);
  entities.forEach((e, v) => {
    const p = e.parentId ? index.get(e.parentId) : undefined;
    if (p !== undefined) parent[v] = p;
  });
  for (let v = 0; v < n; v++) {
    // the step limit guards against a parent cycle, which the graph rules refuse elsewhere
    for (let u = v, steps = 0; u >= 0 && steps <= n; u = parent[u], steps++) {
      const slot = reportSlot[u];
      if (slot >= 0 && lossMu[slot] === lossMu[slot]) cover[v] = slot;
    }
  }
  return cover;
}

/**
 * Prepares a model for runAssessment / runShard.
 * - ids become indices in entity order; dependencies become arcs (both ways if bidirectional);
 * - susceptibility: 1 if the entity has every tag in weapon.requiredTags;
 * - intended: listed in targeting.entityIds, or matching every selector present among
 *   countries / sectors / tags (any value within a selector);
 * - protected: entity.protected overrides; norms from the sector (13(f)) and kind csirt (13(k));
 * - seeds: the earliest report per entity up to asOf; contained/remediated reports stop the
 *   entity's spreading from that time; reported hosts, downtime and loss replace the draws;
 * - the IIM matrix from `functionalKinds` dependencies (target depends on source with the weight),
 *   checked for stability (UnstableDependencyMatrixError).
 * Time is in hours from the earliest report used (the origin).
 */
export function prepareScenario(input: PrepareScenarioInput): ScenarioModel {
  const { entities, dependencies, weapon } = input;
  const horizonHours = input.horizonHours ?? 168;
  if (!(horizonHours >= 0)) throw new ScenarioInputError(`horizonHours must be >= 0, got ${horizonHours}`);
  const warnings: string[] = [];
  const { graph, ids, index } = buildGraph(entities, dependencies);
  const n = graph.n;

  // ---- reports
  const allReports = input.reports.filter((r) => r.weaponId === undefined || r.weaponId === weapon.id);
  if (allReports.length === 0) throw new ScenarioInputError(`nothing was reported for weapon '${weapon.id}': an assessment needs at least one spread report`, 'no-reports');
  const times = allReports.map((r, i) => parseTime(r.observedAt, `reports[${i}].observedAt`));
  const asOfMs = input.asOf !== undefined ? parseTime(input.asOf, 'asOf') : Math.max(...times);
  const used: Array<{ r: ReportRecord; t: number; node: number }> = [];
  allReports.forEach((r, i) => {
    if (times[i] > asOfMs) return;
    const node = index.get(r.entityId);
    if (node === undefined) {
      warnings.push(`report ${r.id ?? i} names unknown entity '${r.entityId}': ignored`);
      return;
    }
    used.push({ r, t: times[i], node });
  });
  if (used.length === 0) throw new ScenarioInputError(`nothing was reported for weapon '${weapon.id}' up to ${new Date(asOfMs).toISOString()}`, 'no-reports');
  const originMs = Math.min(...used.map((u) => u.t));
  const h = (ms: number) => (ms - originMs) / HOUR;

  const firstSeen = new Map<number, number>();
  const stop = new Map<number, number>();
  const conf = new Map<number, number>();
  const hostsRep = new Map<number, number>();
  const downRep = new Map<number, number>();
  const lossRep = new Map<number, { t: number; loss: Range90 }>();
  for (const { r, t, node } of used) {
    if (!firstSeen.has(node) || t < firstSeen.get(node)!) firstSeen.set(node, t);
    if (r.status === 'contained' || r.status === 'remediated') if (!stop.has(node) || t < stop.get(node)!) stop.set(node, t);
    const c = r.confidence ?? (r.status === 'suspected' ? 50 : 100);
    conf.set(node, Math.max(conf.get(node) ?? 0, Math.min(100, Math.max(0, c)) / 100));
    if (r.hostsAffected != null && r.hostsAffected >= 0) hostsRep.set(node, Math.max(hostsRep.get(node) ?? 0, r.hostsAffected));
    if (r.downtimeHours != null && r.downtimeHours >= 0) downRep.set(node, Math.max(downRep.get(node) ?? 0, r.downtimeHours));
    if (r.lossUsd && isRange(r.lossUsd) && r.lossUsd.low > 0 && r.lossUsd.high >= r.lossUsd.low)
      if (!lossRep.has(node) || t >= lossRep.get(node)!.t) lossRep.set(node, { t, loss: r.lossUsd });
  }
  const seedList = [...firstSeen.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const seedNode = sharedInt32(seedList.length);
  const seedTime = sharedFloat64(seedList.length);
  const seedIsIndex = sharedUint8(seedList.length);
  const seedConfidence = sharedFloat64(seedList.length);
  const reported = sharedUint8(n);
  seedList.forEach(([node, t], i) => {
    seedNode[i] = node;
    seedTime[i] = h(t);
    seedIsIndex[i] = t === originMs ? 1 : 0;
    seedConfidence[i] = conf.get(node) ?? 1;
    reported[node] = 1;
  });
  let stopAt: Float64Array | null = null;
  if (stop.size > 0) {
    stopAt = sharedFloat64(n).fill(Infinity);
    for (const [node, t] of stop) stopAt[node] = h(t);
  }
  const reportSlot = sharedInt32(n).fill(-1);
  const slotNodes = [...new Set([...hostsRep.keys(), ...downRep.keys(), ...lossRep.keys()])];
  const reportedHosts = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedDowntimeDays = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedLossMu = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedLossSigma = sharedFloat64(slotNodes.length).fill(NaN);
  slotNodes.forEach((node, s) => {
    reportSlot[node] = s;
    if (hostsRep.has(node)) reportedHosts[s] = hostsRep.get(node)!;
    if (downRep.has(node)) reportedDowntimeDays[s] = downRep.get(node)! / 24;
    const l = lossRep.get(node);
    if (l) {
      const p = lognormalFromRange(l.loss, `reported loss of '${ids[node]}'`);
      reportedLossMu[s] = p.mu;
      reportedLossSigma[s] = p.sigma;
    }
  });
  const lossCover = filedLossCover(entities, index, reportSlot, reportedLossMu);

  // ---- entities
  const hosts = sharedFloat64(n);
  const dailyValueUsd = sharedFloat64(n);
  const populationServed = sharedFloat64(n);
  const intended = sharedUint8(n);
  const protectedMask = sharedUint8(n);
  const country = sharedInt32(n);
  const sector = sharedInt32(n);
  const countries: string[] = [];
  const sectors: string[] = [];
  const cIdx = new Map<string, number>();
  const sIdx = new Map<string, number>();
  const norms = new Map<number, Norm[]>();
  const required = weapon.requiredTags ?? [];
  let susceptibility: Float32Array | null = null;
  if (required.length > 0) susceptibility = sharedFloat32(n);
  const tg = weapon.targeting ?? {};
  const tIds = new Set(tg.entityIds ?? []);
  const tCountries = tg.countries?.length ? new Set(tg.countries.map((c) => c.toUpperCase())) : null;
  const tSectors = tg.sectors?.length ? new Set(tg.sectors) : null;
  const tTags = tg.tags?.length ? new Set(tg.tags) : null;
  const anySelector = tCountries !== null || tSectors !== null || tTags !== null;
  const names: string[] = new Array(n);
  const sectorOf: Array<string | null> = new Array(n);
  entities.forEach((e, i) => {
    const num = (v: number, what: string) => {
      if (!(v >= 0) || !Number.isFinite(v)) throw new ScenarioInputError(`entity '${e.id}': ${what} must be a finite number >= 0, got ${v}`);
      return v;
    };
    hosts[i] = num(e.hosts ?? 0, 'hosts');
    dailyValueUsd[i] = num(e.dailyValueUsd ?? 0, 'dailyValueUsd');
    populationServed[i] = num(e.populationServed ?? 0, 'populationServed');
    names[i] = e.name;
    sectorOf[i] = e.sector ?? null;
    const cc = e.country ? e.country.toUpperCase() : null;
    if (cc) {
      if (!cIdx.has(cc)) {
        cIdx.set(cc, countries.length);
        countries.push(cc);
      }
      country[i] = cIdx.get(cc)!;
    } else country[i] = -1;
    if (e.sector) {
      if (!sIdx.has(e.sector)) {
        sIdx.set(e.sector, sectors.length);
        sectors.push(e.sector);
      }
      sector[i] = sIdx.get(e.sector)!;
    } else sector[i] = -1;
    const tags = e.tags ?? [];
    if (susceptibility) susceptibility[i] = required.every((t) => tags.includes(t)) ? 1 : 0;
    const sel =
      anySelector &&
      (tCountries === null || (cc !== null && tCountries.has(cc))) &&
      (tSectors === null || (!!e.sector && tSectors.has(e.sector))) &&
      (tTags === null || tags.some((t) => tTags.has(t)));
    intended[i] = tIds.has(e.id) || sel ? 1 : 0;
    let nm = defaultProtection(e.sector, e.kind);
    if (e.protected === false) nm = [];
    else if (e.protected === true && nm.length === 0) nm = ['13(f)'];
    if (nm.length) {
      norms.set(i, nm);
      protectedMask[i] = (nm.includes('13(f)') ? 1 : 0) | (nm.includes('13(k)') ? 2 : 0);
    }
  });
  for (const id of tIds) if (!index.has(id)) warnings.push(`targeting names unknown entity '${id}'`);

  // ---- functional dependencies (IIM)
  const fk = new Set<string>(input.functionalKinds ?? ['service']);
  const fr: number[] = [];
  const fc: number[] = [];
  const fv: number[] = [];
  for (const d of dependencies) {
    if (!fk.has(d.kind) || !(d.weight > 0)) continue;
    const s = index.get(d.sourceId)!;
    const t = index.get(d.targetId)!;
    fr.push(t);
    fc.push(s);
    fv.push(d.weight);
    if (d.bidirectional) {
      fr.push(s);
      fc.push(t);
      fv.push(d.weight);
    }
  }
  const functional = inoperabilityMatrix(n, fr, fc, fv, { i32: sharedInt32, f64: sharedFloat64 });
  const spectralRadius = checkStable(functional);

  // ---- weapon
  const kinds: number[] = [];
  const transmissibility: Array<ScaleNormal | null> = new Array(KIND_SLOTS).fill(null);
  const delay: Array<ScaleNormal | null> = new Array(KIND_SLOTS).fill(null);
  DEPENDENCY_KINDS.forEach((kind, k) => {
    const v = weapon.vectors?.[kind];
    if (!v) return;
    try {
      transmissibility[k] = logitNormalFromRange(v.transmissibility, `weapon.vectors.${kind}.transmissibility`);
      delay[k] = lognormalFromRange(v.delayHours, `weapon.vectors.${kind}.delayHours`);
    } catch (err) {
      throw new ScenarioInputError((err as Error).message);
    }
    kinds.push(k);
  });
  if (kinds.length === 0) warnings.push(`weapon '${weapon.id}' has no vectors: nothing spreads beyond the reports`);
  const range = (r: Range90 | undefined | null, what: string, fit: (r: Range90, w: string) => ScaleNormal, fallback?: ScaleNormal): ScaleNormal => {
    if (!isRange(r)) {
      if (fallback) return fallback;
      throw new ScenarioInputError(`${what} is required`);
    }
    try {
      return fit(r, what);
    } catch (err) {
      throw new ScenarioInputError((err as Error).message);
    }
  };
  const imp = weapon.impact ?? ({} as WeaponRecord['impact']);
  const weaponModel: WeaponModel = {
    kinds,
    transmissibility,
    delay,
    containment: isRange(weapon.containmentHours) ? range(weapon.containmentHours, 'weapon.containmentHours', lognormalFromRange) : null,
    killSwitchHours: weapon.killSwitchAt ? h(parseTime(weapon.killSwitchAt, 'weapon.killSwitchAt')) : Infinity,
    hostShare: range(imp.hostShare, 'weapon.impact.hostShare', logitNormalFromRange),
    costPerHost: range(imp.costPerHostUsd, 'weapon.impact.costPerHostUsd', lognormalFromRange),
    downtimeDays: range(imp.downtimeDays, 'weapon.impact.downtimeDays', lognormalFromRange),
    inoperability: isRange(imp.inoperability) ? range(imp.inoperability, 'weapon.impact.inoperability', logitNormalFromRange) : null,
    payloadFactor: PAYLOAD_FACTOR[weapon.payload] ?? 1,
  };

  const core: ScenarioCore = {
    n,
    graph,
    hosts,
    dailyValueUsd,
    populationServed,
    susceptibility,
    intended,
    reported,
    protectedMask,
    country,
    sector,
    countryCount: countries.length,
    sectorCount: sectors.length,
    functional,
    spectralRadius,
    seedNode,
    seedTime,
    seedIsIndex,
    seedConfidence,
    stopAt,
    reportSlot,
    reportedHosts,
    reportedDowntimeDays,
    reportedLossMu,
    reportedLossSigma,
    lossCover,
    weapon: weaponModel,
    asOfHours: h(asOfMs),
    horizonEndHours: h(asOfMs) + horizonHours,
    reportedCount: seedList.length,
  };
  const meta: ScenarioMeta = {
    ids,
    names,
    sectorOf,
    countries,
    sectors,
    norms,
    originIso: new Date(originMs).toISOString(),
    asOfIso: new Date(asOfMs).toISOString(),
    horizonHours,
    weaponId: weapon.id,
    weaponName: weapon.name,
    reportsUsed: used.length,
    reportTimes: Array.from(seedTime),
    parameterNames: [...kinds.map((k) => `transmissibility.${DEPENDENCY_KINDS[k]}`), 'reportingRate', 'recoveryDays', 'reportingLagHours', ...PREDICTED],
    warnings,
  };
  return { core, meta };
}
