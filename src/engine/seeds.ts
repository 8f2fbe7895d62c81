/**
 * The seeds of every run: each reported entity at its earliest report. The reports are the one
 * thing known to have happened, so runs start from them rather than from a guessed patient zero;
 * the earliest reports are the index cases, which the likelihood need not explain.
 */
import { sharedFloat64, sharedInt32, sharedUint8 } from './graph';
import type { ReportsByEntity, UsedReports } from './scenario-reports';

export interface Seeds {
  /** Seeds in time order (ties by node): node, hours from origin, index case (1), confidence in [0,1]. */
  seedNode: Int32Array;
  seedTime: Float64Array;
  seedIsIndex: Uint8Array;
  seedConfidence: Float64Array;
  /** Per entity: 1 if reported by asOf. */
  reported: Uint8Array;
  /** Per entity: hours from origin it stops spreading (contained/remediated), Infinity otherwise; null if no report says so. */
  stopAt: Float64Array | null;
}

export function seedsOf(by: ReportsByEntity, reports: UsedReports, n: number): Seeds {
  const { originMs, hours } = reports;
  const seedList = [...by.firstSeen.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const seedNode = sharedInt32(seedList.length);
  const seedTime = sharedFloat64(seedList.length);
  const seedIsIndex = sharedUint8(seedList.length);
  const seedConfidence = sharedFloat64(seedList.length);
  const reported = sharedUint8(n);
  seedList.forEach(([node, t], i) => {
    seedNode[i] = node;
    seedTime[i] = hours(t);
    seedIsIndex[i] = t === originMs ? 1 : 0;
    seedConfidence[i] = by.confidence.get(node) ?? 1;
    reported[node] = 1;
  });
  let stopAt: Float64Array | null = null;
  if (by.stop.size > 0) {
    stopAt = sharedFloat64(n).fill(Infinity);
    for (const [node, t] of by.stop) stopAt[node] = hours(t);
  }
  return { seedNode, seedTime, seedIsIndex, seedConfidence, reported, stopAt };
}
