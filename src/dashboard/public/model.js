// Adapters from the /v1 API's JSON to what the views draw. Kept in one place so a change of the
// API's shape is a change here only.
import * as fmt from './format.js';

/** The headline cards: `fmt` words the big figure and its sentence, `short` the card's narrow intended/collateral split. */
export const METRICS = [
  { key: 'entitiesInfected', label: 'Entities infected', fmt: fmt.count, short: fmt.countShort, unit: 'organisations and sites in the model' },
  { key: 'entitiesDisrupted', label: 'Disrupted without infection', fmt: fmt.count, short: fmt.countShort, unit: 'knocked out through what they depend on' },
  { key: 'lossUsd.total', label: 'Economic loss', fmt: fmt.money, short: fmt.money, unit: 'direct and indirect, US dollars, over the organisations in the model' },
  { key: 'populationAffected', label: 'People affected', fmt: fmt.count, short: fmt.countShort, unit: 'people served by infected or disrupted entities' },
];

export const DETAIL_METRICS = [
  { key: 'entitiesInfected', label: 'Entities infected', fmt: fmt.count },
  { key: 'unreportedInfections', label: '… of which nobody reported yet', fmt: fmt.count },
  { key: 'forecastInfections', label: 'New infections forecast to the horizon', fmt: fmt.count },
  { key: 'entitiesDisrupted', label: 'Disrupted without infection', fmt: fmt.count },
  { key: 'lossUsd.direct', label: 'Direct loss', fmt: fmt.money },
  { key: 'lossUsd.indirect', label: 'Indirect loss (dependants)', fmt: fmt.money },
  { key: 'lossUsd.total', label: 'Total loss', fmt: fmt.money },
  { key: 'populationAffected', label: 'People affected', fmt: fmt.count },
  { key: 'countriesAffected', label: 'Countries affected', fmt: fmt.count },
];

/** A probability as the API gives it (`{p, low, high}`), or a bare number. */
export const probability = (v) => num(get(v, 'p'), typeof v === 'number' ? v : undefined);

/** `get(obj, 'lossUsd.total')`. */
export const get = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

