/**
 * The policymakers' dashboard in a real browser: Debian's Chromium driven by playwright-core
 * against the real app on a free port, on the real pipeline. The NotPetya fixture (entities,
 * dependencies, weapon and its reports) is loaded through `POST /v1/scenarios/load`, an
 * assessment runs on the real simulation core through `POST /v1/assessments` (200 runs), and the
 * page must show exactly what the API computed.
 *
 * Fails, never skips, when Chromium is missing: install it with `bash .ci/browser`.
 * Screenshots, the A4 PDF and the API answers the page was checked against go to test/artifacts/.
 */
import { INestApplication } from '@nestjs/common';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';
import { pdfPages } from '../support/pdf';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const document: any;
declare const sessionStorage: any;
declare const getComputedStyle: any;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const FIXTURE = 'notpetya-2017';
const RUNS = 200;
const SEED = 7;

jest.setTimeout(600_000);

// ------------------------------------------------------------------ formatting, independently of the page's code

/** `a` in the largest of `units` it reaches, one decimal below 100 of it: "8.4bn", "120m". */
function inUnits(a: number, units: Array<[number, string]>): string {
  const say = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0)).replace(/\.0$/, '');
  const i = units.findIndex(([u]) => a >= u || Math.round(a) >= u);
  // "$1bn", not "$1000m": a value that rounds to a thousand of its unit is said in the next unit up.
  if (i > 0 && Number(say(a / units[i][0])) >= 1000) return `${say(a / units[i - 1][0])}${units[i - 1][1]}`;
  return `${say(a / units[i][0])}${units[i][1]}`;
}

function money(v: number): string {
  const a = Math.abs(v);
  if (Math.round(a) < 1000) return `$${Math.round(a)}`;
  return `$${inUnits(a, [[1e12, 'tn'], [1e9, 'bn'], [1e6, 'm'], [1e3, 'k']])}`;
}

/** A count in words, a no-break space before "million" so it never splits: "4,068", "12,300", "15.9\u00a0million". */
function count(v: number): string {
  const a = Math.abs(v);
  if (Math.round(a) < 1e4) return Math.round(a).toLocaleString('en-GB');
  if (Number(a.toPrecision(3)) < 1e6) return Number(a.toPrecision(3)).toLocaleString('en-GB');
  return inUnits(a, [[1e9, '\u00a0billion'], [1e6, '\u00a0million']]);
}

/** A count where room is short (a card's intended/collateral split): "4,068", "12.3k", "15.9m". */
function countShort(v: number): string {
  const a = Math.abs(v);
  if (Math.round(a) < 1e4) return Math.round(a).toLocaleString('en-GB');
  return inUnits(a, [[1e9, 'bn'], [1e6, 'm'], [1e3, 'k']]);
}

