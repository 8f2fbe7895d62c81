/**
 * The dashboard's wording of numbers (src/dashboard/public/format.js) and its adapters from the
 * API's JSON (model.js). Both are plain browser ES modules without DOM access; jest loads them
 * through SWC like any other source. The adapters are fed data typed with the API's own types
 * (EntityRow, TimelineBin, Summary...), so a change of the result shapes breaks `tsc` here
 * before it breaks the page.
 */
import type { EntityRow, StoredTimeline } from '../../../src/results/result-parts';
import type { Range, Summary } from '../../../src/results/result-types';
import type { AssessmentView } from '../../../src/assessments/assessments.service';
import type { GroupStat } from '../../../src/results/result-types';
import { rollupView, type RollupNode } from '../../../src/results/views';

// Plain JS modules (no declaration files): typed here by what the tests use.
type Fmt = (v: number) => string;
const fmt: {
  money: Fmt; count: Fmt; countShort: Fmt; percent: Fmt; duration: Fmt; seconds: Fmt; dateTime: (d: string | Date) => string;
  rangeSentence: (r: Partial<Range> | null, f: Fmt) => string; rangeShort: (r: Partial<Range> | null, f: Fmt) => string;
  rangeBounds: (r: Partial<Range> | null, f: Fmt) => string; rangeInline: (r: Partial<Range> | null, f: Fmt) => string; sector: (s: string | null) => string; country: (c: string | null) => string;
  parameter: (id: string) => string;
} = require('../../../src/dashboard/public/format.js');
const model: {
  assessment: (raw: unknown) => any;
  headline: (raw: unknown) => any;
  collateralTree: (rows: EntityRow[], summary: unknown, rollup?: RollupNode | null) => any;
  lossWords: (node: unknown) => string;
  cellText: (node: unknown) => { value: string[]; range: string[] | null };
  expectedLoss: (node: unknown) => number;
  timeline: (raw: unknown, a?: unknown) => any;
  earlyWarning: (raw: unknown) => any;
  protectedHits: (summary: unknown) => any[];
  calibration: (summary: unknown) => any;
  monteCarloError: (summary: unknown) => any;
  get: (o: unknown, path: string) => any;
  METRICS: Array<{ key: string; label: string; fmt: Fmt; short: Fmt; unit: string }>;
} = require('../../../src/dashboard/public/model.js');

const range = (median: number, low: number, high: number, mean = median): Range => ({ mean, median, low, high, level: 0.9 });

