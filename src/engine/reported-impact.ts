/**
 * Reported impact: the hosts, downtime and losses reports give for an entity, which replace the
 * model's draws for it (a responder's count beats a prior). Kept in slots for the entities that
 * have any, since few do.
 */
import { lognormalFromRange } from './distributions';
import { sharedFloat64, sharedInt32 } from './graph';
import type { ReportsByEntity } from './scenario-reports';

export interface ReportedImpact {
  /** Per entity: its slot in the arrays below, or -1. */
  reportSlot: Int32Array;
  /** Per slot, NaN where not reported: hosts affected, downtime (days), the filed loss's lognormal. */
  reportedHosts: Float64Array;
  reportedDowntimeDays: Float64Array;
  reportedLossMu: Float64Array;
  reportedLossSigma: Float64Array;
}

export function reportedImpact(by: ReportsByEntity, n: number, ids: readonly string[]): ReportedImpact {
  const reportSlot = sharedInt32(n).fill(-1);
  const slotNodes = [...new Set([...by.hosts.keys(), ...by.downtimeHours.keys(), ...by.loss.keys()])];
  const reportedHosts = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedDowntimeDays = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedLossMu = sharedFloat64(slotNodes.length).fill(NaN);
  const reportedLossSigma = sharedFloat64(slotNodes.length).fill(NaN);
  slotNodes.forEach((node, s) => {
    reportSlot[node] = s;
    if (by.hosts.has(node)) reportedHosts[s] = by.hosts.get(node)!;
    if (by.downtimeHours.has(node)) reportedDowntimeDays[s] = by.downtimeHours.get(node)! / 24;
    const l = by.loss.get(node);
    if (l) {
      const p = lognormalFromRange(l.loss, `reported loss of '${ids[node]}'`);
      reportedLossMu[s] = p.mu;
      reportedLossSigma[s] = p.sigma;
    }
  });
  return { reportSlot, reportedHosts, reportedDowntimeDays, reportedLossMu, reportedLossSigma };
}
