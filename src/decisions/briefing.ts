/**
 * The briefing of an assessment for a decision-maker: the headline as ranges, protected
 * infrastructure at risk, how likely large losses are, and the method in plain words, marked
 * with its TLP (FIRST TLP 2.0) on every page. Rendered as PDF (pdfkit, no browser) and as a
 * standalone HTML page from the same content.
 */
import PDFDocument from 'pdfkit';
import type { Summary } from '../results/result-types';
import type { ProtectedHit } from '../engine/result';
import type { Range } from '../engine/stats';
import { TLP_LEVELS, type Tlp } from '../domain/vocabulary';
import type { ExceedanceCurve } from './exceedance';

/** FIRST TLP 2.0 label colours (text on black). */
export const TLP_COLOURS: Record<Tlp, string> = {
  clear: '#FFFFFF',
  green: '#33FF00',
  amber: '#FFC000',
  'amber+strict': '#FFC000',
  red: '#FF2B2B',
};

export const tlpLabel = (tlp: Tlp) => `TLP:${tlp.toUpperCase()}`;

/** The most restrictive of the levels (TLP_LEVELS runs least to most restrictive). */
export function strictest(levels: readonly Tlp[]): Tlp {
  return levels.reduce<Tlp>((a, b) => (TLP_LEVELS.indexOf(b) > TLP_LEVELS.indexOf(a) ? b : a), 'clear');
}

export interface BriefingContent {
  assessmentId: string;
  weapon: { id: string; name: string; payload: string; characterised: boolean };
  tlp: Tlp;
  asOf: string;
  horizonHours: number;
  runs: number;
  level: number;
  calibrated: boolean;
  /** Reports of the evidence the reader may see; null when that count cannot be told apart from hidden ones. */
  reportsUsed: number | null;
  summary: Summary;
  /** Protected entities the reader may see, unreported ones first (the risk), then by probability. */
  protectedHits: Array<ProtectedHit & { reported: boolean }>;
  exceedance: ExceedanceCurve;
  warnings: string[];
  generatedAt: string;
}

const sig = (x: number) => Number(x.toPrecision(3));

/** A count or amount to three significant figures; USD with $ and k/m/bn. */
export function amount(x: number, usd: boolean): string {
  const a = Math.abs(x);
  const [d, s] = a >= 1e9 ? [1e9, usd ? 'bn' : ' billion'] : a >= 1e6 ? [1e6, usd ? 'm' : ' million'] : a >= 1e4 && usd ? [1e3, 'k'] : [1, ''];
  const v = d === 1 ? (usd ? Math.round(x).toLocaleString('en-US') : sig(x).toLocaleString('en-US')) : `${sig(x / d)}${s}`;
  return `${usd ? '$' : ''}${v}`;
}

/** A headline range in words: "median (low to high)". */
export function rangeText(r: Range, usd = false): string {
  return `${amount(r.median, usd)} (${amount(r.low, usd)} to ${amount(r.high, usd)})`;
}

const pct = (p: number) => (p > 0 && p < 0.001 ? '<0.1%' : `${sig(100 * p)}%`);

interface Row {
  label: string;
  total: Range;
  intended: Range;
  collateral: Range;
  usd: boolean;
}

function headlineRows(s: Summary): Row[] {
  const row = (label: string, pick: (f: Summary['total']) => Range, usd = false): Row => ({ label, total: pick(s.total), intended: pick(s.intended), collateral: pick(s.collateral), usd });
  return [
    row('Entities infected', (f) => f.entitiesInfected),
    row('Entities disrupted', (f) => f.entitiesDisrupted),
    row('Economic loss', (f) => f.lossUsd.total, true),
    row('People affected', (f) => f.populationAffected),
    row('Countries affected', (f) => f.countriesAffected),
  ];
}