const utc = (iso: string) => {
  const d = new Date(iso);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const two = (n: number) => String(n).padStart(2, '0');
  return { day: `${d.getUTCDate()}`, month, year: `${d.getUTCFullYear()}`, time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` };
};

// ------------------------------------------------------------------ the test

describe('dashboard in Chromium (real engine, NotPetya fixture)', () => {
  let app: INestApplication;
  let base: string;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let assessmentId: string;
  let scenario: { asOf: string; horizonHours: number };
  const problems: string[] = [];
  /** Every /v1 request the page made (path and query), to check which routes it reads. */
  const requests: string[] = [];

  const get = async (path: string) => (await http.get(path).set(auth(keys.a.analyst)).expect(200)).body;

  /** One screenshot per part of the report (a full page is too tall to read): test/artifacts/sections/. */
  async function sectionShots(width: string) {
    mkdirSync(join(ARTIFACTS, 'sections'), { recursive: true });
    for (const part of ['report-head', 'headline', 'split-section', 'treemap-section', 'timeline-section', 'protected-section', 'warning-section', 'method-section']) {
      await page.locator(`main .${part}`).screenshot({ path: join(ARTIFACTS, 'sections', `${width}-${part}.png`) });
    }
  }

  /** The weapons list's collateral loss of one assessment is the list API's `headline`, worded as the report words ranges. */
  async function expectRowHeadline(id: string) {
    const item = (await get('/v1/assessments?weaponId=notpetya')).items.find((a: any) => a.id === id);
    const r = item.headline.collateral.lossUsd.total;
    const cell = page.locator(`table.assessments .headline-loss[data-assessment="${id}"]`);
    expect(Number(await cell.getAttribute('data-median'))).toBe(r.median);
    expect(Number(await cell.getAttribute('data-low'))).toBe(r.low);
    expect(Number(await cell.getAttribute('data-high'))).toBe(r.high);
    expect(await cell.locator('.mid').textContent()).toBe(money(r.median));
    const bounds = money(r.low) === money(r.high) ? money(r.low) : `${money(r.low)} – ${money(r.high)}`;
    expect(await cell.locator('.rng').textContent()).toBe(`${bounds}, ${Math.round(r.level * 100)}% range`);
    // The same figure as the assessment's own result.
    const full = await get(`/v1/assessments/${id}`);
    expect(r).toEqual(full.result.collateral.lossUsd.total);
  }

  /**
   * The headline cards' layout at the current width, one row per figure: how many lines it takes,
   * its height against its line height, and how far it reaches past its card's content box. The
   * big figure and each intended/collateral value and range must take one line inside the card;
   * in the range sentence ("between 13.7 million and 17.7 million, ...") the prose may wrap, a
   * figure may not ("17.7" at the end of a line, "million" on the next).
   */
  async function headlineLayout() {
    return page.$$eval('section.headline article.figure', (cards: any[]) => cards.flatMap((card) => {
      const box = card.getBoundingClientRect();
      const pad = getComputedStyle(card);
      const right = box.right - parseFloat(pad.paddingRight) - parseFloat(pad.borderRightWidth);
      /** Lines and right edge of a run of text (a whole element, or characters start..end of its text). */
      const measure = (el: any, start?: number, end?: number) => {
        const range = document.createRange();
        if (start === undefined) range.selectNodeContents(el);
        else { range.setStart(el.firstChild, start); range.setEnd(el.firstChild, end); }
        const rects = [...range.getClientRects()].filter((r: any) => r.width > 0);
        const cs = getComputedStyle(el);
        const lineHeight = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
        const tops = rects.map((r: any) => r.top).sort((a: number, b: number) => a - b);
        const lines = tops.filter((t: number, i: number) => i === 0 || t - tops[i - 1] > lineHeight / 2).length;
        const reach = Math.max(...rects.map((r: any) => r.right)) - right;
        return { lines, lineHeight, reach };
      };
      const metric = card.getAttribute('data-metric');
      const rows: any[] = [];
      const parts: Array<[string, any]> = [['big', card.querySelector('.big')]];
      for (const dd of card.querySelectorAll('.split dd')) {
        const scope = dd.getAttribute('data-scope');
        parts.push([`${scope} value`, dd.querySelector('.mid')], [`${scope} range`, dd.querySelector('.rng')]);
      }
      for (const [part, el] of parts) {
        if (!el) { rows.push({ metric, part, missing: true }); continue; }
        rows.push({ metric, part, text: el.textContent, height: el.getBoundingClientRect().height, ...measure(el) });
      }
      const sentence = card.querySelector('.sentence');
      const text: string = sentence.textContent;
      const m = /^between (.+) and (.+), most likely (.+);/.exec(text) || /^(.+) in every likely outcome/.exec(text);
      if (!m) rows.push({ metric, part: 'sentence', text, missing: true });
      let from = 0;
      for (const figure of m ? m.slice(1) : []) {
        const at = text.indexOf(figure, from);
        from = at + figure.length;
        rows.push({ metric, part: 'sentence figure', text: figure, ...measure(sentence, at, from) });
      }
      return rows;
    }));
  }

  /** Every headline figure on one line inside its card at `width` (the viewport set by the caller); a screenshot of the cards in test/artifacts/sections/. */
  async function expectHeadlineOnOneLine(width: number) {
    await page.locator('main .headline').screenshot({ path: join(ARTIFACTS, 'sections', `${width}-headline.png`) });
    const rows = await headlineLayout();
    // 4 cards, each a big figure, intended and collateral value and range, and three figures in the sentence.
    expect(rows.length).toBe(4 * 8);
    const bad = rows.filter((r) => r.missing || r.lines !== 1 || r.reach > 0.5 || (r.part !== 'sentence figure' && !(r.height < 1.5 * r.lineHeight)));
    expect({ width, bad }).toEqual({ width, bad: [] });
  }

  async function waitDone(id: string) {
    for (let i = 0; i < 600; i++) {
      const body = await get(`/v1/assessments/${id}`);
      if (body.status === 'done') return body;
      if (body.status === 'failed' || body.status === 'cancelled') throw new Error(`assessment ${body.status}: ${JSON.stringify(body.error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('assessment never finished');
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the dashboard test needs a real browser. Install it with \`bash .ci/browser\` (apt-get install -y chromium).`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    // Launch first: a missing or broken browser fails before the slower set-up.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    app = await createTestApp({ workerThreads: 1 });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    http = request(app.getHttpServer());
    keys = await seedKeys(app);

    // The fixture, with its reports, through the admin API.
    const loaded = await http.post('/v1/scenarios/load').set(auth(keys.admin)).send({ name: FIXTURE }).expect(201);
    expect(loaded.body).toMatchObject({ weaponId: 'notpetya', reports: expect.any(Number) });
    expect(loaded.body.reports).toBeGreaterThan(0);
    const meta = (await http.get('/v1/scenarios').set(auth(keys.admin)).expect(200)).body;
    expect(meta.map((f: any) => f.name)).toContain(FIXTURE);
    scenario = { asOf: '2017-06-28T12:00:00Z', horizonHours: 72 }; // fixtures/notpetya-2017/scenario.json

    // A real assessment on the real engine.
    const created = await http.post('/v1/assessments').set(auth(keys.a.analyst))
      .send({ weaponId: 'notpetya', asOf: scenario.asOf, horizonHours: scenario.horizonHours, runs: RUNS, seed: SEED }).expect(202);
    assessmentId = created.body.id;
    const done = await waitDone(assessmentId);
    writeFileSync(join(ARTIFACTS, 'dashboard-assessment.json'), JSON.stringify(done, null, 1));

    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/v1/')) requests.push(`${u.pathname}${u.search}`); });
    // Nothing may leave the app's origin.
    await context.route((url) => !url.href.startsWith(base), (route) => {
      problems.push(`external request: ${route.request().url()}`);
      return route.abort();
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the page and its assets, public and same-origin, without swallowing other routes', async () => {
    const index = await http.get('/').expect(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.text).toContain('/dashboard/vendor/d3-hierarchy.min.js');
    expect(index.text).not.toMatch(/https?:\/\//);
    await http.get('/dashboard/app.js').expect(200).expect('content-type', /javascript/);
    const d3 = await http.get('/dashboard/vendor/d3-hierarchy.min.js').expect(200);
    expect(d3.text).toContain('treemap');
    await http.get('/health').expect(200);
    const docs = await http.get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths).some((p) => p === '/' || p.startsWith('/dashboard'))).toBe(false);
    await http.get('/v1/weapons').expect(401);
    for (const path of ['/nothing-here', '/dashboard/missing.js', '/dashboard/format.d.ts', '/dashboard/%2e%2e/dashboard.module.ts', '/dashboard/..%2f..%2fpackage.json']) {
      const res = await http.get(path).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('signs in with an API key and lists the weapon with its fresh assessment', async () => {
    await page.goto(`${base}/`);
    // A script that does not load (syntax error, missing module) fails here, with the browser's words.
    await page.waitForSelector('#api-key', { timeout: 10_000 }).catch((err) => {
      throw new Error(`the sign-in form never appeared: ${problems.join('; ') || err.message}`);
    });
    await page.fill('#api-key', 'spo_not_a_key');
    await page.click('form.signin button[type=submit]');
    await page.waitForSelector('#signin-error:has-text("not accepted")');
    // The refused key's 401 is the one error the browser may log.
    const expected = problems.filter((p) => /status of 401/.test(p));
    expect(expected.length).toBeLessThanOrEqual(1);
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 401/.test(p)));
    await page.fill('#api-key', keys.a.analyst);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('table.assessments[data-weapon="notpetya"]');
    expect(await page.evaluate(() => sessionStorage.getItem('spillover.apiKey'))).toBe(keys.a.analyst);
    expect(await page.textContent('#weapon-notpetya')).toContain('NotPetya');
    expect(await page.textContent('table.assessments .badge-fresh')).toBe('fresh');
    await expectRowHeadline(assessmentId);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-weapons-1280.png'), fullPage: true });
  });

  it('starts a new assessment from the form and shows its progress until it is done', async () => {
    const form = page.locator('form.new-assessment[data-weapon="notpetya"]');
    await form.locator('input[name=horizonHours]').fill(String(scenario.horizonHours));
    await form.locator('input[name=asOf]').fill(scenario.asOf.slice(0, 16));
    await form.locator('input[name=runs]').fill('100');
    await form.locator('input[name=seed]').fill('11');
    await form.locator('button[type=submit]').click();
    await page.locator('table.assessments [role=progressbar]').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.assessments .badge-fresh').length === 2, null, { timeout: 40_000 });
    const list = (await get('/v1/assessments?weaponId=notpetya')).items;
    const mine = list.find((a: any) => a.inputs.seed === 11);
    expect(mine).toMatchObject({ status: 'done', inputs: { runs: 100, asOf: '2017-06-28T12:00:00.000Z', horizonHours: scenario.horizonHours } });
    // The row that finished while the page polled shows its headline too.
    await page.locator(`table.assessments .headline-loss[data-assessment="${mine.id}"]`).waitFor();
    await expectRowHeadline(mine.id);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-weapons-1280.png'), fullPage: true });
  });

  it('shows the headline figures the API computed, intended and collateral side by side', async () => {
    await page.goto(`${base}/#/assessments/${assessmentId}`);
    await page.waitForSelector('section.headline');
    const api = await get(`/v1/assessments/${assessmentId}`);
    for (const metric of ['entitiesInfected', 'entitiesDisrupted', 'lossUsd.total', 'populationAffected']) {
      for (const scope of ['total', 'intended', 'collateral']) {
        const r = metric.split('.').reduce((o, k) => o[k], api.result[scope]);
        const el = page.locator(`[data-metric="${metric}"] [data-scope="${scope}"]`);
        expect(Number(await el.getAttribute('data-median'))).toBe(r.median);
        expect(Number(await el.getAttribute('data-low'))).toBe(r.low);
        expect(Number(await el.getAttribute('data-high'))).toBe(r.high);
      }
    }
    const loss = api.result.total.lossUsd.total;
    expect(await page.textContent('[data-metric="lossUsd.total"] .big')).toBe(money(loss.median));
    expect(await page.textContent('[data-metric="lossUsd.total"] .sentence')).toBe(`between ${money(loss.low)} and ${money(loss.high)}, most likely ${money(loss.median)}; 90% range`);
    expect(await page.textContent('[data-metric="entitiesInfected"] .big')).toBe(Math.round(api.result.total.entitiesInfected.median).toLocaleString('en-GB'));
    // People in words on the card ("15.9 million", never split), the intended/collateral split in
    // the compact wording that fits half a card ("13.3m", "11.8m – 14.6m").
    const people = api.result.total.populationAffected;
    expect(await page.textContent('[data-metric="populationAffected"] .big')).toBe(count(people.median));
    expect(await page.textContent('[data-metric="populationAffected"] .sentence')).toBe(`between ${count(people.low)} and ${count(people.high)}, most likely ${count(people.median)}; 90% range`);
    for (const metric of ['entitiesInfected', 'entitiesDisrupted', 'lossUsd.total', 'populationAffected']) {
      const f = metric === 'lossUsd.total' ? money : countShort;
      for (const scope of ['intended', 'collateral']) {
        const r = metric.split('.').reduce((o, k) => o[k], api.result[scope]);
        const dd = page.locator(`[data-metric="${metric}"] dd[data-scope="${scope}"]`);
        expect(await dd.locator('.mid').textContent()).toBe(f(r.median));
        expect(await dd.locator('.rng').textContent()).toBe(f(r.low) === f(r.high) ? f(r.low) : `${f(r.low)} – ${f(r.high)}`);
      }
    }
    // The collateral share sentence is the API's collateral / total expected loss.
    const share = Math.round((100 * api.result.collateral.lossUsd.total.mean) / api.result.total.lossUsd.total.mean);
    expect(await page.textContent('section.headline .lede')).toContain(`${share}%`);
  });

  it('draws one treemap rectangle per non-empty node of the shown level, and zooms', async () => {
    const rows = (await get(`/v1/assessments/${assessmentId}/entities?collateral=true&sort=loss&limit=10000`)).items;
    const collateral = rows.filter((r: any) => r.collateral && r.expectedLossUsd > 0);
    expect(collateral.length).toBeGreaterThan(0);
    const lossBy = (key: (r: any) => string, within: any[]) => {
      const m = new Map<string, number>();
      for (const r of within) m.set(key(r), (m.get(key(r)) ?? 0) + r.expectedLossUsd);
      return [...m.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    };
    const countries = lossBy((r) => r.country || 'unknown', collateral);
    const rects = page.locator('svg.treemap rect.cell-rect');
    await rects.first().waitFor();
    expect(await page.getAttribute('svg.treemap', 'data-depth')).toBe('0');
    const shown = await page.$$eval('svg.treemap .cell', (gs) => gs.map((g) => g.getAttribute('data-id')));
    // Every country with collateral loss; no "withheld" area: the fixture has no restricted (AMBER+STRICT, RED) reports.
    expect(shown.sort()).toEqual(countries.map(([c]) => `world/country:${c}`).sort());
    expect(await rects.count()).toBe(shown.length);

    // Zoom into the largest country with a click: its sectors.
    const [topCountry] = countries[0];
    await page.click(`svg.treemap .cell[data-id="world/country:${topCountry}"]`);
    await page.waitForSelector('svg.treemap[data-depth="1"]');
    const sectors = lossBy((r) => r.sector || 'unknown', collateral.filter((r: any) => (r.country || 'unknown') === topCountry));
    expect(await rects.count()).toBe(sectors.length);
    expect(await page.textContent('.breadcrumb')).toContain('World');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-treemap-zoomed.png') });

    // Out with Escape, in again with the keyboard.
    await page.keyboard.press('Escape');
    await page.waitForSelector('svg.treemap[data-depth="0"]');
    expect(await rects.count()).toBe(shown.length);
    await page.focus(`svg.treemap .cell[data-id="world/country:${topCountry}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('svg.treemap[data-depth="1"]');
    await page.click('.breadcrumb button:has-text("World")');
    await page.waitForSelector('svg.treemap[data-depth="0"]');

    // The colours come from the probability: a legend.
    expect(await page.locator('.legend svg linearGradient stop').count()).toBeGreaterThan(2);
    // The icicle shows the same tree and drives the treemap.
    expect(await page.locator('svg.partition .band').count()).toBeGreaterThan(countries.length);
    await page.click(`svg.partition .band[data-id="world/country:${topCountry}"]`);
    await page.waitForSelector('svg.treemap[data-depth="1"]');
  });

  it('labels countries and sectors with the range of their collateral loss from the rollup, organisations with their expected loss', async () => {
    // The API's rollup of the collateral part, read with the page's key, as the brief words it
    // (the page reads it without the organisation level: the ranges are the same).
    const rollup = (await get(`/v1/assessments/${assessmentId}/rollup?levels=country,sector,organization&collateral=true`)).root;
    writeFileSync(join(ARTIFACTS, 'dashboard-rollup.json'), JSON.stringify(rollup, null, 1));
    const level = (await get(`/v1/assessments/${assessmentId}`)).inputs.confidenceLevel;
    const pct = `${Math.round(level * 100)}% range`;
    const byLoss = (nodes: any[]) => nodes.filter((n) => n.expected.lossUsd > 0).sort((a, b) => b.expected.lossUsd - a.expected.lossUsd);
    /** What the page must say of a country or sector with a range, computed here from the rollup alone. */
    const words = (n: any) => {
      const r = n.ranges.lossUsd;
      expect(r.level).toBe(level);
      const ends = money(r.low) === money(r.high) ? null : `${money(r.low)} – ${money(r.high)}`;
      const range = ends ? `most likely ${money(r.median)} (${ends}, ${pct})` : `${money(r.median)} in every likely outcome (${pct})`;
      return `collateral loss: ${range}; expected ${money(n.expected.lossUsd)}`;
    };
    const cell = (id: string) => page.locator(`svg.treemap .cell[data-id="${id}"]`);
    /** The area's tooltip, its accessible name, its icicle band's tooltip and its row in the table alternative. */
    async function expectArea(id: string, text: string) {
      const title = await cell(id).locator('title').textContent();
      expect(title).toContain(`, ${text}. `);
      expect(await cell(id).getAttribute('aria-label')).toBe(title);
      expect(await page.locator(`svg.partition .band[data-id="${id}"] > title`).textContent()).toContain(`, ${text}. `);
      return title!;
    }

    await page.click('.breadcrumb button:has-text("World")');
    await page.waitForSelector('svg.treemap[data-depth="0"]');
    const countries = byLoss(rollup.children.filter((c: any) => c.level === 'country' && c.ranges));
    expect(countries.length).toBeGreaterThanOrEqual(3);
    const table = page.locator('section.treemap-section table.treemap-table');
    const rowOf = (name: string) => table.locator('tbody tr').filter({ has: page.locator('th', { hasText: name }) });
    for (const c of countries.slice(0, 3)) {
      const id = `world/country:${c.key}`;
      const title = await expectArea(id, words(c));
      const name = title.slice(0, title.indexOf(', collateral loss'));
      // The figures drawn in the rectangle: the most likely value, then the range when there is room.
      const r = c.ranges.lossUsd;
      expect([`${money(r.median)} most likely`, money(r.median)]).toContain(await cell(id).locator('.cell-value').textContent());
      if (await cell(id).locator('.cell-range').count()) {
        const ends = `${money(r.low)} – ${money(r.high)}`;
        expect([`${ends}, ${pct}`, ends]).toContain(await cell(id).locator('.cell-range').textContent());
      }
      // The table alternative: most likely with its range, and the expected value.
      const cells = await rowOf(name).locator('td').allTextContents();
      expect(cells.slice(0, 2)).toEqual([`${money(r.median)} (${money(r.low)} – ${money(r.high)}, ${pct})`, money(c.expected.lossUsd)]);
    }
    // The largest areas in the chart's text description, with their ranges.
    expect(await page.textContent('svg.treemap desc')).toContain(words(countries[0]));
    await page.click('section.treemap-section .alt-table summary');
    await page.locator('main .treemap-section').screenshot({ path: join(ARTIFACTS, 'dashboard-treemap-ranges-world.png') });
    await page.click('section.treemap-section .alt-table summary');

    // The sectors of the largest country, zoomed by keyboard.
    const top = countries[0];
    await page.focus(`svg.treemap .cell[data-id="world/country:${top.key}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('svg.treemap[data-depth="1"]');
    const sectors = byLoss(top.children.filter((c: any) => c.level === 'sector' && c.ranges));
    expect(sectors.length).toBeGreaterThanOrEqual(2);
    for (const sct of sectors.slice(0, 3)) await expectArea(`world/country:${top.key}/sector:${sct.key}`, words(sct));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-treemap-ranges.png') });

    // Organisations: their expected loss (the rollup's organisation node), and no range.
    const sector = sectors[0];
    await page.click(`svg.treemap .cell[data-id="world/country:${top.key}/sector:${sector.key}"]`);
    await page.waitForSelector('svg.treemap[data-depth="2"]');
    const [org] = byLoss(sector.children.filter((c: any) => c.level === 'organization'));
    const orgTitle = await cell(`world/country:${top.key}/sector:${sector.key}/organization:${org.key}`).locator('title').textContent();
    expect(orgTitle).toContain(`, collateral loss: expected ${money(org.expected.lossUsd)} (organisations have expected values only, no range). `);
    expect(orgTitle).not.toContain('most likely');
    expect(await page.textContent('section.treemap-section table.treemap-table caption')).toContain('organisations: expected values only');
    expect(await table.locator('thead th').allTextContents()).not.toContain('Collateral loss, most likely (range)');
    await page.keyboard.press('Escape');
    await page.waitForSelector('svg.treemap[data-depth="1"]');

    // The rollup is read once, with the page; zooming asks the API nothing.
    expect(requests.filter((r) => r.includes('/rollup'))).toEqual([`/v1/assessments/${assessmentId}/rollup?levels=country,sector&collateral=true`]);
  });

  it('draws the timeline with its band, the reported points and the assessment time and horizon', async () => {
    const api = await get(`/v1/assessments/${assessmentId}/timeline`);
    expect(api.points.length).toBeGreaterThan(2);
    const band = await page.getAttribute('svg.timeline path.band', 'd');
    expect(band && band.length).toBeGreaterThan(20);
    expect(await page.locator('svg.timeline path.line').count()).toBe(1);
    // One point each time the API's count of reported entities rises.
    const rises = api.points.filter((p: any, i: number) => p.reported > (i ? api.points[i - 1].reported : 0)).length;
    expect(await page.locator('svg.timeline-reported circle.reported').count()).toBe(rises);
    // The reported points have a scale of their own, so they are readable beside thousands of
    // estimated infections: from the first to the last they climb most of their panel's height.
    const ys = (await page.locator('svg.timeline-reported circle.reported').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cy'))))) as number[];
    const panelHeight = Number(await page.getAttribute('svg.timeline-reported', 'height'));
    expect(rises).toBeGreaterThan(1);
    expect((Math.max(...ys) - Math.min(...ys)) / panelHeight).toBeGreaterThan(0.5);
    expect(await page.locator('svg.timeline circle.reported').count()).toBe(0);
    expect(await page.locator('svg.timeline .marker-asof').count()).toBe(1);
    expect(await page.locator('svg.timeline .marker-horizon').count()).toBe(1);
    expect(await page.textContent('svg.timeline desc')).toMatch(/reported/);
  });

  it('lists protected hits with their norms, the early warning (window selectable) and the method with data freshness', async () => {
    const api = await get(`/v1/assessments/${assessmentId}`);
    const hits = api.result.protectedHits;
    const protectedRows = page.locator('table.protected-table tbody tr');
    if (hits.length) {
      // Ranked by risk: the entities whose fate is open, most likely first; known hits (p >= 0.995,
      // mostly reported) are named apart, not rows of 100%.
      const open = hits.filter((x: any) => x.probability < 0.995).sort((a: any, b: any) => b.probability - a.probability);
      expect(await protectedRows.count()).toBe(Math.min(open.length, 25));
      if (open.length) {
        const first = await protectedRows.first().locator('th').textContent();
        expect(open.filter((x: any) => x.probability === open[0].probability).map((x: any) => x.name)).toContain(first);
      }
      const known = hits.filter((x: any) => x.probability >= 0.995);
      if (known.length) {
        const sentence = (await page.textContent('section.protected-section p.protected-known')) ?? '';
        expect(known.filter((x: any) => sentence.includes(x.name)).length).toBeGreaterThanOrEqual(Math.min(known.length, 12));
      }
      expect(await protectedRows.locator('td', { hasText: /^100%$/ }).count()).toBe(0);
      const norms = [...new Set(hits.flatMap((x: any) => x.norms))] as string[];
      const text = await page.textContent('section.protected-section');
      for (const n of norms) expect(text).toContain(n);
    }

    // Early warning: 72 hours by default, then another window from the select.
    const w72 = await get(`/v1/assessments/${assessmentId}/early-warning?withinHours=72&limit=15`);
    const warningRows = page.locator('table.warning-table tbody tr');
    expect(await warningRows.count()).toBe(w72.items.length);
    expect(await warningRows.first().locator('th').textContent()).toBe(w72.items[0].name);
    await page.selectOption('#warning-window', '24');
    await page.waitForSelector('table.warning-table[data-within-hours="24"]');
    const w24 = await get(`/v1/assessments/${assessmentId}/early-warning?withinHours=24&limit=15`);
    expect(await warningRows.count()).toBe(w24.items.length);
    expect(await page.textContent('section.warning-section caption')).toContain('24 hours');
    // Collateral only: the API's filter, the window kept. The core keeps the entities most at risk
    // of each part, so NotPetya's collateral list is not crowded out by its Ukrainian targets.
    await page.check('#warning-collateral');
    for (const hrs of [24, 168]) {
      if (hrs !== 24) await page.selectOption('#warning-window', String(hrs));
      await page.waitForSelector(`section.warning-section [data-within-hours="${hrs}"][data-collateral="true"]`);
      const only = await get(`/v1/assessments/${assessmentId}/early-warning?withinHours=${hrs}&limit=15&collateral=true`);
      expect(only.items.every((x: any) => x.collateral)).toBe(true);
      if (hrs === 168) expect(only.items.length).toBeGreaterThan(0);
      expect(await warningRows.locator('th').allTextContents()).toEqual(only.items.map((x: any) => x.name));
      expect(await warningRows.locator('.tag-collateral').count()).toBe(only.items.length);
      if (!only.items.length) expect(await page.textContent('section.warning-section .warning-body')).toContain('No unreported collateral entity');
      expect(await page.textContent('section.warning-section .muted')).toContain('Collateral organisations');
    }
    // One request per choice, for the rows shown: no second, longer list to explain a short one.
    const warningRequests = requests.filter((r) => r.includes('/early-warning'));
    expect(warningRequests.length).toBeGreaterThanOrEqual(4);
    expect(warningRequests.filter((r) => new URL(r, base).searchParams.get('limit') !== '15')).toEqual([]);
    const method = (await page.textContent('section.method-section')) ?? '';
    expect(method).toContain(String(RUNS));
    expect(method).toContain(String(api.inputs.seed));
    expect(method).toContain('Effective sample size');
    // the sampler's name is folded away as a technical detail, not in the panel's words
    expect(await page.isVisible('section.method-section details.method-technical > p')).toBe(false);
    // Data freshness: the assessment's own `inputs.latestReportAt` (and when it was filed), read
    // with the assessment; the page no longer asks /v1/reports for the newest report used.
    expect(api.inputs.latestReportAt).toEqual(expect.any(String));
    expect(api.inputs.latestReportFiledAt).toEqual(expect.any(String));
    const freshness = (await page.textContent('[data-method="freshness"] dd')) ?? '';
    const at = utc(api.inputs.latestReportAt);
    const filed = utc(api.inputs.latestReportFiledAt);
    expect(freshness).toContain(`observed ${at.day} ${at.month} ${at.year}`);
    expect(freshness).toMatch(new RegExp(`^observed [^,]+,? ${at.time} UTC, filed ${filed.day} ${filed.month} ${filed.year},? ${filed.time} UTC`));
    expect(requests.filter((r) => r.startsWith('/v1/reports') && r.includes('until='))).toEqual([]);
  });

  it('fits 1280x800 and a narrow screen, and prints as an A4 report', async () => {
    await page.evaluate(() => document.scrollingElement.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-assessment-1280.png'), fullPage: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-assessment-1280-fold.png') });
    await sectionShots('1280');
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // The headline cards' figures and ranges on one line each: at 1280, and at the narrow ends of
    // the cards' layouts (four a row down to 1181 px, two down to 641 px, then one).
    await expectHeadlineOnOneLine(1280);
    for (const width of [1181, 1024, 768, 641, 561]) {
      await page.setViewportSize({ width, height: 800 });
      await expectHeadlineOnOneLine(width);
    }

    // Narrow: the same tab (the key is per tab, in sessionStorage), re-rendered at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('svg.treemap rect.cell-rect');
    await page.waitForSelector('svg.timeline');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(Number(await page.getAttribute('svg.treemap', 'width'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-assessment-390.png'), fullPage: true });
    await sectionShots('390');
    await expectHeadlineOnOneLine(390);
    await page.setViewportSize({ width: 320, height: 700 });
    await expectHeadlineOnOneLine(320);

    await page.setViewportSize({ width: 1280, height: 800 });
    // The marking: the server's (the briefing's X-TLP), on the page and on every printed page.
    const marking = (await http.head(`/v1/assessments/${assessmentId}/briefing.html`).set(auth(keys.a.analyst)).expect(200)).headers['x-tlp'];
    expect(marking).toMatch(/^TLP:(CLEAR|GREEN|AMBER|AMBER\+STRICT|RED)$/);
    await page.waitForFunction((t: string) => `TLP:${String(document.documentElement.dataset.tlp).toUpperCase()}` === t, marking);
    expect(await page.textContent('.report-head .tlp-mark')).toBe(marking);
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('header.site')).toBe(false);
    expect(await page.locator('form:visible, button:visible, select:visible').count()).toBe(0);
    expect(await page.isVisible('.report-head .printed')).toBe(true);
    const headings = (await page.locator('main h1:visible, main h2:visible, main h3:visible').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const pdf = await page.pdf({ path: join(ARTIFACTS, 'dashboard-report.pdf'), format: 'A4', printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    const pages = pdfPages(pdf);
    writeFileSync(join(ARTIFACTS, 'dashboard-report-pages.json'), JSON.stringify(pages, null, 1));
    expect(pages.length).toBeLessThanOrEqual(4);
    pages.forEach((p, i) => {
      const where = `page ${i + 1} of ${pages.length}`;
      // A4 (595.28 x 841.89 pt; Chromium rounds it to 8.27 x 11.7 in)
      expect({ where, a4: Math.abs(p.width - 595.28) < 2 && Math.abs(p.height - 841.89) < 2 }).toEqual({ where, a4: true });
      // header and footer (the page's margin boxes)
      expect({ where, labels: p.text.split(marking).length - 1 }).toEqual({ where, labels: 2 });
      expect({ where, numbered: p.text.includes(`Page ${i + 1} of ${pages.length}`) }).toEqual({ where, numbered: true });
      // the page's own content, without the margin boxes: more than a footer, and not ending in a heading
      const body = p.text.split(marking).join(' ').replace(/Spillover report \S Page \d+ of \d+/, ' ').replace(/^Spillover /, ' ').replace(/\s+/g, ' ').trim();
      expect({ where, moreThanMarkings: body.length > 200 }).toEqual({ where, moreThanMarkings: true });
      expect({ where, endsWithHeading: headings.filter((hd) => body.endsWith(hd)) }).toEqual({ where, endsWithHeading: [] });
    });
    expect(pages.map((p) => p.text).join(' ')).toContain('How bad is it');

    // The server's briefing from the page: fetched with the key in the Authorization header (no
    // key in any URL) and opened as a PDF to print.
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('.briefing-controls button.briefing-open')]);
    expect(popup.url()).toMatch(/^blob:/);
    await popup.close();
    expect(requests.filter((r) => r.includes('/briefing.pdf'))).toEqual([`/v1/assessments/${assessmentId}/briefing.pdf`]);
    expect(requests.filter((r) => Object.values(keys.a).some((k) => r.includes(k)))).toEqual([]);

    // Headless Chromium printing the assessment's URL has no key (it lives in the tab's
    // sessionStorage): it prints the sign-in page, which names the server's briefing route.
    const fresh = await browser.newContext();
    const anonymous = await fresh.newPage();
    await anonymous.goto(`${base}/#/assessments/${assessmentId}`);
    await anonymous.waitForSelector('#api-key');
    await anonymous.emulateMedia({ media: 'print' });
    const signInText = pdfPages(await anonymous.pdf({ path: join(ARTIFACTS, 'dashboard-print-without-key.pdf'), format: 'A4' })).map((p) => p.text).join(' ');
    // (spaces aside: pdf.js splits ligatures and wrapped lines)
    const squeeze = (t: string) => t.replace(/\s+/g, '');
    expect(squeeze(signInText)).toContain(squeeze(`GET /v1/assessments/${assessmentId}/briefing.pdf with the header Authorization: Bearer <API key>`));
    expect(signInText).not.toMatch(/TLP:/);
    await fresh.close();
  });

  it('at 390 px: the weapons list keeps each collateral loss beside its label, and the new-assessment form cuts nothing off', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/`);
    const cell = page.locator(`table.assessments .headline-loss[data-assessment="${assessmentId}"]`);
    await cell.waitFor();
    // the label is the cell's ::before: the figure's first line must be the label's line
    const offset = await cell.evaluate((el: any) => {
      const td = el.closest('td');
      const label = parseFloat(getComputedStyle(td).paddingTop) + td.getBoundingClientRect().top;
      return el.querySelector('.mid').getBoundingClientRect().top - label;
    });
    expect(Math.abs(offset)).toBeLessThan(4);
    const form = page.locator('form.new-assessment[data-weapon="notpetya"]');
    await form.scrollIntoViewIfNeeded();
    const fit = await form.locator('select[name=model]').evaluate((el: any) => {
      const cs = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const text = el.options[el.selectedIndex].textContent;
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20; // the arrow
      const box = el.getBoundingClientRect();
      const formBox = el.closest('form').getBoundingClientRect();
      return { text, fits: ctx.measureText(text).width <= room, inside: box.right <= formBox.right + 0.5 && box.left >= formBox.left - 0.5 };
    });
    expect(fit).toEqual({ text: expect.any(String), fits: true, inside: true });
    // the whole name is said below it
    expect(await form.locator('.model-help').textContent()).not.toBe('');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-weapons-390.png'), fullPage: true });
    await form.screenshot({ path: join(ARTIFACTS, 'dashboard-form-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('says the range is not available for a group whose range the rollup withholds (an entity known only from another organisation\'s RED report)', async () => {
    // Last: the report makes the assessments above stale. Organisation B files the only report of
    // a Danish financial-services organisation as RED; for organisation A's analyst it is hidden
    // with its suppression group (src/results/suppression.ts): its (Denmark, financial services) cell
    // when the cell holds five entities the reader could difference, else Denmark; the group's
    // entities sit in one `withheld` node without range.
    const hidden = 'partner-0174';
    await http.post('/v1/reports').set(auth(keys.b.responder))
      .send({ weaponId: 'notpetya', entityId: hidden, observedAt: '2017-06-28T06:00:00Z', status: 'confirmed', tlp: 'red' }).expect(201);
    const created = await http.post('/v1/assessments').set(auth(keys.a.analyst))
      .send({ weaponId: 'notpetya', asOf: scenario.asOf, horizonHours: scenario.horizonHours, runs: RUNS, seed: SEED }).expect(202);
    const id = created.body.id;
    await waitDone(id);
    const listed = (await get(`/v1/assessments/${id}/entities?collateral=true&sort=loss&limit=10000`)).items;
    expect(listed.map((r: any) => r.entityId)).not.toContain(hidden);
    const rollup = (await get(`/v1/assessments/${id}/rollup?levels=country,sector,organization&collateral=true`)).root;
    writeFileSync(join(ARTIFACTS, 'dashboard-rollup-withheld.json'), JSON.stringify(rollup, null, 1));
    const dk = rollup.children.find((c: any) => c.level === 'country' && c.key === 'DK');
    const wholeCountry = dk.children.some((c: any) => c.withheld);
    const cell = dk.children.find((c: any) => c.level === 'sector' && c.key === 'financial-services');
    const finance = wholeCountry ? dk.children.find((c: any) => c.withheld) : cell?.children?.find((c: any) => c.withheld);
    expect(finance).toMatchObject({ key: 'withheld' });
    expect(finance.ranges ?? null).toBeNull();
    expect(finance.count).toBeGreaterThanOrEqual(5);
    // The withheld group still has a loss; Denmark counts it all and keeps its range.
    expect(finance.expected.lossUsd).toBeGreaterThan(0);
    expect(dk.ranges).not.toBeNull();

    await page.goto(`${base}/#/assessments/${id}`);
    await page.waitForSelector('svg.treemap rect.cell-rect');
    // The treemap draws what the reader may not see as one grey area at the world level when it
    // is more than 0.5% of the collateral loss (model.js collateralTree): Denmark, when withheld
    // whole, has no area of its own.
    const collateralMean = (await get(`/v1/assessments/${id}`)).result.collateral.lossUsd.total.mean;
    const withheldLoss = collateralMean - listed.reduce((sum: number, r: any) => sum + r.expectedLossUsd, 0);
    const area = page.locator('svg.treemap .cell[data-id="world/withheld"] > title');
    if (withheldLoss > 0.005 * Math.max(1, collateralMean)) {
      const title = await area.textContent();
      expect(title).toContain('(entities whose reports you may not see; no range)');
      expect(title).not.toContain('most likely');
    } else {
      expect(await area.count()).toBe(0);
    }
    expect(await page.locator('svg.treemap .cell[data-id="world/country:DK"]').count()).toBe(wholeCountry ? 0 : 1);
    // The table alternative open, to see the wording: test/artifacts/dashboard-treemap-withheld.png.
    await page.click('section.treemap-section .alt-table summary');
    await page.locator('main .treemap-section').screenshot({ path: join(ARTIFACTS, 'dashboard-treemap-withheld.png') });
  });

  it('shows the norm compliance card (a counterfactual on the assessment\'s runs) with the API\'s avoided ranges', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}/#/assessments/${assessmentId}`);
    await page.click('section.norm-compliance button.norm-compute');
    await page.waitForSelector('section.norm-compliance table.norm-table', { timeout: 170_000 });
    const cf = await get(`/v1/assessments/${assessmentId}/counterfactual?honour=${encodeURIComponent('13(f),13(k)')}`);
    const r = cf.avoided.collateralLossUsd;
    expect(await page.textContent('section.norm-compliance .norm-avoided-loss')).toBe(`${money(r.median)} (${money(r.low)} to ${money(r.high)})`);
    expect(r.low).toBeGreaterThanOrEqual(0);
    expect(cf.counterfactual.protectedHits).toMatchObject({ low: 0, median: 0, high: 0 });
    expect(await page.locator('table.norm-table tbody tr').count()).toBe(3);
    mkdirSync(join(ARTIFACTS, 'sections'), { recursive: true });
    await page.locator('main section.norm-compliance').screenshot({ path: join(ARTIFACTS, 'sections', '1280-norm-compliance.png') });
  }, 360_000);

  it('draws the exceedance curves with their bands, a table, and says a typed threshold as about 1 in N', async () => {
    await page.waitForSelector('section.exceedance-section svg path.curve', { timeout: 300_000 });
    expect(await page.locator('section.exceedance-section svg path.curve').count()).toBe(2);
    expect(await page.locator('section.exceedance-section svg polygon.band').count()).toBe(2);
    expect(await page.locator('table.exceedance-rows tbody tr').count()).toBeGreaterThan(0);
    await page.fill('#exceed-threshold', '500');
    await page.click('form.exceedance-form button[type=submit]');
    const api = await get(`/v1/assessments/${assessmentId}/exceedance?part=collateral&thresholdUsd=500000000`);
    await page.waitForFunction((w: string) => document.querySelector('.exceedance-answer')?.textContent === w, api.curves[0].threshold.oneIn.wording);
    expect(api.curves[0].threshold.oneIn.wording).toMatch(/\$500m/);
    await page.locator('main section.exceedance-section').screenshot({ path: join(ARTIFACTS, 'sections', '1280-exceedance.png') });
  });

  it('compares the weapon\'s assessments as an asOf series', async () => {
    await page.goto(`${base}/#/weapons/notpetya/compare`);
    await page.waitForSelector('table.compare-table tbody tr', { timeout: 300_000 });
    const series = (await http.get('/v1/weapons/notpetya/assessment-series').set(auth(keys.a.analyst)).expect(200)).body;
    expect(series.items.length).toBeGreaterThanOrEqual(1);
    expect(await page.locator('table.compare-table tbody tr').count()).toBe(series.items.length);
    expect(await page.locator('svg.compare-svg circle.series-median').count()).toBe(series.items.length);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-compare-1280.png'), fullPage: true });
  });

  it('defaults asOf to the newest report of a weapon quiet for 30 days, and warns when the forecast runs far past it', async () => {
    await page.goto(`${base}/#/`);
    const form = page.locator('form.new-assessment[data-weapon="notpetya"]');
    const newest = (await get('/v1/reports?weaponId=notpetya&limit=1')).items[0].observedAt;
    await page.waitForFunction(() => !!document.querySelector('form.new-assessment[data-weapon="notpetya"] input[name=asOf]')?.value);
    expect(await form.locator('input[name=asOf]').inputValue()).toBe(new Date(newest).toISOString().slice(0, 16));
    expect(await form.locator('.asof-help').textContent()).toMatch(/No report in the last 30 days/);
    expect(await form.locator('.forecast-reach').isHidden()).toBe(true);
    await form.locator('input[name=horizonHours]').fill('8760');
    await form.locator('.forecast-reach').waitFor();
    expect(await form.locator('.forecast-reach').textContent()).toMatch(/^The forecast runs 365 days past the newest report/);
    await form.screenshot({ path: join(ARTIFACTS, 'dashboard-form-reach.png') });
  });

  it('gives a responder a view of their own: file a report, see their organisation\'s reports and their entities in the early warning', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => problems.push(`responder page error: ${e.message}`));
    // the one error expected: the 403 of the assessments list that sends a responder's key to its own view
    p.on('console', (m) => { if (m.type() === 'error' && !/status of 403/.test(m.text())) problems.push(`responder console: ${m.text()}`); });
    await p.goto(`${base}/`);
    await p.fill('#api-key', keys.b.responder);
    await p.locator('form button[type=submit]').first().click();
    await p.waitForSelector('form.report-form');
    expect(await p.textContent('h1')).toBe('File a spread report');
    // The early warning the responder gets is of the weapon's newest finished assessment; the
    // entity org-b reports is the one that assessment finds most at risk, reported after its
    // asOf (so still unreported there): it must then be among org-b's entities at risk.
    const mineUrl = '/v1/weapons/notpetya/early-warning/mine?withinHours=72&limit=50';
    const before = (await http.get(mineUrl).set(auth(keys.b.responder)).expect(200)).body;
    expect(before.assessmentId).toEqual(expect.any(String));
    await p.waitForSelector(`section.my-warning [data-assessment="${before.assessmentId}"]`);
    const all = (await http.get(`/v1/assessments/${before.assessmentId}/early-warning?withinHours=72&limit=50`).set(auth(keys.b.analyst)).expect(200)).body;
    const entity = all.items.find((x: any) => !before.items.some((m: any) => m.entityId === x.entityId)).entityId;
    await p.selectOption('#r-weaponId', 'notpetya');
    await p.fill('#r-entityId', entity);
    await p.fill('#r-observedAt', '2017-06-30T10:00');
    await p.click('form.report-form button[type=submit]');
    await p.waitForFunction(() => /^Filed: report /.test(document.querySelector('.report-result')?.textContent || ''));
    // the list of every visible report shown at sign-in is replaced by the organisation's own
    await p.waitForFunction(() => [...document.querySelectorAll('h2')].some((e) => e.textContent?.startsWith('Your organisation')));
    await p.waitForSelector('table.report-list tbody tr');
    const rows = await p.locator('table.report-list tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('org-b'))).toBe(true);
    // "Early warning for your entities": the server's answer for the key's organisation, now with the entity filed
    const after = (await http.get(mineUrl).set(auth(keys.b.responder)).expect(200)).body;
    expect(after.items.map((x: any) => x.entityId)).toContain(entity);
    const table = p.locator('table.my-warning-table tbody tr');
    await p.waitForFunction((n: number) => document.querySelectorAll('table.my-warning-table tbody tr').length === n, after.items.length);
    expect(await table.locator('th').allTextContents()).toEqual(after.items.map((x: any) => x.name));
    // the analyst's mine=true on the same assessment agrees (the organisation comes from the key)
    const analystMine = (await http.get(`/v1/assessments/${after.assessmentId}/early-warning?withinHours=72&limit=50&mine=true`).set(auth(keys.b.analyst)).expect(200)).body;
    expect(analystMine.items.map((x: any) => x.entityId)).toEqual(after.items.map((x: any) => x.entityId));
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-responder-390.png'), fullPage: true });
    await p.locator('section.my-warning').screenshot({ path: join(ARTIFACTS, 'sections', '390-responder-early-warning.png') });
    await ctx.close();
  });

  it('loaded nothing from outside and raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
