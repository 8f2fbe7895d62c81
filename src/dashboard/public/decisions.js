// What a decision-maker asks after the headline: what norm compliance would have spared (a
// counterfactual on the assessment's own runs), how likely a large loss is (exceedance), how the
// estimate moved (the asOf series), and a TLP-marked briefing to hand on.
import { api, poll, session, errorMessage } from './api.js';
import { h, s, clear, announce, table } from './dom.js';
import * as fmt from './format.js';

const range = (r, f) => (r ? `${f(r.median)} (${f(r.low)} to ${f(r.high)})` : 'n/a');

/** The norm compliance card: the damage a weapon honouring 13(f) and 13(k) would have avoided. */
export function normComplianceSection(id, level, signal) {
  const body = h('div', { class: 'norm-body', 'aria-live': 'polite' });
  // On request: it replays the assessment's runs as a job (a minute on a large graph).
  const start = h('button', { type: 'button', class: 'norm-compute no-print', onclick: () => compute() }, 'Compute what norm compliance would have spared');
  const section = h('section', { class: 'card norm-compliance', 'aria-labelledby': 'norm-title' },
    h('h2', { id: 'norm-title' }, 'Norm compliance: what honouring 13(f) and 13(k) would have spared'),
    h('p', { class: 'muted' }, 'The same runs as this assessment, replayed with a weapon that leaves protected infrastructure (hospitals, energy, water, emergency services, nuclear, dams, CSIRTs) alone.'),
    start, body);
  const compute = () => {
  start.disabled = true;
  const note = h('p', { class: 'muted norm-progress' }, 'Replaying the runs…');
  clear(body).append(note);
  const onProgress = (f) => (note.textContent = `Replaying the runs… ${Math.round(f * 100)}%`);
  poll(`/v1/assessments/${encodeURIComponent(id)}/counterfactual?honour=${encodeURIComponent('13(f),13(k)')}`, { signal, onProgress }).then((cf) => {
    const a = cf.avoided;
    clear(body).append(
      h('p', { class: 'norm-lede' }, `A weapon that left protected infrastructure alone (UN GGE 2015 norms 13(f) and 13(k)) would have avoided a collateral loss of `,
        h('strong', { class: 'norm-avoided-loss' }, range(a.collateralLossUsd, fmt.money)),
        ` and ${range(a.protectedHits, fmt.count)} hits on protected entities.`),
      table(`Avoided damage (median, and the ${level} range of the paired runs)`, [
        { label: 'Figure', value: (x) => x.label },
        { label: 'As assessed', value: (x) => range(cf.baseline[x.key], x.f), numeric: true },
        { label: 'Norms honoured', value: (x) => range(cf.counterfactual[x.key], x.f), numeric: true },
        { label: 'Avoided', value: (x) => range(a[x.key], x.f), numeric: true },
      ], [
        { label: 'Collateral loss', key: 'collateralLossUsd', f: fmt.money },
        { label: 'Protected entities hit', key: 'protectedHits', f: fmt.count },
        { label: 'Collateral entities infected', key: 'collateralInfected', f: fmt.count },
      ], { class: 'norm-table' }),
      h('p', { class: 'muted' }, `Each of ${fmt.count(cf.runs)} runs of this assessment is replayed exactly as assessed (so "as assessed" is the headline), then without the protected entities the weapon reached and whatever it infected through them, so the difference is paired run by run (never negative). Those victims might have been reached another way, so the avoided damage is an upper bound in that respect.`));
    start.remove();
  }, (err) => {
    start.disabled = false;
    if (!signal.aborted) clear(body).append(h('p', { class: 'error' }, `Not available: ${errorMessage(err)}`));
  });
  };
  return section;
}