describe('dashboard number wording (format.js)', () => {
  it('says money in the largest unit reached after rounding, one decimal below 100 of it', () => {
    const cases: Array<[number, string]> = [
      [0, '$0'], [950, '$950'], [999.4, '$999'], [999.6, '$1k'], [2_500, '$2.5k'], [99_960, '$100k'], [999_960, '$1m'],
      [120e6, '$120m'], [250e6, '$250m'], [999.96e6, '$1bn'], [6.1e9, '$6.1bn'], [8.4e9, '$8.4bn'], [11.8e9, '$11.8bn'],
      [10e9, '$10bn'], [99.96e9, '$100bn'], [3.7e12, '$3.7tn'], [-2.5e6, '-$2.5m'],
    ];
    for (const [v, text] of cases) expect({ v, text: fmt.money(v) }).toEqual({ v, text });
    expect(fmt.money(NaN)).toBe('n/a');
    expect(fmt.money(Infinity)).toBe('n/a');
  });

  it('counts exactly below 10,000, to 3 significant digits below a million, then in millions and billions', () => {
    // A no-break space before "million": "17.7 million" never splits over two lines.
    const nb = '\u00a0';
    const cases: Array<[number, string]> = [
      [0, '0'], [7, '7'], [3_287, '3,287'], [9_999, '9,999'], [12_345, '12,300'], [999_999, `1${nb}million`],
      [1e6, `1${nb}million`], [15.7e6, `15.7${nb}million`], [999.96e6, `1${nb}billion`], [2.3e9, `2.3${nb}billion`],
    ];
    for (const [v, text] of cases) expect({ v, text: fmt.count(v) }).toEqual({ v, text });
    expect(fmt.count(NaN)).toBe('n/a');
    expect(fmt.count(15.9e6)).not.toContain(' ');
  });

  it('counts compactly where room is short, in the units money uses', () => {
    const cases: Array<[number, string]> = [
      [0, '0'], [7, '7'], [3_287, '3,287'], [9_999, '9,999'], [9_999.6, '10,000'], [10_000, '10k'], [12_345, '12.3k'],
      [99_960, '100k'], [123_456, '123k'], [999_600, '1m'], [1e6, '1m'], [11.8e6, '11.8m'], [14.64e6, '14.6m'],
      [123.4e6, '123m'], [999.96e6, '1bn'], [2.3e9, '2.3bn'], [-2.5e6, '-2.5m'],
    ];
    for (const [v, text] of cases) expect({ v, text: fmt.countShort(v) }).toEqual({ v, text });
    expect(fmt.countShort(NaN)).toBe('n/a');
  });

  it('gives each headline card a compact wording whose ranges stay short, whatever the magnitude', () => {
    expect(model.METRICS.map((m) => [m.key, m.fmt, m.short])).toEqual([
      ['entitiesInfected', fmt.count, fmt.countShort],
      ['entitiesDisrupted', fmt.count, fmt.countShort],
      ['lossUsd.total', fmt.money, fmt.money],
      ['populationAffected', fmt.count, fmt.countShort],
    ]);
    // The card's intended/collateral range, "low – high", fits half a card on one line: at most
    // 7 characters an end ("$11.8bn", "999k", "15.9m") from 0 to a trillion.
    for (const m of model.METRICS) {
      for (let e = 0; e <= 12; e += 0.01) {
        const v = 10 ** e;
        expect({ key: m.key, v, text: m.short(v), fits: m.short(v).length <= 7 }).toMatchObject({ fits: true });
      }
      expect(fmt.rangeBounds(range(15.9e6, 11.8e6, 14.6e6), m.short).length).toBeLessThanOrEqual(17);
    }
    expect(fmt.rangeBounds(range(13.3e6, 11.8e6, 14.64e6), fmt.countShort)).toBe('11.8m – 14.6m');
  });

  it('words a range as the issue asks: "between $6.1bn and $11.8bn, most likely $8.4bn; 90% range"', () => {
    expect(fmt.rangeSentence(range(8.4e9, 6.1e9, 11.8e9), fmt.money)).toBe('between $6.1bn and $11.8bn, most likely $8.4bn; 90% range');
    expect(fmt.rangeSentence({ ...range(3287, 2898, 3821), level: 0.95 }, fmt.count)).toBe('between 2,898 and 3,821, most likely 3,287; 95% range');
    // Ends that read the same are one value, not "between $4bn and $4bn".
    expect(fmt.rangeSentence(range(4.01e9, 3.98e9, 4.02e9), fmt.money)).toBe('$4bn in every likely outcome; 90% range');
    expect(fmt.rangeSentence(null, fmt.money)).toBe('not available');
    expect(fmt.rangeShort(range(8.4e9, 6.1e9, 11.8e9), fmt.money)).toBe('$8.4bn ($6.1bn – $11.8bn)');
    expect(fmt.rangeBounds(range(383, 147, 561), fmt.count)).toBe('147 – 561');
    expect(fmt.rangeBounds(range(0, 0, 0), fmt.count)).toBe('0');
  });

  it('words a range inside a sentence: "most likely $12.3m ($8.1m – $19.0m, 90% range)"', () => {
    expect(fmt.rangeInline(range(12.3e6, 8.1e6, 19.04e6), fmt.money)).toBe('most likely $12.3m ($8.1m – $19m, 90% range)');
    expect(fmt.rangeInline({ ...range(820e6, 600e6, 1.1e9), level: 0.8 }, fmt.money)).toBe('most likely $820m ($600m – $1.1bn, 80% range)');
    expect(fmt.rangeInline(range(0, 0, 0), fmt.money)).toBe('$0 in every likely outcome (90% range)');
    expect(fmt.rangeInline(null, fmt.money)).toBe('not available');
  });

  it('rounds probabilities without claiming certainty it does not have', () => {
    expect(fmt.percent(0)).toBe('0%');
    expect(fmt.percent(0.004)).toBe('<1%');
    expect(fmt.percent(0.5)).toBe('50%');
    expect(fmt.percent(0.996)).toBe('>99%');
    expect(fmt.percent(1)).toBe('100%');
    expect(fmt.percent(NaN)).toBe('n/a');
  });

  it('words durations, times, sectors, countries and model parameters', () => {
    expect(fmt.duration(24)).toBe('1 day');
    expect(fmt.duration(72)).toBe('3 days');
    expect(fmt.duration(5)).toBe('5 hours');
    expect(fmt.duration(1)).toBe('1 hour');
    expect(fmt.dateTime('2017-06-28T12:00:00Z')).toMatch(/^28 Jun 2017,? 12:00 UTC$/);
    expect(fmt.dateTime('not a date')).toBe('n/a');
    expect(fmt.seconds(0.2)).toBe('1 s');
    expect(fmt.seconds(150)).toBe('3 min');
    expect(fmt.sector('financial-services')).toBe('Financial services');
    expect(fmt.sector('healthcare-and-public-health')).toBe('Healthcare and public health');
    expect(fmt.sector(null)).toBe('Unknown sector');
    expect(fmt.country('UA')).toBe('Ukraine');
    expect(fmt.country('unknown')).toBe('Unknown country');
    expect(fmt.parameter('transmissibility.corporate-wan')).toBe('Transmissibility over corporate WAN links');
    expect(fmt.parameter('transmissibility.supply-chain')).toBe('Transmissibility over supply chain links');
    expect(fmt.parameter('reportingRate')).toBe('Share of infections reported');
  });
});

