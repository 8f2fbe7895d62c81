import { briefingPdf, rangeText, type BriefingContent } from '../../../src/decisions/briefing';
import { exceedanceCurve, lossSample } from '../../../src/decisions/exceedance';
import { expectBriefingLayout, pdfPages } from '../../support/pdf';

const R = (x: number) => ({ mean: x, median: x, low: 0.6 * x, high: 1.7 * x, level: 0.9 });
const figures = (x: number) => ({
  entitiesInfected: R(40 * x), entitiesDisrupted: R(9 * x), unreportedInfections: R(20 * x), forecastInfections: R(50 * x),
  lossUsd: { direct: R(1e9 * x), indirect: R(5e8 * x), total: R(1.5e9 * x) }, populationAffected: R(2e6 * x), countriesAffected: R(3 * x),
});

/** The largest briefing the service can make: every list long, every name long, many warnings. */
function crowded(): BriefingContent {
  const long = (i: number) => `Regional public hospital and emergency care consortium number ${i} of the northern districts`;
  const hits = Array.from({ length: 400 }, (_, i) => ({
    entityId: `org-${i}`, name: long(i), sector: 'healthcare', probability: 1 - i / 400, probabilityInfected: 1 - i / 400, norms: ['13(f)' as const, '13(k)' as const], reported: i % 3 === 0,
  })).sort((a, b) => Number(a.reported) - Number(b.reported) || b.probability - a.probability);
  const runs = { columns: ['run', 'weight', 'collateral.lossTotal'], rows: Array.from({ length: 500 }, (_, i) => [i, 1 / 500, i * 1e7]) };
  return {
    assessmentId: '00000000-0000-4000-8000-000000000001',
    weapon: { id: 'w', name: 'A weapon with a rather long name (also known by three other names)', payload: 'wiper', characterised: true },
    tlp: 'amber+strict',
    asOf: '2017-06-28T12:00:00.000Z',
    horizonHours: 168,
    runs: 500,
    level: 0.9,
    calibrated: true,
    reportsUsed: 321,
    summary: {
      total: figures(3), intended: figures(1), collateral: figures(2),
      protectedHits: hits,
      calibration: {
        method: 'adaptive importance sampling',
        parameters: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`transmissibility.kind${i}`, R(0.1)])),
        prior: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`transmissibility.kind${i}`, R(0.2)])),
        effectiveSampleSize: 123,
      },
      monteCarloError: { runs: 500, effectiveSampleSize: 123, method: 'batch means', figures: {} },
    },
    protectedHits: hits,
    exceedance: exceedanceCurve(lossSample(runs, 'collateral'), 'collateral'),
    warnings: Array.from({ length: 200 }, (_, i) => `Warning ${i}: the dependency data of this sector is incomplete, so the indirect loss through it may be understated by a wide margin; treat its figures as a floor.`),
    generatedAt: '2026-12-05T12:00:00.000Z',
  };
}

describe('briefing PDF', () => {
  it('keeps the largest content to four A4 pages before the annex, every page marked and numbered, no page only a footer', async () => {
    const c = crowded();
    const pages = pdfPages(await briefingPdf(c));
    const annex = expectBriefingLayout(pages, 'TLP:AMBER+STRICT');
    const body = pages.slice(0, annex).map((p) => p.text).join(' ');
    expect(body).toContain(`Economic loss ${rangeText(c.summary.collateral.lossUsd.total, true)} ${rangeText(c.summary.intended.lossUsd.total, true)} ${rangeText(c.summary.total.lossUsd.total, true)}`);
    // every warning is said: the first ones in the body, all of them in the annex
    const all = pages.map((p) => p.text).join(' ');
    for (const w of c.warnings) expect(all).toContain(w.slice(0, 40));
    // every protected entity is in the annex
    const annexText = pages.slice(annex).map((p) => p.text).join(' ');
    expect(annexText).toContain('(org-399, healthcare)');
  });

  it('keeps a heading with what follows it: no heading is the last line of a page', async () => {
    const pages = pdfPages(await briefingPdf(crowded()));
    const headings = ['How bad is it', 'How likely is a large collateral loss', 'Protected infrastructure at risk', 'Method in plain words', 'Warnings', 'All protected entities the reader may see', 'Calibrated parameters', 'All warnings'];
    pages.forEach((p, i) => {
      // the body's last words, before the footer's marking and page number
      const tail = p.text.replace(/(TLP:AMBER\+STRICT|Page \d+ of \d+)/g, ' ').replace(/\s+/g, ' ').trim();
      for (const hd of headings) expect({ page: i + 1, endsWithHeading: tail.endsWith(hd) }).toEqual({ page: i + 1, endsWithHeading: false });
    });
  });

  it('marks a CLEAR briefing in white on black and still numbers it', async () => {
    const pages = pdfPages(await briefingPdf({ ...crowded(), tlp: 'clear', warnings: [] }));
    expectBriefingLayout(pages, 'TLP:CLEAR');
  });
});