/** The method in plain words (no jargon, percentages, the prior said). */
export function methodText(c: BriefingContent): string[] {
  const lvl = `${Math.round(c.level * 100)}%`;
  const reporting = c.summary.calibration.parameters.reportingRate;
  const prior = c.summary.calibration.prior.reportingRate;
  return [
    `We simulated ${c.runs.toLocaleString('en-US')} possible courses of the outbreak through the organisations and the links between them (networks, software updates, services, shared infrastructure), starting from the ${c.reportsUsed === null ? '' : `${c.reportsUsed} `}reports filed up to ${c.asOf.slice(0, 10)} and running ${c.horizonHours} hours beyond.`,
    c.calibrated
      ? 'Each course draws how easily the weapon spreads along each kind of link from a range set in advance; courses that reproduce what was actually reported count more, courses that do not count less.'
      : 'Each course draws how easily the weapon spreads along each kind of link from a range set in advance; every course counts the same (no fitting to the reports).',
    ...(reporting && prior
      ? [`The share of infections that get reported was estimated at ${pct(reporting.median)} (${pct(reporting.low)} to ${pct(reporting.high)}); before looking at the reports we assumed ${pct(prior.low)} to ${pct(prior.high)}.`]
      : []),
    'Loss is hosts hit times the cost per host plus days of downtime times daily output, and the output lost by organisations that depend on a failed one.',
    `Every figure is the median with, in brackets, the range holding the middle ${lvl} of the weighted courses. Collateral is everything outside the weapon's intended targets; protected infrastructure is what the UN GGE 2015 norms 13(f) and 13(k) put off limits.`,
  ];
}

/** Warnings said in the body (the rest in the annex): with the rest of the body bounded, four pages hold it. */
const BODY_WARNINGS = 8;