describe('dashboard adapters of the API shapes (model.js)', () => {
  const row = (entityId: string, country: string, sector: string, p: number, loss: number, extra: Partial<EntityRow> = {}): EntityRow => ({
    entityId, name: entityId.toUpperCase(), kind: 'organization', parentId: null, country, sector, protected: false,
    intended: false, collateral: true, reported: false, probabilityInfected: { p, low: p / 2, high: Math.min(1, p * 1.5) },
    probabilityDisrupted: { p: 0, low: 0, high: 0 }, expectedLossUsd: loss, ...extra,
  });
  const rows: EntityRow[] = [
    row('maersk', 'DK', 'transportation-systems', 1, 300e6),
    row('maersk-odesa', 'UA', 'transportation-systems', 0.5, 10e6, { parentId: 'maersk' }),
    row('merck', 'US', 'healthcare-and-public-health', 0.9, 800e6),
    row('clinic', 'US', 'healthcare-and-public-health', 0.1, 0),
    row('kyivenergo', 'UA', 'energy', 1, 50e6, { intended: true, collateral: false }),
  ];

  it('builds the collateral tree world > country > sector > organisation, sites under their organisation, colour weighted by loss', () => {
    const summary = { collateral: { lossUsd: { total: range(1.11e9, 1e9, 1.2e9, 1.11e9) } } };
    const tree = model.collateralTree(rows, summary);
    expect(tree.loss).toBeCloseTo(1.11e9, 0);
    expect(tree.children.map((c: any) => c.id).sort()).toEqual(['world/country:DK', 'world/country:UA', 'world/country:US']);
    const us = tree.children.find((c: any) => c.key === 'US');
    const health = us.children[0];
    expect(health.id).toBe('world/country:US/sector:healthcare-and-public-health');
    expect(health.count).toBe(2);
    // Loss-weighted: the clinic has no loss, so the colour is Merck's probability, not the mean 0.5.
    expect(health.probability).toBeCloseTo(0.9, 12);
    // The Odesa site counts in Ukraine, under its organisation Maersk.
    const ua = tree.children.find((c: any) => c.key === 'UA');
    expect(ua.children[0].children[0]).toMatchObject({ id: 'world/country:UA/sector:transportation-systems/organization:maersk', name: 'MAERSK', loss: 10e6 });
    // The intended entity is not in the collateral tree.
    expect(JSON.stringify(tree)).not.toContain('kyivenergo');
  });

  it('shows what the reader may not see as one grey "withheld" area', () => {
    const summary = { collateral: { lossUsd: { total: range(1.5e9, 1e9, 2e9, 1.5e9) } } };
    const tree = model.collateralTree(rows, summary);
    const withheld = tree.children.find((c: any) => c.id === 'world/withheld');
    expect(withheld.loss).toBeCloseTo(1.5e9 - 1.11e9, 0);
    expect(withheld.probability).toBeNull();
  });

  describe('ranges of the areas from the rollup (GET /rollup?collateral=true, built here by the API\'s own rollupView)', () => {
    const clinics = [1, 2, 3].map((i) => row(`clinic-${i}`, 'US', 'healthcare-and-public-health', 0.2, 5e6));
    // Restricted from this reader: `secret` alone with Maersk in Denmark (too small a group to hide
    // it: Denmark loses its ranges); `us-secret` among six US healthcare entities (hidden in the
    // group, which keeps its range and counts it): their suppression groups (suppression.ts suppressionFor) as given.
    const secret = row('secret', 'DK', 'transportation-systems', 1, 40e6);
    const usSecret = row('us-secret', 'US', 'healthcare-and-public-health', 1, 100e6);
    const visible = [...rows, ...clinics];
    const stat = (key: string, loss: Range): GroupStat => ({ key, part: 'collateral', entitiesInfected: range(3, 2, 5), entitiesDisrupted: range(0, 0, 0), lossUsd: loss, populationAffected: range(0, 0, 0) });
    const groups: Record<string, GroupStat> = {
      'collateral/country:US': stat('US', range(950e6, 700e6, 1.31e9, 930e6)),
      'collateral/country:US/sector:healthcare-and-public-health': stat('US/healthcare-and-public-health', range(940e6, 690e6, 1.3e9, 930e6)),
      'collateral/country:DK': stat('DK', range(330e6, 300e6, 345e6, 340e6)),
      'collateral/country:DK/sector:transportation-systems': stat('DK/transportation-systems', range(330e6, 300e6, 345e6, 340e6)),
      'collateral/country:UA': stat('UA', range(8e6, 0, 10e6, 5e6)),
      'collateral/country:UA/sector:transportation-systems': stat('UA/transportation-systems', range(8e6, 0, 10e6, 5e6)),
    };
    const summary = { collateral: { lossUsd: { total: range(1.2e9, 1e9, 1.6e9, 1.265e9) } } };
    const rollup = rollupView([...visible, secret, usSecret], groups, ['country', 'sector', 'organization'], new Map([['secret', {}], ['us-secret', { country: 'US', sector: 'healthcare-and-public-health' }]]), { part: 'collateral' });
    const tree = model.collateralTree(visible, summary, rollup);
    const at = (id: string) => {
      const find = (n: any): any => (n.id === id ? n : (n.children || []).map(find).find(Boolean));
      return find(tree);
    };

    it('gives countries and sectors the range of their collateral loss, and says it with the expected value', () => {
      const ua = at('world/country:UA');
      expect(ua).toMatchObject({ rangeState: 'shown', range: { median: 8e6, low: 0, high: 10e6, level: 0.9 }, expected: 10e6, loss: 10e6 });
      expect(model.lossWords(ua)).toBe('collateral loss: most likely $8m ($0 – $10m, 90% range); expected $10m');
      expect(model.lossWords(at('world/country:UA/sector:transportation-systems'))).toBe('collateral loss: most likely $8m ($0 – $10m, 90% range); expected $10m');
      expect(model.cellText(ua)).toEqual({ value: ['$8m most likely', '$8m'], range: ['$0 – $10m, 90% range', '$0 – $10m'] });
    });

    it('says how much of a group\'s expected loss the reader may see when the range counts a hidden entity', () => {
      const us = at('world/country:US');
      // The area is what the reader sees entity by entity; the range and the expected value count `us-secret` too.
      expect(us.loss).toBeCloseTo(815e6, 0);
      expect(us.expected).toBeCloseTo(915e6, 0);
      expect(model.expectedLoss(us)).toBe(us.expected);
      expect(model.lossWords(us)).toBe('collateral loss: most likely $950m ($700m – $1.3bn, 90% range); expected $915m, $815m of it in entities you may see');
      expect(at('world/country:US/sector:healthcare-and-public-health').rangeState).toBe('shown');
    });

    it('says the range is not available where the rollup withholds it (never invents one)', () => {
      const dk = at('world/country:DK');
      expect(dk).toMatchObject({ rangeState: 'withheld', range: null, expected: 300e6 });
      expect(model.lossWords(dk)).toBe('collateral loss: expected $300m; range not available (withheld under TLP, or not computed)');
      expect(at('world/country:DK/sector:transportation-systems').rangeState).toBe('withheld');
      expect(model.cellText(dk)).toEqual({ value: ['$300m expected', '$300m'], range: ['range not available', 'no range'] });
      expect(JSON.stringify(model.lossWords(dk))).not.toMatch(/most likely/);
    });

    it('keeps expected values for organisations and the withheld area, and the world\'s range when the rollup has one', () => {
      const maersk = at('world/country:DK/sector:transportation-systems/organization:maersk');
      expect(maersk).toMatchObject({ rangeState: 'expected-only', range: null });
      expect(model.lossWords(maersk)).toBe('collateral loss: expected $300m (organisations have expected values only, no range)');
      expect(model.cellText(maersk)).toEqual({ value: ['$300m expected', '$300m'], range: null });
      const withheld = at('world/withheld');
      expect(withheld.loss).toBeCloseTo(1.265e9 - 1.125e9, 0);
      expect(model.lossWords(withheld)).toBe('collateral loss: expected $140m (entities whose reports you may not see; no range)');
      // rollupView without a summary has no world range; with one, the world has the summary's.
      expect(tree.rangeState).toBe('withheld');
      const world = model.collateralTree(visible, summary, { ...rollup, ranges: { ...groups['collateral/country:UA'], key: 'world', lossUsd: range(1.2e9, 1e9, 1.6e9) } });
      expect(model.lossWords(world)).toBe('collateral loss: most likely $1.2bn ($1bn – $1.6bn, 90% range); expected $1.3bn');
    });

    it('says the range is not available when the rollup could not be read, the expected value being the area\'s', () => {
      const bare = model.collateralTree(visible, summary, null);
      const us = bare.children.find((c: any) => c.key === 'US');
      expect(us).toMatchObject({ rangeState: 'unavailable', range: null, expected: null });
      expect(model.lossWords(us)).toBe('collateral loss: expected $815m; range not available');
      // Without the rollup the tree is the one it was: same areas, same colours.
      const strip = (n: any): any => ({ id: n.id, loss: n.loss, probability: n.probability, children: n.children?.map(strip) });
      expect(strip(bare)).toEqual(strip(tree));
    });
  });

  it('reads the timeline bins (infections range, reported count) and marks each rise of the reported count', () => {
    const raw: StoredTimeline = {
      asOf: '2017-06-28T12:00:00.000Z', origin: '2017-06-27T07:30:00.000Z', horizonHours: 72,
      points: [
        { hours: 6, at: '2017-06-27T13:30:00.000Z', infections: range(2000, 1800, 2600), reported: 10 },
        { hours: 12, at: '2017-06-27T19:30:00.000Z', infections: range(3500, 2900, 4000), reported: 10 },
        { hours: 18, at: '2017-06-28T01:30:00.000Z', infections: range(3800, 3100, 4300), reported: 40 },
      ],
    };
    const tl = model.timeline(raw);
    expect(tl.points.map((p: any) => [p.t.toISOString(), p.median, p.low, p.high])).toEqual([
      ['2017-06-27T13:30:00.000Z', 2000, 1800, 2600], ['2017-06-27T19:30:00.000Z', 3500, 2900, 4000], ['2017-06-28T01:30:00.000Z', 3800, 3100, 4300],
    ]);
    expect(tl.reported.map((r: any) => r.count)).toEqual([10, 40]);
    expect(tl.origin.toISOString()).toBe('2017-06-27T07:30:00.000Z');
    expect(tl.horizon.toISOString()).toBe('2017-07-01T12:00:00.000Z');
    expect(tl.level).toBe(0.9);
  });

  it('reads the early warning, protected hits, calibration and Monte Carlo error as the API gives them', () => {
    const warning = model.earlyWarning({
      assessmentId: 'x', asOf: '2017-06-28T12:00:00.000Z', withinHours: 24, windowsComputed: [24, 72, 168],
      items: [{ entityId: 'a', name: 'A', country: 'UA', sector: 'energy', protected: true, collateral: false, probability: { p: 0.8, low: 0.7, high: 0.9 },
        path: [{ entityId: 'medoc', name: 'M.E.Doc update server', reported: true }, { entityId: null, name: 'withheld (restricted report)', reported: true }, { entityId: 'a', name: 'A', reported: false }] }],
    });
    expect(warning).toMatchObject({ withinHours: 24, windows: [24, 72, 168] });
    expect(warning.collateral).toBeUndefined();
    // The filter the API applied comes back as it was asked.
    expect(model.earlyWarning({ withinHours: 72, collateral: true, windowsComputed: [72], items: [] })).toMatchObject({ collateral: true, items: [] });
    expect(warning.items[0]).toMatchObject({ probability: 0.8, low: 0.7, high: 0.9, collateral: false, protected: true, path: ['M.E.Doc update server', 'withheld (restricted report)', 'A'] });

    const summary: Pick<Summary, 'protectedHits' | 'calibration' | 'monteCarloError'> = {
      protectedHits: [
        { entityId: 'h', name: 'Hospital', sector: 'healthcare-and-public-health', probability: 0.4, probabilityInfected: 0.1, norms: ['13(f)'] },
        { entityId: 'c', name: 'CERT', sector: 'government-facilities', probability: 0.9, probabilityInfected: 0.9, norms: ['13(k)'] },
      ],
      calibration: { method: 'importance weighting', parameters: { 'transmissibility.network': range(0.47, 0.24, 0.58) }, prior: { 'transmissibility.network': range(0.5, 0.3, 0.8) }, effectiveSampleSize: 49.5 },
      monteCarloError: { runs: 200, effectiveSampleSize: 49.5, method: 'kish', figures: { 'total.lossTotal': { meanStandardError: 7e7, low: { low: 3e9, high: 3.7e9 }, high: { low: 4.9e9, high: 5.6e9 } } } },
    };
    expect(model.protectedHits(summary).map((x) => x.entityId)).toEqual(['c', 'h']);
    expect(model.protectedHits(summary)[1]).toMatchObject({ probability: 0.4, probabilityInfected: 0.1, norms: ['13(f)'] });
    expect(model.calibration(summary)).toMatchObject({ effectiveSampleSize: 49.5, parameters: [{ name: 'transmissibility.network', prior: { low: 0.3 }, posterior: { median: 0.47 } }] });
    const mc = model.monteCarloError(summary);
    expect(mc.rows).toHaveLength(1);
    expect(mc.rows[0]).toMatchObject({ key: 'total.lossTotal', label: 'Economic loss', meanStandardError: 7e7 });
    expect(mc.rows[0].fmt(mc.rows[0].high.low)).toBe('$4.9bn');
  });
});