/** P(loss > x) as a chart with its band, a table, CSV, and "about 1 in N" for a typed threshold. */
export function exceedanceSection(id, signal) {
  const chart = h('div', { class: 'chart exceedance-chart' });
  const tableEl = h('div', { class: 'exceedance-table' });
  const answer = h('p', { class: 'exceedance-answer', 'aria-live': 'polite' });
  const input = h('input', { id: 'exceed-threshold', type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: '1000', 'aria-describedby': 'exceed-help' });
  const form = h('form', { class: 'exceedance-form no-print' },
    h('label', { for: 'exceed-threshold' }, 'Collateral loss above ($ million)'),
    input,
    h('button', { type: 'submit' }, 'How likely?'),
    h('span', { id: 'exceed-help', class: 'muted' }, ' e.g. 5000 for $5bn'));
  const q = encodeURIComponent(id);
  const ask = async () => {
    const x = Number(input.value) * 1e6;
    if (!(x >= 0)) {
      answer.textContent = 'Type a loss in millions of dollars (0 or more).';
      return;
    }
    try {
      const res = await api(`/v1/assessments/${q}/exceedance?part=collateral&thresholdUsd=${x}`, { signal });
      answer.textContent = res.curves[0].threshold.oneIn.wording;
      announce(answer.textContent);
    } catch (err) {
      if (!signal.aborted) answer.textContent = errorMessage(err);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ask();
  });
  const csv = h('button', { type: 'button', class: 'secondary no-print', onclick: () => download(`/v1/assessments/${q}/exceedance.csv`, `exceedance-${id}.csv`) }, 'Download CSV');
  const section = h('section', { class: 'exceedance-section', 'aria-labelledby': 'exceed-title' },
    h('h2', { id: 'exceed-title' }, 'How likely is a large loss'),
    h('p', { class: 'muted' }, 'The chance that the loss exceeds each amount (line: share of the weighted runs; band: its 95% Monte Carlo range). Collateral in orange, total in grey.'),
    chart, form, answer, tableEl, csv);
  api(`/v1/assessments/${q}/exceedance`, { signal }).then((res) => {
    drawExceedance(chart, res.curves);
    const col = res.curves.find((c) => c.part === 'collateral');
    const rows = col.points.filter((p, i, all) => p.thresholdUsd > 0 && (i % Math.ceil(all.length / 8) === 0 || i === all.length - 1));
    clear(tableEl).append(table('Chance of a collateral loss above each amount', [
      { label: 'Collateral loss above', value: (p) => fmt.money(p.thresholdUsd) },
      { label: 'Chance', value: (p) => fmt.percent(p.probability.p), numeric: true },
      { label: 'Monte Carlo range', value: (p) => `${fmt.percent(p.probability.low)} to ${fmt.percent(p.probability.high)}`, numeric: true },
      { label: 'About', value: (p) => (p.probability.p >= 0.5 ? 'more likely than not' : p.probability.p > 0 ? `1 in ${fmt.count(Math.round(1 / p.probability.p))}` : 'none of the runs'), numeric: true },
    ], rows, { class: 'exceedance-rows' }));
    ask();
  }, (err) => {
    if (!signal.aborted) clear(chart).append(h('p', { class: 'error' }, `Not available: ${errorMessage(err)}`));
  });
  return section;
}