const num = (...vs) => {
  for (const v of vs) if (v !== undefined && v !== null && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

export function weapon(w) {
  return { id: w.id, name: w.name || w.id, aliases: w.aliases || [], payload: w.payload, characterised: w.characterised !== false };
}

export function assessment(a) {
  const inputs = a.inputs || a.input || {};
  return {
    id: a.id,
    weaponId: a.weaponId ?? inputs.weaponId,
    status: a.status,
    progress: num(a.progress) ?? 0,
    etaSeconds: num(a.etaSeconds),
    stale: Boolean(a.stale),
    createdAt: a.createdAt,
    finishedAt: a.finishedAt,
    error: a.error,
    inputs: {
      asOf: inputs.asOf ?? a.asOf,
      horizonHours: num(inputs.horizonHours, a.horizonHours),
      model: inputs.model ?? a.model,
      runs: num(inputs.runs, a.runs),
      seed: inputs.seed ?? a.seed,
      confidenceLevel: num(inputs.confidenceLevel, a.confidenceLevel) ?? 0.9,
      calibrate: inputs.calibrate ?? a.calibrate,
      reportsUsed: num(inputs.reportsUsed, a.reportsUsed),
      // The newest report used that this reader may see (TLP), and when it was filed; null when
      // the reader may see none (or the assessment read its evidence before the API said).
      latestReportAt: inputs.latestReportAt ?? a.latestReportAt ?? null,
      latestReportFiledAt: inputs.latestReportFiledAt ?? a.latestReportFiledAt ?? null,
      params: inputs.params,
    },
    headline: headline(a.headline),
    result: a.result || null,
  };
}

/**
 * The list's `headline` of a finished assessment (null until done): `{level, entitiesInfected,
 * lossUsd: {total}, collateral: {entitiesInfected, lossUsd: {total}}, effectiveSampleSize}`, each
 * figure a range `{mean, median, low, high, level}`.
 */
export function headline(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const range = (r) => (r && Number.isFinite(Number(r.median)) ? { ...r, level: num(r.level, raw.level) ?? 0.9 } : null);
  return {
    level: num(raw.level) ?? 0.9,
    entitiesInfected: range(raw.entitiesInfected),
    lossUsd: { total: range(get(raw, 'lossUsd.total')) },
    collateral: { entitiesInfected: range(get(raw, 'collateral.entitiesInfected')), lossUsd: { total: range(get(raw, 'collateral.lossUsd.total')) } },
    effectiveSampleSize: num(raw.effectiveSampleSize) ?? null,
  };
}

/**
 * The tree the treemap and the icicle draw: world > country > sector > organisation, of the
 * collateral entities only, as `{id, name, level, loss, probability, count, children}`: `loss` is
 * the expected collateral loss (what the areas are sized by) and `probability` the probability
 * of infection of the entities below, weighted by their expected loss (what they are coloured
 * by): an area's colour says how likely the loss that makes it up is, so a group whose loss is
 * one certain victim among many unlikely ones is not shown as unlikely.
 *
 * Built from GET /entities (per-entity expected loss, intended or collateral), placed as the
 * server's rollup places rows (src/graph/hierarchy.ts): by the entity's own country and sector,
 * under its top-level ancestor among the rows. Entities the reader may not see (TLP) are not
 * listed there; what they add to the summary's collateral loss is shown as one "withheld" area.
 *
 * `rollup`: the root of GET /rollup?collateral=true (null when it could not be read). The world,
 * country and sector nodes take from it `range` (the range of the per-run totals of collateral
 * loss there, `{mean, median, low, high, level}`, or null) and `expected` (the rollup's expected
 * collateral loss there, which counts the entities withheld from this reader in groups large
 * enough to hide them); `rangeState` says why a node has no range: see `rangeState`.
 */
export function collateralTree(rows, summary, rollup = null) {
  const byId = new Map(rows.map((r) => [r.entityId, r]));
  const topOf = (id) => {
    const seen = new Set([id]);
    let cur = id;
    for (;;) {
      const p = byId.get(cur)?.parentId;
      if (!p || !byId.has(p) || seen.has(p)) return cur;
      seen.add(p);
      cur = p;
    }
  };
  const root = { id: 'world', key: 'world', level: 'world', name: 'World', loss: 0, pSum: 0, pLoss: 0, count: 0, kids: new Map() };
  const child = (parent, level, key, name) => {
    const id = `${parent.id}/${level}:${key}`;
    if (!parent.kids.has(id)) parent.kids.set(id, { id, key, level, name, loss: 0, pSum: 0, pLoss: 0, count: 0, kids: new Map() });
    return parent.kids.get(id);
  };
  for (const r of rows) {
    if (!r.collateral) continue;
    const c = r.country || 'unknown';
    const s = r.sector || 'unknown';
    const org = topOf(r.entityId);
    const leaf = child(child(child(root, 'country', c, fmt.country(c)), 'sector', s, fmt.sector(s)), 'organization', org, byId.get(org)?.name || org);
    const loss = num(r.expectedLossUsd, get(r, 'expectedLossUsd.total')) ?? 0;
    const p = probability(r.probabilityInfected) ?? 0;
    for (const n of [root, ...[...pathTo(root, leaf.id)]]) {
      n.loss += loss;
      n.pSum += p;
      n.pLoss += p * loss;
      n.count += 1;
    }
  }
  const withheld = (num(get(summary, 'collateral.lossUsd.total.mean')) ?? 0) - root.loss;
  if (withheld > 0.005 * Math.max(1, root.loss + withheld)) {
    root.kids.set('world/withheld', { id: 'world/withheld', key: 'withheld', level: 'withheld', name: 'Withheld (restricted reports)', loss: withheld, pSum: NaN, pLoss: NaN, count: 0, kids: new Map() });
    root.loss += withheld;
    root.pLoss = NaN;
  }
  const groups = rollupGroups(rollup);
  const finish = (n) => {
    const p = n.loss > 0 ? n.pLoss / n.loss : n.count ? n.pSum / n.count : NaN;
    const out = { id: n.id, key: n.key, level: n.level, name: n.name, loss: n.loss, count: n.count, probability: Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null };
    Object.assign(out, rangeOf(n, groups));
    if (n.kids.size) out.children = [...n.kids.values()].map(finish);
    return out;
  };
  return finish(root);
}

/** Levels of the tree whose areas have ranges (the core keeps per-run totals of these groups only). */
const RANGED = new Set(['world', 'country', 'sector']);

/**
 * The rollup's world, country and sector nodes by the tree's ids ("world/country:DE/sector:energy");
 * null without a rollup. Organisations (and anything below them) have no ranges and are skipped.
 */
function rollupGroups(rollup) {
  if (!rollup || typeof rollup !== 'object') return null;
  const out = new Map();
  const walk = (node, id) => {
    out.set(id, node);
    for (const c of node.children || []) {
      if (c.level === 'country' || c.level === 'sector') walk(c, `${id}/${c.level}:${c.key}`);
    }
  };
  walk(rollup, 'world');
  return out;
}

/**
 * A tree node's range: `{range, expected, rangeState}`. `rangeState`: `shown` (a range of the
 * collateral loss), `withheld` (the rollup gives no range there: it would count an entity this
 * reader may not see, or none was computed), `unavailable` (no rollup, or no such group in it),
 * `expected-only` (organisations, and the grey withheld area: expected values only).
 */
function rangeOf(n, groups) {
  if (!RANGED.has(n.level)) return { range: null, expected: null, rangeState: 'expected-only' };
  const g = groups?.get(n.id);
  if (!g) return { range: null, expected: null, rangeState: 'unavailable' };
  const expected = num(get(g, 'expected.lossUsd')) ?? null;
  const r = get(g, 'ranges.lossUsd');
  const range = r && ['low', 'median', 'high'].every((k) => Number.isFinite(Number(r[k])))
    ? { mean: num(r.mean), median: Number(r.median), low: Number(r.low), high: Number(r.high), level: num(r.level) ?? 0.9 }
    : null;
  return { range, expected, rangeState: range ? 'shown' : 'withheld' };
}

/** The expected collateral loss said of an area: the rollup's (of the same entities as its range) when known, else the area's. */
export const expectedLoss = (node) => (Number.isFinite(node.expected) ? node.expected : node.loss);

/**
 * An area's collateral loss in words, after its name ("Germany, ..."): "collateral loss: most
 * likely $12.3m ($8.1m – $19.0m, 90% range); expected $13.0m" for a country or sector with a
 * range; the expected value with the reason there is no range otherwise. When the rollup's
 * expected value counts entities withheld from the reader (so it exceeds the area), says how
 * much of it the area shows.
 */
export function lossWords(node) {
  const expected = expectedLoss(node);
  const visible = Number.isFinite(node.expected) && node.expected - node.loss > 0.005 * Math.max(1, node.expected)
    ? `, ${fmt.money(node.loss)} of it in entities you may see`
    : '';
  switch (node.rangeState) {
    case 'shown':
      return `collateral loss: ${fmt.rangeInline(node.range, fmt.money)}; expected ${fmt.money(expected)}${visible}`;
    case 'withheld':
      return `collateral loss: expected ${fmt.money(expected)}${visible}; range not available (withheld under TLP, or not computed)`;
    case 'unavailable':
      return `collateral loss: expected ${fmt.money(expected)}; range not available`;
    default:
      return node.level === 'withheld'
        ? `collateral loss: expected ${fmt.money(expected)} (entities whose reports you may not see; no range)`
        : `collateral loss: expected ${fmt.money(expected)} (organisations have expected values only, no range)`;
  }
}

/**
 * What an area's rectangle can say under its name, each as candidates longest first (the chart
 * takes the first that fits): `value` the most likely loss (or the expected one where there is no
 * range), `range` its ends (null without a range).
 */
export function cellText(node) {
  if (node.rangeState === 'shown') {
    const r = node.range;
    const bounds = fmt.rangeBounds(r, fmt.money);
    const level = `${Math.round((r.level ?? 0.9) * 100)}%`;
    return { value: [`${fmt.money(r.median)} most likely`, fmt.money(r.median)], range: [`${bounds}, ${level} range`, bounds] };
  }
  const expected = fmt.money(expectedLoss(node));
  return {
    value: [`${expected} expected`, expected],
    range: node.rangeState === 'withheld' || node.rangeState === 'unavailable' ? ['range not available', 'no range'] : null,
  };
}

function* pathTo(root, id) {
  let node = root;
  const parts = id.split('/').slice(1);
  let path = root.id;
  for (const part of parts) {
    path = `${path}/${part}`;
    node = node.kids.get(path);
    yield node;
  }
}

/** `{points: [{t, mean, median, low, high, reported}], reported: [{t, count}], asOf, horizon, level, origin}` (origin: the weapon's first sighting, where the simulated clock starts). */
export function timeline(raw, a) {
  const pts = raw.points || raw.series || raw.items || [];
  const points = pts
    .map((p) => {
      const r = p.infections || p.infected || p;
      return { t: new Date(p.at ?? p.t ?? p.time), mean: num(r.mean), median: num(r.median), low: num(r.low), high: num(r.high), reported: num(p.reported, p.reportedCumulative) };
    })
    .filter((p) => !Number.isNaN(p.t.getTime()));
  const reportedRaw = raw.reported || [];
  const reported = reportedRaw.length
    ? reportedRaw.map((r) => ({ t: new Date(r.t ?? r.time ?? r.at), count: num(r.cumulative, r.count) })).filter((r) => !Number.isNaN(r.t.getTime()))
    // Points carry the count of entities reported by then: mark each time it rises.
    : points.filter((p, i) => p.reported !== undefined && p.reported > (i ? points[i - 1].reported ?? 0 : 0)).map((p) => ({ t: p.t, count: p.reported }));
  const asOf = new Date(raw.asOf ?? a?.inputs.asOf);
  const horizonHours = num(raw.horizonHours, a?.inputs.horizonHours) ?? 0;
  const horizon = raw.horizon ? new Date(raw.horizon) : new Date(asOf.getTime() + horizonHours * 3600e3);
  const level = num(raw.level, get(pts[0], 'infections.level'), a?.inputs.confidenceLevel) ?? 0.9;
  const origin = raw.origin ? new Date(raw.origin) : null;
  return { points, reported, asOf, horizon, level, origin: origin && !Number.isNaN(origin.getTime()) ? origin : null };
}

/**
 * GET /early-warning as `{withinHours, collateral, windows, items: [{entityId, name, country, sector,
 * protected, collateral, probability, low, high, path: [names]}]}`; `windows` are the windows the
 * core computed (others are interpolated by the API).
 */
export function earlyWarning(raw) {
  const items = Array.isArray(raw) ? raw : raw.items || [];
  return {
    withinHours: num(raw.withinHours),
    // The filter the API applied: true collateral only, false intended only, undefined none.
    collateral: typeof raw.collateral === 'boolean' ? raw.collateral : undefined,
    windows: Array.isArray(raw.windowsComputed) ? raw.windowsComputed.filter((x) => Number.isFinite(x)) : [],
    items: items.map((e) => ({
      entityId: e.entityId ?? e.id,
      name: e.name || e.entityId || e.id,
      country: e.country,
      sector: e.sector,
      protected: Boolean(e.protected),
      collateral: e.collateral !== false,
      probability: probability(e.probability) ?? 0,
      low: num(get(e, 'probability.low')),
      high: num(get(e, 'probability.high')),
      path: (e.path || []).map((p) => (typeof p === 'string' ? p : p.name || p.entityId || p.id)),
    })),
  };
}

/** Protected hits, most likely first: `{entityId, name, sector, probability (infected or disrupted), probabilityInfected, norms}`. */
export function protectedHits(summary) {
  return (summary?.protectedHits || [])
    .map((x) => ({ entityId: x.entityId, name: x.name || x.entityId, sector: x.sector, probability: num(x.probability) ?? 0, probabilityInfected: num(x.probabilityInfected), norms: x.norms || [] }))
    .sort((a, b) => b.probability - a.probability || (b.probabilityInfected ?? 0) - (a.probabilityInfected ?? 0) || String(a.name).localeCompare(String(b.name)));
}

/** Calibration: `{method, effectiveSampleSize, parameters: [{name, prior, posterior}]}`. */
export function calibration(summary) {
  const c = summary?.calibration || {};
  const names = [...new Set([...Object.keys(c.parameters || {}), ...Object.keys(c.prior || {})])].sort();
  return {
    method: c.method,
    effectiveSampleSize: num(c.effectiveSampleSize),
    parameters: names.map((name) => ({ name, prior: c.prior?.[name] || null, posterior: c.parameters?.[name] || null })),
  };
}

/** Monte Carlo error of the headline totals: `[{key, label, fmt, meanStandardError, low: {low, high}, high: {low, high}}]`. */
const MC_KEYS = [
  ['total.entitiesInfected', 'Entities infected', fmt.count],
  ['total.entitiesDisrupted', 'Disrupted without infection', fmt.count],
  ['total.lossTotal', 'Economic loss', fmt.money],
  ['total.populationAffected', 'People affected', fmt.count],
];
export function monteCarloError(summary) {
  const e = summary?.monteCarloError || {};
  const figures = e.figures || {};
  return {
    runs: num(e.runs),
    effectiveSampleSize: num(e.effectiveSampleSize),
    method: e.method,
    rows: MC_KEYS.filter(([k]) => figures[k]).map(([key, label, f]) => ({ key, label, fmt: f, ...figures[key] })),
  };
}