describe('dashboard adapter of the assessment (model.js)', () => {
  const headline = {
    level: 0.9, entitiesInfected: range(4068, 3243, 4554), lossUsd: { total: range(4.4e9, 3.5e9, 5.8e9) },
    collateral: { entitiesInfected: range(356, 208, 575), lossUsd: { total: range(2.9e9, 2.1e9, 3.8e9) } }, effectiveSampleSize: 41.2,
  };
  const view = (over: Partial<AssessmentView> = {}): AssessmentView => ({
    id: 'a1', kind: 'assessment', status: 'done', progress: 1, etaSeconds: 0, stale: false, weaponId: 'notpetya',
    inputs: {
      weaponId: 'notpetya', asOf: '2017-06-28T12:00:00.000Z', horizonHours: 72, model: 'sir', runs: 200, seed: 7, confidenceLevel: 0.9, calibrate: true,
      reportsUsed: 118, latestReportAt: '2017-06-28T11:12:00.000Z', latestReportFiledAt: '2017-06-28T11:40:00.000Z',
    },
    headline, runner: 'test', attempts: 1, error: null, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, ...over,
  });

  it('maps the newest report used and when it was filed (null when the reader may see none)', () => {
    expect(model.assessment(view()).inputs).toMatchObject({ latestReportAt: '2017-06-28T11:12:00.000Z', latestReportFiledAt: '2017-06-28T11:40:00.000Z', reportsUsed: 118 });
    const none = view({ inputs: { ...view().inputs, latestReportAt: null, latestReportFiledAt: null } });
    expect(model.assessment(none).inputs).toMatchObject({ latestReportAt: null, latestReportFiledAt: null });
  });

  it('keeps the list headline of a finished assessment, null until done', () => {
    const a = model.assessment(view());
    expect(a.headline.collateral.lossUsd.total).toEqual(range(2.9e9, 2.1e9, 3.8e9));
    expect(fmt.rangeBounds(a.headline.collateral.lossUsd.total, fmt.money)).toBe('$2.1bn – $3.8bn');
    expect(a.headline).toMatchObject({ level: 0.9, effectiveSampleSize: 41.2, lossUsd: { total: { median: 4.4e9 } } });
    expect(model.assessment(view({ status: 'running', headline: null })).headline).toBeNull();
    expect(model.headline(undefined)).toBeNull();
  });
});