function drawExceedance(el, curves) {
  const W = 640;
  const H = 260;
  const m = { l: 48, r: 12, t: 10, b: 36 };
  const xs = curves.flatMap((c) => c.points.map((p) => p.thresholdUsd)).filter((x) => x > 0);
  const lo = Math.max(1, Math.min(...xs));
  const hi = Math.max(lo * 10, Math.max(...xs));
  const x = (v) => m.l + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - m.l - m.r);
  const y = (p) => m.t + (1 - p) * (H - m.t - m.b);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Exceedance curves of collateral and total loss with their Monte Carlo bands', class: 'exceedance-svg' });
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s('line', { x1: m.l, x2: W - m.r, y1: y(p), y2: y(p), class: 'grid' }), s('text', { x: m.l - 6, y: y(p) + 4, 'text-anchor': 'end', class: 'tick' }, `${p * 100}%`));
  }
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
    svg.append(s('text', { x: x(10 ** e), y: H - m.b + 16, 'text-anchor': 'middle', class: 'tick' }, fmt.money(10 ** e)));
  }
  svg.append(s('text', { x: (m.l + W - m.r) / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis-label' }, 'loss above (log scale)'));
  for (const c of [...curves].reverse()) {
    const pts = c.points.filter((p) => p.thresholdUsd > 0);
    if (!pts.length) continue;
    const band = [...pts.map((p) => `${x(p.thresholdUsd)},${y(p.probability.high)}`), ...[...pts].reverse().map((p) => `${x(p.thresholdUsd)},${y(p.probability.low)}`)].join(' ');
    const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.thresholdUsd)},${y(p.probability.p)}`).join('');
    svg.append(s('polygon', { points: band, class: `band ${c.part}` }), s('path', { d: line, class: `curve ${c.part}`, 'data-part': c.part }));
  }
  clear(el).append(svg);
}

/** Fetches a file with the user's key (a plain link would carry no key) and saves or opens it. */
export async function download(path, name, open = false) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${session.key}` }, cache: 'no-store' });
  if (!res.ok) {
    announce(`Could not download: status ${res.status}`);
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: open ? null : name, target: open ? '_blank' : null, rel: 'noopener' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

/**
 * Marks the printed page (html[data-tlp], read by the print styles' named pages) and `el` with
 * the assessment's TLP: the server's marking of its briefing (the X-TLP header of its HTML), the
 * most restrictive TLP of the reports its figures rest on. Until it
 * is known, or when it cannot be had, the page stays TLP:RED.
 */
export async function markPrint(id, el, signal) {
  try {
    // GET (the server does the same work for HEAD, which Chromium reports as aborted), read to
    // its end; not aborted when the reader moves on (a short request; its answer is then ignored)
    const res = await fetch(`/v1/assessments/${encodeURIComponent(id)}/briefing.html`, { headers: { Authorization: `Bearer ${session.key}` }, cache: 'no-store' });
    await res.arrayBuffer();
    const tlp = /^TLP:(.+)$/.exec(res.headers.get('X-TLP') || '')?.[1]?.toLowerCase();
    if (!res.ok || signal.aborted || !TLPS.includes(tlp)) return;
    document.documentElement.dataset.tlp = tlp;
    el.textContent = `TLP:${tlp.toUpperCase()}`;
    el.dataset.tlp = tlp;
  } catch {
    // stays TLP:RED
  }
}

/**
 * The briefing buttons: the server's TLP-marked PDF (at the evidence's marking or a stricter
 * one), fetched with the key in the Authorization header (never in a URL) and opened to print,
 * or saved.
 */
export function briefingControls(id) {
  const select = h('select', { id: 'briefing-tlp', 'aria-label': 'TLP marking of the briefing' },
    h('option', { value: '' }, 'TLP of the evidence'),
    ['amber', 'amber+strict', 'red'].map((t) => h('option', { value: t }, `TLP:${t.toUpperCase()} or stricter`)));
  const q = encodeURIComponent(id);
  const tlp = () => (select.value ? `?tlp=${encodeURIComponent(select.value)}` : '');
  return h('span', { class: 'briefing-controls no-print' },
    select,
    h('button', { type: 'button', class: 'briefing-open', title: 'The server\u2019s briefing: at most four A4 pages and an annex, TLP-marked on every page', onclick: () => download(`/v1/assessments/${q}/briefing.pdf${tlp()}`, `briefing-${id}.pdf`, true) }, 'Print the briefing (PDF)'),
    h('button', { type: 'button', class: 'secondary briefing-save', onclick: () => download(`/v1/assessments/${q}/briefing.pdf${tlp()}`, `briefing-${id}.pdf`) }, 'Save the briefing'));
}

/** The compare page: a weapon's assessments as an asOf series, the estimate and its range over time. */
export async function comparePage(main, weaponId, signal) {
  const status = h('p', { class: 'muted' }, 'Loading the assessments…');
  clear(main).append(h('p', { class: 'no-print' }, h('a', { href: '#/' }, '← All weapons')), h('h1', {}, `How the estimate of ${weaponId} moved`), status);
  let series;
  try {
    series = await api(`/v1/weapons/${encodeURIComponent(weaponId)}/assessment-series`, { signal });
  } catch (err) {
    if (!signal.aborted) status.textContent = `Could not load: ${errorMessage(err)}`;
    return;
  }
  if (signal.aborted) return;
  status.textContent = series.items.length
    ? `${series.items.length} finished assessments, by the time they were made as of. Each bar is the ${Math.round((series.items[0].headline.level ?? 0.9) * 100)}% range of the collateral loss, the dot its median.`
    : 'No finished assessment of this weapon yet.';
  if (!series.items.length) return;
  const chart = h('div', { class: 'chart compare-chart' });
  main.append(chart, table('Assessments side by side', [
    { label: 'As of', value: (x) => h('a', { href: `#/assessments/${encodeURIComponent(x.id)}` }, fmt.dateTime(x.asOf)) },
    { label: 'Reports', value: (x) => fmt.count(x.reportsUsed), numeric: true },
    { label: 'Runs', value: (x) => fmt.count(x.runs), numeric: true },
    { label: 'Collateral loss', value: (x) => range(x.headline.collateral.lossUsd.total, fmt.money), numeric: true },
    { label: 'Entities infected', value: (x) => range(x.headline.entitiesInfected, fmt.count), numeric: true },
    { label: 'Stale', value: (x) => (x.stale ? 'newer reports exist' : 'up to date') },
  ], series.items, { class: 'compare-table' }));
  drawSeries(chart, series.items);
}

function drawSeries(el, items) {
  const W = 640;
  const H = 220;
  const m = { l: 64, r: 12, t: 10, b: 40 };
  const rs = items.map((x) => x.headline.collateral.lossUsd.total);
  const top = Math.max(1, ...rs.map((r) => r.high)) * 1.05;
  const step = (W - m.l - m.r) / items.length;
  const y = (v) => m.t + (1 - v / top) * (H - m.t - m.b);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Collateral loss range of each assessment by asOf', class: 'compare-svg' });
  for (const f of [0, 0.5, 1]) svg.append(s('line', { x1: m.l, x2: W - m.r, y1: y(top * f), y2: y(top * f), class: 'grid' }), s('text', { x: m.l - 6, y: y(top * f) + 4, 'text-anchor': 'end', class: 'tick' }, fmt.money(top * f)));
  items.forEach((x, i) => {
    const cx = m.l + step * (i + 0.5);
    const r = rs[i];
    svg.append(
      s('line', { x1: cx, x2: cx, y1: y(r.low), y2: y(r.high), class: 'series-range' }),
      s('circle', { cx, cy: y(r.median), r: 4, class: 'series-median' }),
      s('text', { x: cx, y: H - m.b + 16, 'text-anchor': 'middle', class: 'tick' }, x.asOf.slice(0, 10)));
  });
  clear(el).append(svg);
}
