/**
 * The decision routes on a scripted engine whose run table is known: exceedance (JSON and CSV,
 * "about 1 in N"), the asOf series of a weapon's assessments, the TLP-marked briefing (its PDF
 * text extracted with pdfjs-dist), their roles and their errors.
 */
import { INestApplication } from '@nestjs/common';
import type { EngineOutput, Range } from '../../src/results/result-types';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { expectBriefingLayout, pdfPages } from '../support/pdf';
import { createScriptedApp, R, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

jest.setTimeout(600_000);

/** Headline figures that differ from row to row and part to part, so the briefing's table can be read cell by cell. */
const headline = (infected: number, disrupted: number, lossUsd: number, people: number, countries: number) => ({
  entitiesInfected: R(infected), entitiesDisrupted: R(disrupted), unreportedInfections: R(infected / 2), forecastInfections: R(infected),
  lossUsd: { direct: R(lossUsd / 2), indirect: R(lossUsd / 2), total: R(lossUsd) }, populationAffected: R(people), countriesAffected: R(countries),
});

/** Ten runs of equal weight: collateral loss 1..10 $bn, total loss 2..20 $bn. */
class LossEngine extends ScriptedEngine {
  output(s: ScenarioSnapshot): EngineOutput {
    const out = super.output(s);
    out.summary.total = headline(46, 21, 5.3e9, 1.43e6, 9);
    out.summary.intended = headline(30, 12, 2.1e9, 1.1e6, 1);
    out.summary.collateral = headline(16, 9, 3.2e9, 330_000, 8);
    out.runs = {
      columns: ['run', 'weight', 'collateral.lossTotal', 'total.lossTotal'],
      rows: Array.from({ length: 10 }, (_, i) => [i, 0.1, (i + 1) * 1e9, (i + 1) * 2e9]),
    };
    return out;
  }
}

describe('decisions: exceedance and the asOf series', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const ids: string[] = [];

  const finish = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      if ((await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200)).body.status === 'done') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`assessment ${id} did not finish`);
  };

  beforeAll(async () => {
    const engine = new LossEngine();
    engine.durationMs = 50;
    app = await createScriptedApp(engine);
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    // created newest-asOf first, so the series must sort by asOf, not by creation
    for (const asOf of ['2017-06-29T00:00:00Z', '2017-06-27T12:00:00Z', '2017-06-28T00:00:00Z']) {
      const res = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf, runs: 10, horizonHours: 72 }).expect(202);
      ids.push(res.body.id);
      await finish(res.body.id);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives P(loss > x) of collateral and total loss with a band, and says a threshold as about 1 in N', async () => {
    const body = (await http.get(`/v1/assessments/${ids[0]}/exceedance?thresholdUsd=9000000000`).set(auth(keys.b.researcher)).expect(200)).body;
    expect(body.curves.map((c: any) => c.part)).toEqual(['collateral', 'total']);
    const [collateral, total] = body.curves;
    expect(collateral.effectiveSampleSize).toBeCloseTo(10, 8);
    const at = (c: any, x: number) => c.points.find((p: any) => p.thresholdUsd === x).probability;
    expect(at(collateral, 0).p).toBeCloseTo(1, 10);
    expect(at(collateral, 3e9).p).toBeCloseTo(0.7, 10);
    expect(at(total, 6e9).p).toBeCloseTo(0.7, 10);
    expect(at(collateral, 3e9).low).toBeLessThan(0.7);
    expect(at(collateral, 3e9).high).toBeGreaterThan(0.7);
    expect(collateral.threshold.probability.p).toBeCloseTo(0.1, 10);
    expect(collateral.threshold.oneIn.n).toBe(10);
    expect(collateral.threshold.oneIn.wording).toMatch(/^About 1 in 10 of the weighted runs had a collateral loss above \$9bn/);
    expect(total.threshold.probability.p).toBeCloseTo(0.6, 10);
    expect(total.threshold.oneIn.wording).toMatch(/more likely than not: 60%/);
  });

  it('serves the curves as CSV, and one part when asked', async () => {
    const res = await http.get(`/v1/assessments/${ids[0]}/exceedance.csv?part=collateral`).set(auth(keys.a.analyst)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('part,thresholdUsd,probability,low,high');
    expect(lines.slice(1).every((l) => l.startsWith('collateral,'))).toBe(true);
    expect(lines).toContain(lines.find((l) => l.startsWith('collateral,3000000000,0.7')));
  });

  it('answers bad input with the field and the rule, an unknown assessment with 404, and refuses responders', async () => {
    const bad = (await http.get(`/v1/assessments/${ids[0]}/exceedance?part=intended&thresholdUsd=-1`).set(auth(keys.a.analyst)).expect(400)).body;
    expect(bad.details.map((d: any) => d.field).sort()).toEqual(['part', 'thresholdUsd']);
    await http.get('/v1/assessments/00000000-0000-4000-8000-000000000000/exceedance').set(auth(keys.a.analyst)).expect(404);
    const refused = (await http.get(`/v1/assessments/${ids[0]}/exceedance`).set(auth(keys.a.responder)).expect(403)).body;
    expect(refused.details[0].message).toBe('allowed roles: analyst, researcher, admin');
    await http.get(`/v1/assessments/${ids[0]}/exceedance`).expect(401);
  });

  it('lists a weapon\'s finished assessments in asOf order with their headline ranges', async () => {
    const body = (await http.get('/v1/weapons/wpn/assessment-series').set(auth(keys.b.analyst)).expect(200)).body;
    expect(body.weaponId).toBe('wpn');
    expect(body.items.map((x: any) => x.asOf)).toEqual(['2017-06-27T12:00:00.000Z', '2017-06-28T00:00:00.000Z', '2017-06-29T00:00:00.000Z']);
    expect(body.items.map((x: any) => x.id)).toEqual([ids[1], ids[2], ids[0]]);
    // both reports (09:00 and 10:00 on the 27th) precede every asOf, but org-b's reader counts only
    // the one it may see (the other is org-a's RED report): reportsUsed is per reader
    expect(body.items.map((x: any) => x.reportsUsed)).toEqual([1, 1, 1]);
    expect(body.items[0].headline.collateral.lossUsd.total).toEqual({ mean: 3.2e9, median: 3.2e9, low: 1.6e9, high: 4.8e9, level: 0.9 });
    expect((await http.get('/v1/weapons/quiet/assessment-series').set(auth(keys.b.analyst)).expect(200)).body).toEqual({ weaponId: 'quiet', total: 0, items: [] });
    await http.get('/v1/weapons/wpn/assessment-series').set(auth(keys.b.responder)).expect(403);
  });

  describe('briefing', () => {
    const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    };
    /** A range as the briefing words it, written here apart from the briefing's code: "median (low to high)". */
    const words = (r: Range, usd: boolean) => {
      const say = (x: number) => (usd ? `$${Number((x / 1e9).toPrecision(3))}bn` : x >= 1e6 ? `${Number((x / 1e6).toPrecision(3))} million` : Number(x.toPrecision(3)).toLocaleString('en-US'));
      return `${say(r.median)} (${say(r.low)} to ${say(r.high)})`;
    };

    it('marks every A4 page with the strictest TLP of its evidence, numbers the pages, and says the API\'s headline ranges', async () => {
      const res = await http.get(`/v1/assessments/${ids[0]}/briefing.pdf`).set(auth(keys.b.analyst)).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['x-tlp']).toBe('TLP:RED');
      const pages = pdfPages(res.body);
      const annex = expectBriefingLayout(pages, 'TLP:RED');
      const text = pages.slice(0, annex).map((p) => p.text).join(' ');
      // Each row of the headline table: its label, then the collateral, intended and total ranges
      // of the API's result for the same reader.
      const summary = (await http.get(`/v1/assessments/${ids[0]}`).set(auth(keys.b.analyst)).expect(200)).body.result;
      const rows: Array<[string, (f: any) => Range, boolean]> = [
        ['Entities infected', (f) => f.entitiesInfected, false],
        ['Entities disrupted', (f) => f.entitiesDisrupted, false],
        ['Economic loss', (f) => f.lossUsd.total, true],
        ['People affected', (f) => f.populationAffected, false],
        ['Countries affected', (f) => f.countriesAffected, false],
      ];
      for (const [label, pick, usd] of rows) {
        const cells = (['collateral', 'intended', 'total'] as const).map((part) => words(pick(summary[part]), usd));
        expect(text).toContain(`${label} ${cells.join(' ')}`);
      }
      // the figures above are the scripted ones, so the words are checked too
      expect(text).toContain('Economic loss $3.2bn ($1.6bn to $4.8bn) $2.1bn ($1.05bn to $3.15bn) $5.3bn ($2.65bn to $7.95bn)');
      expect(text).toContain('People affected 330,000 (165,000 to 495,000) 1.1 million (550,000 to 1.65 million) 1.43 million (715,000 to 2.15 million)');
      expect(text).toContain('Method in plain words');
      // secret-site rests only on org-a's RED report: org-b does not see it, org-a does
      expect(pages.map((p) => p.text).join(' ')).not.toContain('secret-site');
      const own = pdfPages((await http.get(`/v1/assessments/${ids[0]}/briefing.pdf`).set(auth(keys.a.analyst)).buffer(true).parse(binary).expect(200)).body);
      expectBriefingLayout(own, 'TLP:RED');
      expect(own.map((p) => p.text).join(' ')).toContain('secret-site');
    });

    it('takes a stricter marking, refuses a laxer one with the field and the rule, and serves the same briefing as HTML', async () => {
      const bad = (await http.get(`/v1/assessments/${ids[0]}/briefing.pdf?tlp=amber`).set(auth(keys.a.analyst)).expect(400)).body;
      expect(bad.details).toEqual([expect.objectContaining({ field: 'tlp', rule: 'atLeastEvidence' })]);
      await http.get(`/v1/assessments/${ids[0]}/briefing.pdf?tlp=purple`).set(auth(keys.a.analyst)).expect(400);
      const html = await http.get(`/v1/assessments/${ids[0]}/briefing.html?tlp=red`).set(auth(keys.b.researcher)).expect(200);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.text.match(/TLP:RED/g)?.length).toBeGreaterThanOrEqual(2);
      expect(html.text).not.toContain('<script');
      await http.get(`/v1/assessments/${ids[0]}/briefing.pdf`).set(auth(keys.a.responder)).expect(403);
    });
  });
});
