/**
 * The timeline: cumulative infections at the end of each of `bins` equal bins from the origin to
 * the horizon, per run, and their ranges over the runs.
 */
import type { ScenarioModel } from './model';
import type { AssessmentPartial } from './partial';
import { inRunOrder, type RunWeights } from './run-weights';
import type { SpreadWorkspace } from './spread';
import type { TimelineBin } from './result';
import { WeightedSample } from './stats';

/**
 * Writes a run's cumulative infections per bin into out[offset, offset + counts.length);
 * `counts` is scratch of the bins' length.
 */
export function binInfections(ws: SpreadWorkspace, order: Int32Array, count: number, horizonEndHours: number, counts: Float64Array, out: Float32Array, offset: number): void {
  const B = counts.length;
  counts.fill(0);
  const width = horizonEndHours / B;
  for (let i = 0; i < count; i++) {
    const t = ws.time[order[i]];
    let b = width > 0 ? Math.floor(t / width) : B - 1;
    if (b >= B) b = B - 1;
    if (b < 0) b = 0;
    counts[b]++;
  }
  let acc = 0;
  for (let b = 0; b < B; b++) {
    acc += counts[b];
    out[offset + b] = acc;
  }
}

export function timelineOf(model: ScenarioModel, p: AssessmentPartial, rw: RunWeights, level: number): TimelineBin[] {
  const { core, meta } = model;
  const originMs = Date.parse(meta.originIso);
  const width = core.horizonEndHours / p.bins;
  const timeline: TimelineBin[] = [];
  for (let b = 0; b < p.bins; b++) {
    const hours = (b + 1) * width;
    const s = new WeightedSample(inRunOrder(rw, (i) => p.timeline[i * p.bins + b]), rw.w);
    timeline.push({ hours, at: new Date(originMs + hours * 3600_000).toISOString(), infections: s.range(level), reported: meta.reportTimes.filter((t) => t <= hours).length });
  }
  return timeline;
}
