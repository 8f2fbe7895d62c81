/**
 * The reports a model rests on: the weapon's reports up to asOf that name a known entity, and what
 * they say per entity. The earliest report used is the model's time origin, so every model time is
 * hours from the first thing anyone saw.
 */
import type { Range90, ReportRecord, WeaponRecord } from '../domain/records';
import { isRange, parseTime, ScenarioInputError } from './scenario-input';

const HOUR = 3600_000;

/** A report used, its time (ms) and its entity's node. */
export interface UsedReport {
  r: ReportRecord;
  t: number;
  node: number;
}

export interface UsedReports {
  used: UsedReport[];
  asOfMs: number;
  /** The earliest report used (ms). */
  originMs: number;
  /** Hours from the origin of a time in ms. */
  hours: (ms: number) => number;
}

/**
 * The weapon's reports (those naming no weapon count for it) up to asOf, the latest report's time
 * by default. A report on an unknown entity is ignored with a warning, not refused: feeds name
 * entities the graph may not hold yet. Refuses a model without any report ('no-reports').
 */
export function usedReports(reports: readonly ReportRecord[], weapon: WeaponRecord, asOf: string | Date | undefined, index: ReadonlyMap<string, number>, warnings: string[]): UsedReports {
  const allReports = reports.filter((r) => r.weaponId === undefined || r.weaponId === weapon.id);
  if (allReports.length === 0) throw new ScenarioInputError(`nothing was reported for weapon '${weapon.id}': an assessment needs at least one spread report`, 'no-reports');
  const times = allReports.map((r, i) => parseTime(r.observedAt, `reports[${i}].observedAt`));
  const asOfMs = asOf !== undefined ? parseTime(asOf, 'asOf') : Math.max(...times);
  const used: UsedReport[] = [];
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
  return { used, asOfMs, originMs, hours: (ms: number) => (ms - originMs) / HOUR };
}

/** What an entity's reports say, per node; times in ms. */
export interface ReportsByEntity {
  /** The earliest report. */
  firstSeen: Map<number, number>;
  /** The earliest contained/remediated report. */
  stop: Map<number, number>;
  /** The highest confidence in [0,1] (suspected reports without one: 0.5, others 1). */
  confidence: Map<number, number>;
  /** The largest reported hosts affected and downtime (hours). */
  hosts: Map<number, number>;
  downtimeHours: Map<number, number>;
  /** The latest valid filed loss. */
  loss: Map<number, { t: number; loss: Range90 }>;
}

/**
 * Several reports on one entity become one account, which the seeds and the reported impact read:
 * seen at the earliest report, stopped at the earliest containment, the largest hosts and downtime
 * figures, the latest filed loss.
 */
export function reportsByEntity(used: readonly UsedReport[]): ReportsByEntity {
  const by: ReportsByEntity = { firstSeen: new Map(), stop: new Map(), confidence: new Map(), hosts: new Map(), downtimeHours: new Map(), loss: new Map() };
  const { firstSeen, stop, confidence, hosts, downtimeHours, loss } = by;
  for (const { r, t, node } of used) {
    if (!firstSeen.has(node) || t < firstSeen.get(node)!) firstSeen.set(node, t);
    if (r.status === 'contained' || r.status === 'remediated') if (!stop.has(node) || t < stop.get(node)!) stop.set(node, t);
    const c = r.confidence ?? (r.status === 'suspected' ? 50 : 100);
    confidence.set(node, Math.max(confidence.get(node) ?? 0, Math.min(100, Math.max(0, c)) / 100));
    if (r.hostsAffected != null && r.hostsAffected >= 0) hosts.set(node, Math.max(hosts.get(node) ?? 0, r.hostsAffected));
    if (r.downtimeHours != null && r.downtimeHours >= 0) downtimeHours.set(node, Math.max(downtimeHours.get(node) ?? 0, r.downtimeHours));
    if (r.lossUsd && isRange(r.lossUsd) && r.lossUsd.low > 0 && r.lossUsd.high >= r.lossUsd.low)
      if (!loss.has(node) || t >= loss.get(node)!.t) loss.set(node, { t, loss: r.lossUsd });
  }
  return by;
}
