/**
 * What each reader sees of a stored result. Aggregates (the summary's totals, the timeline,
 * runs) are the same for everyone; entity-level views leave out an entity whose state rests
 * only on reports the reader may not see (TLP AMBER+STRICT or RED of another organisation),
 * and the rollup counts such an entity only in groups of at least five entities.
 */
import { canSee, Reader } from '../tlp/policy';
import type { AssessmentParts, StoredTimeline } from './result-parts';
import type { Range, Summary } from './result-types';
import { PREDICTIVE_CHECK_WARNING } from '../engine/predictive-check';
import type { Suppressed } from './suppression';

// What importers outside src/results take from here (the assessments controller, e2e and dashboard
// tests); the rest lives in suppression.ts, entities-view.ts, early-warning-view.ts, rollup-view.ts.
export { MIN_GROUP } from './suppression';
export { rollupView, type RollupNode, type RollupPart } from './rollup-view';

/**
 * The timeline as `reader` sees it. The stored one runs from the earliest report used, whoever
 * may see it; its bin times (and their width, since the grid ends at the public asOf + horizon)
 * would date a hidden report. So a reader's timeline starts at the earliest report it may see
 * (asOf when it sees none) and is read off the stored curve at evenly spaced times from there to
 * the same end: `origin`, `hours`, `at` and `reported` rest only on reports it may see. Results
 * stored before audiences were kept start at asOf for readers who are not admins, with
 * `reported` null.
 */
export function timelineFor(stored: StoredTimeline, reader: Reader) {
  const { firstReports, ...timeline } = stored;
  const first = new Map<string, number>();
  for (const f of firstReports ?? []) if (canSee(reader, f)) first.set(f.entityId, Math.min(first.get(f.entityId) ?? Infinity, f.hours));
  const times = [...first.values()];
  const reported = (hours: number) => (firstReports ? times.filter((t) => t <= hours + 1e-9).length : null);
  const points = timeline.points;
  const originMs = Date.parse(timeline.origin);
  const asOfHours = (Date.parse(timeline.asOf) - originMs) / 3_600_000;
  const admin = reader.role === 'admin';
  const start = admin ? 0 : !firstReports || times.length === 0 ? asOfHours : Math.min(...times);
  if (start <= 0 || points.length === 0) {
    return { ...timeline, points: points.map((p) => ({ ...p, reported: admin && !firstReports ? p.reported : reported(p.hours) })) };
  }
  const end = points[points.length - 1].hours;
  const width = (end - start) / points.length;
  return {
    ...timeline,
    origin: new Date(originMs + start * 3_600_000).toISOString(),
    points: points.map((_, k) => {
      const at = k === points.length - 1 ? end : start + (k + 1) * width;
      return { hours: at - start, at: new Date(originMs + at * 3_600_000).toISOString(), infections: infectionsAt(points, at), reported: reported(at) };
    }),
  };
}

/** The stored cumulative infections at `hours` (from the stored origin), linear between bin ends. */
function infectionsAt(points: StoredTimeline['points'], hours: number): Range {
  const i = points.findIndex((p) => p.hours >= hours);
  if (i <= 0) return points[Math.max(0, i)].infections;
  const a = points[i - 1];
  const b = points[i];
  const f = (hours - a.hours) / (b.hours - a.hours);
  const mix = (x: number, y: number) => x + (y - x) * f;
  return { ...b.infections, mean: mix(a.infections.mean, b.infections.mean), median: mix(a.infections.median, b.infections.median), low: mix(a.infections.low, b.infections.low), high: mix(a.infections.high, b.infections.high) };
}

/**
 * The summary for a reader whose views leave out `hidden` entities. The predictive check counts
 * and times the reported entities of all evidence, so next to the entities a reader sees reported
 * it would reveal how many (and roughly when) rest on reports hidden from it: such a reader gets
 * neither the check nor its warnings.
 */
export function summaryFor(summary: Summary, hidden: Suppressed<unknown>): Summary {
  if (!hidden.size) return summary;
  const { predictiveCheck: _omitted, ...calibration } = summary.calibration;
  return {
    ...summary,
    protectedHits: summary.protectedHits.filter((h) => !hidden.has(h.entityId)),
    calibration,
  };
}

/**
 * The run's warnings for a reader whose views leave out `hidden` entities: without the predictive
 * check's, which quote the count of reported entities of all evidence (see summaryFor).
 */
export function warningsFor(warnings: readonly string[], hidden: Suppressed<unknown>): string[] {
  return hidden.size ? warnings.filter((w) => !w.startsWith(PREDICTIVE_CHECK_WARNING)) : [...warnings];
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function runsCsv(runs: AssessmentParts['runs']): string {
  const lines = [runs.columns.map(csvCell).join(',')];
  for (const row of runs.rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export type { Range };