/** The briefing as PDF: at most four A4 pages of content, then the annex; TLP and page numbers on every page. */
export function briefingPdf(c: BriefingContent): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 64, bottom: 64, left: 56, right: 56 }, bufferPages: true, info: { Title: `Briefing: ${c.weapon.name}`, Subject: tlpLabel(c.tlp) } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 112;
  const heading = (text: string) => {
    // keep a heading with at least three lines of what follows
    if (doc.y + 80 > doc.page.height - 64) doc.addPage();
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('#000').text(text).moveDown(0.3).font('Helvetica').fontSize(10);
  };
  const para = (text: string) => doc.font('Helvetica').fontSize(10).fillColor('#000').text(text, { width }).moveDown(0.3);

  doc.font('Helvetica-Bold').fontSize(18).text(`Collateral damage briefing: ${c.weapon.name}`);
  doc.font('Helvetica').fontSize(10).fillColor('#333')
    .text(`${c.weapon.characterised ? `Payload: ${c.weapon.payload}` : 'Uncharacterised weapon (first met in an import: payload and vectors are placeholders)'}. As of ${c.asOf}, forecast ${c.horizonHours} h ahead. ${c.runs.toLocaleString('en-US')} simulated runs${c.reportsUsed === null ? '' : `, ${c.reportsUsed} reports`}. Assessment ${c.assessmentId}.`);

  heading('How bad is it');
  const col = [150, 110, 110, 110];
  const x0 = doc.page.margins.left;
  const tableRow = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    let x = x0;
    let h = 0;
    cells.forEach((t, i) => {
      h = Math.max(h, doc.heightOfString(t, { width: col[i] - 6 }));
      doc.text(t, x, y, { width: col[i] - 6 });
      x += col[i];
    });
    doc.x = x0;
    doc.y = y + h + 4;
  };
  tableRow(['Figure', 'Collateral', 'Intended', 'Total'], true);
  for (const r of headlineRows(c.summary)) tableRow([r.label, rangeText(r.collateral, r.usd), rangeText(r.intended, r.usd), rangeText(r.total, r.usd)]);
  doc.moveDown(0.3);
  para(`Median, and in brackets the range of the middle ${Math.round(c.level * 100)}% of the weighted runs.`);

  heading('How likely is a large collateral loss');
  const pts = c.exceedance.points.filter((p) => p.thresholdUsd > 0 && p.probability.p > 0);
  const picks = [0.5, 0.1, 0.01].map((q) => pts.reduce<(typeof pts)[number] | undefined>((best, p) => (!best || Math.abs(p.probability.p - q) < Math.abs(best.probability.p - q) ? p : best), undefined)).filter((p, i, a) => p && a.indexOf(p) === i);
  if (!picks.length) para('No simulated run had any collateral loss.');
  for (const p of picks) para(`Collateral loss above ${amount(p!.thresholdUsd, true)}: ${pct(p!.probability.p)} of the weighted runs (Monte Carlo range ${pct(p!.probability.low)} to ${pct(p!.probability.high)}), about 1 in ${sig(1 / p!.probability.p)}.`);

  heading('Protected infrastructure at risk');
  const atRisk = c.protectedHits.filter((h) => !h.reported).slice(0, 10);
  const reportedCount = c.protectedHits.filter((h) => h.reported).length;
  para(`${reportedCount} protected entities are already reported hit. Not yet reported, most at risk by the horizon:`);
  if (!atRisk.length) para('none with a probability above zero.');
  for (const h of atRisk) para(`${h.name} (${h.sector ?? 'sector unknown'}; norms ${h.norms.join(', ') || 'none'}): ${pct(h.probability)}`);

  heading('Method in plain words');
  for (const t of methodText(c)) para(t);
  if (c.warnings.length) {
    heading('Warnings');
    for (const w of c.warnings.slice(0, BODY_WARNINGS)) para(`- ${w}`);
    if (c.warnings.length > BODY_WARNINGS) para(`${c.warnings.length - BODY_WARNINGS} more in the annex.`);
  }

  // The annex always starts on a page of its own after at most four pages of content.
  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(14).text('Annex');
  heading('All protected entities the reader may see');
  for (const h of c.protectedHits) para(`${h.name} (${h.entityId}, ${h.sector ?? 'sector unknown'}): ${pct(h.probability)}${h.reported ? ', reported' : ''}`);
  heading('Calibrated parameters');
  for (const [k, r] of Object.entries(c.summary.calibration.parameters)) para(`${k}: ${sig(r.median)} (${sig(r.low)} to ${sig(r.high)}); before the reports ${sig((c.summary.calibration.prior[k] ?? r).low)} to ${sig((c.summary.calibration.prior[k] ?? r).high)}`);
  para(`Effective number of runs after weighting: ${sig(c.summary.calibration.effectiveSampleSize)}. Generated ${c.generatedAt}.`);
  if (c.warnings.length > BODY_WARNINGS) {
    heading('All warnings');
    for (const w of c.warnings) para(`- ${w}`);
  }

  const range = doc.bufferedPageRange();
  const label = tlpLabel(c.tlp);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // drawing in the margins must not flow onto a new page
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    for (const y of [20, doc.page.height - 40]) {
      doc.font('Helvetica-Bold').fontSize(10);
      const w = doc.widthOfString(label) + 12;
      doc.rect(doc.page.width - 56 - w, y, w, 18).fill('#000000');
      doc.fillColor(TLP_COLOURS[c.tlp]).text(label, doc.page.width - 56 - w + 6, y + 4, { lineBreak: false });
    }
    doc.font('Helvetica').fontSize(9).fillColor('#000').text(`Page ${i + 1} of ${range.count}`, 56, doc.page.height - 36, { lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The same briefing as one standalone HTML page (no script, print styles with the TLP label on every page). */
export function briefingHtml(c: BriefingContent): string {
  const label = tlpLabel(c.tlp);
  const mark = `<div class="tlp">${esc(label)}</div>`;
  const rows = headlineRows(c.summary).map((r) => `<tr><th>${esc(r.label)}</th><td>${esc(rangeText(r.collateral, r.usd))}</td><td>${esc(rangeText(r.intended, r.usd))}</td><td>${esc(rangeText(r.total, r.usd))}</td></tr>`).join('');
  const hits = c.protectedHits.filter((h) => !h.reported).slice(0, 10).map((h) => `<li>${esc(h.name)} (${esc(h.sector ?? 'sector unknown')}): ${esc(pct(h.probability))}</li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(label)} Briefing: ${esc(c.weapon.name)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}.tlp{background:#000;color:${TLP_COLOURS[c.tlp]};font-weight:bold;padding:2px 6px;display:inline-block;float:right}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}h2{break-after:avoid}@media print{.tlp{position:fixed;top:0;right:0}footer{position:fixed;bottom:0;right:0}}</style></head>
<body><header>${mark}</header><h1>Collateral damage briefing: ${esc(c.weapon.name)}</h1>
<p>${c.weapon.characterised ? `Payload: ${esc(c.weapon.payload)}` : 'Uncharacterised weapon'}. As of ${esc(c.asOf)}, forecast ${c.horizonHours} h ahead; ${c.runs} runs${c.reportsUsed === null ? '' : `, ${c.reportsUsed} reports`}.</p>
<h2>How bad is it</h2><table><tr><th>Figure</th><th>Collateral</th><th>Intended</th><th>Total</th></tr>${rows}</table>
<h2>Protected infrastructure at risk (not yet reported)</h2><ul>${hits || '<li>none</li>'}</ul>
<h2>Method in plain words</h2>${methodText(c).map((t) => `<p>${esc(t)}</p>`).join('')}
${c.warnings.length ? `<h2>Warnings</h2><ul>${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<footer>${mark}</footer></body></html>`;
}
