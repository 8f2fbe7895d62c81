// Spread timeline: estimated cumulative infections (line) with its band, reported infections
// (points), the assessment time and the horizon marked. Plain SVG with hand-made scales.
import { clear, h, s, nextId, table } from '../dom.js';
import * as fmt from '../format.js';

const HOUR = 3600e3;
const STEPS = [1, 3, 6, 12, 24, 48, 72, 168, 336, 720].map((x) => x * HOUR);

const linear = (d0, d1, r0, r1) => (v) => (d1 === d0 ? r0 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));

function niceTicks(max, n = 5) {
  if (!(max > 0)) return [0];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((m) => m >= raw);
  const ticks = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(v);
  return ticks;
}

export function createTimeline(container, tl) {
  function render() {
    const width = Math.max(300, Math.round(container.clientWidth || 900));
    const height = width < 600 ? 260 : 320;
    const m = { top: 28, right: 18, bottom: 34, left: width < 600 ? 46 : 60 };
    const times = [...tl.points.map((p) => p.t.getTime()), ...tl.reported.map((r) => r.t.getTime()), tl.asOf.getTime(), tl.horizon.getTime(), tl.origin?.getTime()].filter(Number.isFinite);
    const t0 = Math.min(...times);
    const t1 = Math.max(...times);
    const ymax = Math.max(1, ...tl.points.map((p) => p.high ?? p.median ?? 0), ...tl.reported.map((r) => r.count ?? 0)) * 1.08;
    const x = linear(t0, t1, m.left, width - m.right);
    const y = linear(0, ymax, height - m.bottom, m.top);
    const titleId = nextId('timeline-title');
    const descId = nextId('timeline-desc');
    const last = tl.points[tl.points.length - 1];
    const atAsOf = nearest(tl.points, tl.asOf);
    const lastReported = tl.reported[tl.reported.length - 1];
    const level = `${Math.round(tl.level * 100)}%`;

    const svg = s('svg', { class: 'timeline', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId, 'aria-describedby': descId },
      s('title', { id: titleId }, 'Spread timeline: cumulative infected entities over time'),
      s('desc', { id: descId }, [
        tl.origin ? `Simulated from the first sighting, ${fmt.dateTime(tl.origin)}.` : '',
        lastReported ? `${fmt.count(lastReported.count)} infections reported by ${fmt.dateTime(lastReported.t)}.` : 'No infections reported.',
        atAsOf ? `Estimated at the assessment time (${fmt.dateTime(tl.asOf)}): ${fmt.rangeSentence({ ...atAsOf, level: tl.level }, fmt.count)}.` : '',
        last ? `Forecast at the horizon (${fmt.dateTime(tl.horizon)}): ${fmt.rangeSentence({ ...last, level: tl.level }, fmt.count)}.` : '',
      ].join(' ')));

    // Axes and grid.
    const yt = niceTicks(ymax / 1.08);
    for (const v of yt) {
      svg.append(s('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }));
      svg.append(s('text', { class: 'tick', x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmt.count(v)));
    }
    const maxTicks = width < 600 ? 4 : 8;
    const step = STEPS.find((st) => (t1 - t0) / st <= maxTicks) || STEPS[STEPS.length - 1];
    const firstTick = Math.ceil(t0 / step) * step;
    for (let t = firstTick; t <= t1; t += step) {
      const label = step >= 24 * HOUR ? fmt.shortDay(new Date(t)) : `${fmt.shortDay(new Date(t))} ${String(new Date(t).getUTCHours()).padStart(2, '0')}:00`;
      svg.append(s('line', { class: 'axis', x1: x(t), x2: x(t), y1: height - m.bottom, y2: height - m.bottom + 5 }));
      svg.append(s('text', { class: 'tick', x: x(t), y: height - m.bottom + 18, 'text-anchor': 'middle' }, label));
    }
    svg.append(s('line', { class: 'axis', x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
    svg.append(s('text', { class: 'axis-label', x: m.left, y: 14 }, 'Cumulative infected entities'));

    // Forecast region after the assessment time.
    const xa = x(tl.asOf.getTime());
    const xh = x(tl.horizon.getTime());
    svg.append(s('rect', { class: 'forecast-region', x: xa, y: m.top, width: Math.max(0, xh - xa), height: height - m.top - m.bottom }));

    // Band and central line.
    const pts = tl.points.filter((p) => Number.isFinite(p.low) && Number.isFinite(p.high));
    if (pts.length) {
      const upper = pts.map((p) => `${x(p.t.getTime()).toFixed(1)},${y(p.high).toFixed(1)}`);
      const lower = pts.map((p) => `${x(p.t.getTime()).toFixed(1)},${y(p.low).toFixed(1)}`).reverse();
      svg.append(s('path', { class: 'band', d: `M${upper.join('L')}L${lower.join('L')}Z` }, s('title', {}, `${level} range of cumulative infections`)));
    }
    const mid = tl.points.filter((p) => Number.isFinite(p.median ?? p.mean));
    if (mid.length) {
      svg.append(s('path', { class: 'line', d: `M${mid.map((p) => `${x(p.t.getTime()).toFixed(1)},${y(p.median ?? p.mean).toFixed(1)}`).join('L')}` }));
    }

    // Markers.
    if (tl.origin) svg.append(marker(x(tl.origin.getTime()), 'first seen', 'origin', m, height, 'start'));
    svg.append(marker(xa, 'assessment time', 'asof', m, height, 'start'));
    svg.append(marker(xh, 'horizon', 'horizon', m, height, 'end'));

    // Reported infections (cumulative) in a panel of their own below, on the same time axis: on
    // the estimate's scale a hundred reports beside thousands of infections lie flat on the baseline.
    const panel = reportedPanel(tl, x, width, m, t0, t1);

    const key = h('ul', { class: 'timeline-key', 'aria-hidden': 'true' },
      h('li', {}, h('span', { class: 'swatch swatch-line' }), 'estimated (most likely)'),
      h('li', {}, h('span', { class: 'swatch swatch-band' }), `${level} range`),
      h('li', {}, h('span', { class: 'swatch swatch-point' }), 'reported (panel below, its own scale)'),
      h('li', {}, h('span', { class: 'swatch swatch-forecast' }), 'forecast period'));

    const rows = sample(tl.points, 12);
    const alt = h('details', { class: 'alt-table' }, h('summary', {}, 'Show the timeline as a table'),
      table('Cumulative infected entities over time', [
        { label: 'Time', value: (p) => fmt.dateTime(p.t) },
        { label: 'Most likely', value: (p) => fmt.count(p.median ?? p.mean), numeric: true },
        { label: `${level} range`, value: (p) => `${fmt.count(p.low)} – ${fmt.count(p.high)}`, numeric: true },
        { label: 'Reported', value: (p) => (Number.isFinite(p.reported) ? fmt.count(p.reported) : reportedAt(tl.reported, p.t)), numeric: true },
      ], rows));
    clear(container).append(svg, panel, key, alt);
  }
  render();
  let lastWidth = container.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(container.clientWidth - lastWidth) > 8) {
      lastWidth = container.clientWidth;
      render();
    }
  }).observe(container);
}

/** The reported infections over time: a step line and a point at each rise, scaled to the reports alone. */
function reportedPanel(tl, x, width, m, t0, t1) {
  const height = width < 600 ? 110 : 130;
  const top = 22;
  const bottom = 10;
  const pts = tl.reported.filter((r) => Number.isFinite(r.count));
  const rmax = Math.max(1, ...pts.map((r) => r.count));
  const y = linear(0, rmax * 1.1, height - bottom, top);
  const titleId = nextId('timeline-reported-title');
  const last = pts[pts.length - 1];
  const svg = s('svg', { class: 'timeline-reported', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId },
    s('title', { id: titleId }, last ? `Reported infections: ${fmt.count(last.count)} by ${fmt.dateTime(last.t)}` : 'No infections reported'));
  for (const v of niceTicks(rmax, 2)) {
    svg.append(s('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }));
    svg.append(s('text', { class: 'tick', x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmt.count(v)));
  }
  svg.append(s('text', { class: 'axis-label', x: m.left, y: 14 }, 'Reported infected entities (own scale)'));
  svg.append(s('line', { class: 'axis', x1: m.left, x2: width - m.right, y1: height - bottom, y2: height - bottom }));
  const xa = x(tl.asOf.getTime());
  svg.append(s('line', { class: 'asof', x1: xa, x2: xa, y1: top - 4, y2: height - bottom }));
  if (pts.length) {
    let d = `M${x(t0).toFixed(1)},${y(0).toFixed(1)}`;
    for (const r of pts) d += `H${x(r.t.getTime()).toFixed(1)}V${y(r.count).toFixed(1)}`;
    d += `H${Math.min(xa, x(t1)).toFixed(1)}`;
    svg.append(s('path', { class: 'reported-step', d }));
  }
  for (const r of pts) {
    svg.append(s('circle', { class: 'reported', cx: x(r.t.getTime()), cy: y(r.count), r: 3.5 }, s('title', {}, `${fmt.count(r.count)} reported by ${fmt.dateTime(r.t)}`)));
  }
  return svg;
}

function marker(xv, text, cls, m, height, anchor) {
  return s('g', { class: `marker marker-${cls}` },
    s('line', { x1: xv, x2: xv, y1: m.top - 6, y2: height - m.bottom }),
    s('text', { x: anchor === 'end' ? xv - 4 : xv + 4, y: m.top + 6, 'text-anchor': anchor }, text));
}

function nearest(points, t) {
  let best = null;
  for (const p of points) if (p.t.getTime() <= t.getTime()) best = p;
  return best;
}

function reportedAt(reported, t) {
  let c = 0;
  for (const r of reported) if (r.t.getTime() <= t.getTime()) c = r.count;
  return fmt.count(c);
}

function sample(points, n) {
  if (points.length <= n) return points;
  const out = [];
  for (let i = 0; i < n; i++) out.push(points[Math.round((i * (points.length - 1)) / (n - 1))]);
  return out;
}
