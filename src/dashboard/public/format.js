// Numbers in words a minister reads at a glance: "$8.4bn", "about 2,300", "between ... ; 90% range".

const trim = (s) => s.replace(/\.0$/, '');
/** 1 decimal below 100 of a unit, none above: 6.1, 11.8, 120. */
const scaled = (a, unit) => trim(a / unit < 100 ? (a / unit).toFixed(1) : (a / unit).toFixed(0));
const grouped = (v) => Math.round(v).toLocaleString('en-GB');

/**
 * `a` (>= 0) in the largest unit it reaches, after rounding: 999,960,000 reads "1" + "bn", not
 * "1000" + "m". `units` largest first, as [size, suffix]; null when `a` is below every unit.
 */
function inUnits(a, units) {
  const i = units.findIndex(([unit]) => a >= unit);
  if (i < 0) return null;
  const [unit, suffix] = units[i];
  const text = scaled(a, unit);
  // Rounded up to a thousand of this unit: say it in the next unit up.
  if (Number(text) >= 1000 && i > 0) return `${scaled(a, units[i - 1][0])}${units[i - 1][1]}`;
  return `${text}${suffix}`;
}

const MONEY_UNITS = [[1e12, 'tn'], [1e9, 'bn'], [1e6, 'm'], [1e3, 'k']];
// A no-break space: "17.7 million" never splits over two lines.
const COUNT_UNITS = [[1e9, '\u00a0billion'], [1e6, '\u00a0million']];
const COMPACT_COUNT_UNITS = [[1e9, 'bn'], [1e6, 'm'], [1e3, 'k']];

/** US dollars: "$8.4bn", "$120m", "$2.5k", "$950"; one decimal below 100 of the unit. */
export function money(v) {
  if (!Number.isFinite(v)) return 'n/a';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a < 1e3 && Math.round(a) < 1000) return `${sign}$${grouped(a)}`;
  return `${sign}$${inUnits(Math.max(a, 1e3), MONEY_UNITS)}`;
}

/** Counts of entities, people, countries: exact below 10,000, 3 significant digits to a million, then "1.2 million" (a no-break space before the word). */
export function count(v) {
  if (!Number.isFinite(v)) return 'n/a';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a < 1e4) return `${sign}${grouped(a)}`;
  const r = Number(a.toPrecision(3));
  if (r < 1e6) return `${sign}${grouped(r)}`;
  return `${sign}${inUnits(Math.max(a, 1e6), COUNT_UNITS)}`;
}

/**
 * Counts where room is short (a headline card's intended/collateral split), in the units money
 * uses: exact below 10,000, then "12.3k", "120k", "15.9m", "2.3bn" (3 significant digits at most).
 */
export function countShort(v) {
  if (!Number.isFinite(v)) return 'n/a';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a < 1e4) return `${sign}${grouped(a)}`;
  return `${sign}${inUnits(a, COMPACT_COUNT_UNITS)}`;
}

export function percent(p) {
  if (!Number.isFinite(p)) return 'n/a';
  if (p >= 1) return '100%';
  if (p <= 0) return '0%';
  if (p < 0.005) return '<1%';
  if (p > 0.995) return '>99%';
  return `${Math.round(p * 100)}%`;
}

/** "between $6.1bn and $11.8bn, most likely $8.4bn; 90% range" — the central figure is the median. */
export function rangeSentence(r, fmt) {
  if (!r) return 'not available';
  const level = `${Math.round((r.level ?? 0.9) * 100)}% range`;
  const [low, mid, high] = [fmt(r.low), fmt(r.median), fmt(r.high)];
  if (low === high) return `${mid} in every likely outcome; ${level}`;
  return `between ${low} and ${high}, most likely ${mid}; ${level}`;
}

/** "6.1bn – 11.8bn" (the ends of a range), or one value when both ends read the same. */
export function rangeBounds(r, fmt) {
  if (!r) return 'n/a';
  const [low, high] = [fmt(r.low), fmt(r.high)];
  return low === high ? low : `${low} – ${high}`;
}

/**
 * A range inside a sentence: "most likely $12.3m ($8.1m – $19.0m, 90% range)"; "$0 in every
 * likely outcome (90% range)" when both ends read the same. The central figure is the median.
 */
export function rangeInline(r, fmt) {
  if (!r) return 'not available';
  const level = `${Math.round((r.level ?? 0.9) * 100)}% range`;
  const [low, mid, high] = [fmt(r.low), fmt(r.median), fmt(r.high)];
  if (low === high) return `${mid} in every likely outcome (${level})`;
  return `most likely ${mid} (${low} – ${high}, ${level})`;
}

/** Compact "8.4bn (6.1–11.8bn)" for tables. */
export function rangeShort(r, fmt) {
  if (!r) return 'n/a';
  return `${fmt(r.median)} (${fmt(r.low)} – ${fmt(r.high)})`;
}

const DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export function dateTime(d) {
  const t = d instanceof Date ? d : new Date(d);
  return Number.isNaN(t.getTime()) ? 'n/a' : `${DATE.format(t)} UTC`;
}

export const shortDay = (d) => DAY.format(d instanceof Date ? d : new Date(d));

export function duration(hours) {
  if (!Number.isFinite(hours)) return 'n/a';
  if (hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

export function seconds(s) {
  if (!Number.isFinite(s)) return '';
  if (s < 60) return `${Math.max(1, Math.round(s))} s`;
  return `${Math.round(s / 60)} min`;
}

const SECTOR_NAMES = {
  'healthcare-and-public-health': 'Healthcare and public health',
  'water-and-wastewater': 'Water and wastewater',
  'nuclear': 'Nuclear reactors, materials and waste',
  'defense-industrial-base': 'Defense industrial base',
};

/** A sector slug as words ("financial-services" -> "Financial services"). */
export function sector(slug) {
  if (!slug) return 'Unknown sector';
  if (SECTOR_NAMES[slug]) return SECTOR_NAMES[slug];
  const words = String(slug).replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const REGIONS = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : null;

/** A country code as its English name ("UA" -> "Ukraine"); unknown codes stay as they are. */
export function country(code) {
  if (!code || code === 'unknown') return 'Unknown country';
  try {
    return (REGIONS && REGIONS.of(String(code).toUpperCase())) || code;
  } catch {
    return code;
  }
}

const PARAMETER_NAMES = {
  recoveryDays: 'Recovery time (days)',
  reportingRate: 'Share of infections reported',
  containmentHours: 'Time to containment (hours)',
};

/** A model parameter's id in words ("transmissibility.corporate-wan" -> "Transmissibility over corporate WAN links"). */
export function parameter(id) {
  if (!id) return 'n/a';
  if (PARAMETER_NAMES[id]) return PARAMETER_NAMES[id];
  const [head, tail] = String(id).split('.', 2);
  const words = (x) => x.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/-/g, ' ').toLowerCase().replace(/\bwan\b/, 'WAN');
  if (head === 'transmissibility' && tail) return `Transmissibility over ${words(tail)} links`;
  const text = tail ? `${words(head)}: ${words(tail)}` : words(head);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
