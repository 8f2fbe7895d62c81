/**
 * The policymakers' dashboard in a real browser: Debian's Chromium driven by playwright-core
 * against the real app on a free port. The scenario (a NotPetya-shaped weapon and its
 * organisations) goes in through the API, the assessment is started through the API, and the
 * page must show exactly what the API computed.
 *
 * The simulation core is not bound to the job runner yet (src/assessments/engine-binding.ts
 * answers 503), and spread reports are not stored yet: until they are, the engine is a
 * deterministic stand-in whose outputs are consistent (totals = intended + collateral, the
 * per-entity losses add up to the summary), and the reports come from the evidence source.
 * Everything between the engine and the browser (jobs, storage, views, HTTP) is the real code.
 *
 * Fails, never skips, when Chromium is missing: install it with `bash .ci/browser`.
 */
import { INestApplication } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import type { AssessmentInput } from '../../src/assessments/assessment.entity';
import { EvidenceSource } from '../../src/assessments/evidence-source';
import type { EngineOutput, Range } from '../../src/assessments/result-types';
import type { EvidenceReport, ScenarioSnapshot } from '../../src/assessments/scenario-snapshot';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { APP_CONFIG } from '../../src/config/app-config';
import { ENGINE_BINDING, EngineBinding, RunOptions } from '../../src/jobs/monte-carlo-runner';
import { auth, Keys, request, resetPostgres, seedKeys, testConfig } from './support/app';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const document: any;
declare const sessionStorage: any;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const ARTIFACTS = join(__dirname, '..', 'artifacts');

jest.setTimeout(60_000);

// ------------------------------------------------------------------ the scenario

const COUNTRIES: Record<string, string[]> = {
  UA: ['financial-services', 'government-facilities', 'energy'],
  DK: ['transportation-systems'],
  US: ['healthcare-and-public-health', 'food-and-agriculture', 'critical-manufacturing'],
  GB: ['communications', 'critical-manufacturing'],
  DE: ['transportation-systems', 'chemical'],
  FR: ['critical-manufacturing'],
  RU: ['energy'],
};

function scenarioEntities() {
  const rows: Array<Record<string, unknown>> = [];
  for (const [country, sectors] of Object.entries(COUNTRIES)) {
    sectors.forEach((sector, s) => {
      for (let i = 0; i < 2 + ((s + country.length) % 3); i++) {
        const id = `${country.toLowerCase()}-${sector}-${i}`;
        rows.push({ id, name: `${country} ${sector.replace(/-/g, ' ')} ${i + 1}`, kind: 'organization', country, sector, hosts: 200 + 50 * i, dailyValueUsd: 2e6 * (i + 1), populationServed: 10_000 * (i + 1), tags: ['windows'] });
      }
    });
  }
  // A multinational with a site abroad: the site counts under its own country, inside its organisation.
  rows.push({ id: 'dk-maersk', name: 'A.P. Moller-Maersk', kind: 'organization', country: 'DK', sector: 'transportation-systems', hosts: 49_000, dailyValueUsd: 1e8, populationServed: 0, tags: ['windows', 'medoc'] });
  rows.push({ id: 'dk-maersk-odesa', name: 'Maersk Odesa terminal', kind: 'site', parentId: 'dk-maersk', country: 'UA', sector: 'transportation-systems', hosts: 300, dailyValueUsd: 4e5, populationServed: 0, tags: ['windows'] });
  rows.push({ id: 'cert-ua', name: 'CERT-UA', kind: 'csirt', country: 'UA', sector: 'government-facilities', hosts: 40, dailyValueUsd: 1e4, populationServed: 0, tags: ['windows'] });
  return rows;
}

const WEAPON = {
  id: 'notpetya',
  name: 'NotPetya',
  aliases: ['ExPetr', 'Nyetya'],
  payload: 'wiper',
  vectors: {
    'supply-chain': { transmissibility: { low: 0.6, high: 0.95 }, delayHours: { low: 1, high: 6 } },
    network: { transmissibility: { low: 0.2, high: 0.6 }, delayHours: { low: 0.1, high: 2 } },
  },
  requiredTags: ['windows'],
  targeting: { countries: ['UA'] },
  impact: { hostShare: { low: 0.3, high: 0.9 }, costPerHostUsd: { low: 500, high: 3000 }, downtimeDays: { low: 3, high: 14 } },
};

const REPORTS: EvidenceReport[] = [
  ['ua-financial-services-0', '2017-06-27T09:30:00.000Z'],
  ['ua-government-facilities-0', '2017-06-27T10:15:00.000Z'],
  ['dk-maersk', '2017-06-27T12:00:00.000Z'],
  ['us-healthcare-and-public-health-0', '2017-06-27T16:00:00.000Z'],
  ['gb-communications-0', '2017-06-27T19:00:00.000Z'],
  ['de-chemical-0', '2017-06-28T08:00:00.000Z'],
].map(([entityId, observedAt], i) => ({ id: `r${i}`, weaponId: 'notpetya', entityId, observedAt, status: 'confirmed', tlp: 'green', organizationId: 'org-a' }) as unknown as EvidenceReport);

const AS_OF = '2017-06-28T12:00:00Z';

// ------------------------------------------------------------------ the stand-in engine

/** Deterministic, internally consistent outputs derived from the snapshot and the seed. */
class StandInEngine implements EngineBinding<unknown, EngineOutput> {
  durationMs = 400;
  async check() {}
  async runAll(s: ScenarioSnapshot, input: AssessmentInput, opts: RunOptions): Promise<EngineOutput> {
    for (let i = 1; i <= 20; i++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      await new Promise((r) => setTimeout(r, this.durationMs / 20));
      opts.onProgress?.(i / 20);
    }
    let x = (input.seed % 2147483646) + 1;
    const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
    const reported = new Set(s.reports.map((r) => r.entityId));
    const intended = (e: { country?: string | null }) => e.country === 'UA';
    const entities = s.entities.map((e) => {
      const p = reported.has(e.id) ? 1 : Math.round(rnd() * 100) / 100;
      const loss = p * (e.dailyValueUsd ?? 0) * (5 + 10 * rnd());
      return {
        id: e.id,
        pInfected: { estimate: p, low: Math.max(0, p - 0.05), high: Math.min(1, p + 0.05) },
        pDisrupted: { estimate: Math.min(1, p + 0.1), low: p, high: Math.min(1, p + 0.2) },
        expectedLossUsd: { direct: loss * 0.6, indirect: loss * 0.4, total: loss },
        expectedPopulationAffected: p * (e.populationServed ?? 0),
        pInfectedBy: reported.has(e.id) ? undefined : [p * 0.3, p * 0.7, p],
        likelyInfector: reported.has(e.id) ? null : 'dk-maersk',
      };
    });
    const range = (mean: number): Range => ({ mean, median: mean * 0.96, low: mean * 0.7, high: mean * 1.4, level: input.confidenceLevel });
    const figures = (pick: (e: (typeof s.entities)[number]) => boolean) => {
      const rows = entities.filter((_, i) => pick(s.entities[i]));
      const sum = (f: (r: (typeof entities)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
      return {
        entitiesInfected: range(sum((r) => r.pInfected.estimate)),
        entitiesDisrupted: range(sum((r) => r.pDisrupted.estimate - r.pInfected.estimate)),
        unreportedInfections: range(sum((r) => (r.pInfected.estimate < 1 ? r.pInfected.estimate : 0))),
        forecastInfections: range(sum((r) => r.pInfected.estimate) * 0.1),
        lossUsd: { direct: range(sum((r) => r.expectedLossUsd.direct)), indirect: range(sum((r) => r.expectedLossUsd.indirect)), total: range(sum((r) => r.expectedLossUsd.total)) },
        populationAffected: range(sum((r) => r.expectedPopulationAffected)),
        countriesAffected: range(new Set(rows.filter((r) => r.pInfected.estimate > 0.5).map((r) => s.entities.find((e) => e.id === r.id)?.country)).size),
      };
    };
    const t0 = Date.parse('2017-06-27T08:00:00Z');
    const end = Date.parse(s.asOf) + s.horizonHours * 3600e3;
    const timeline = [];
    for (let t = t0, k = 0; t <= end; t += 6 * 3600e3, k++) {
      const m = 40 * (1 - Math.exp(-k / 4));
      timeline.push({ at: new Date(t).toISOString(), hours: (t - Date.parse(s.asOf)) / 3600e3, infected: range(m) });
    }
    return {
      summary: {
        total: figures(() => true),
        intended: figures((e) => intended(e)),
        collateral: figures((e) => !intended(e)),
        protectedHits: s.entities.filter((e) => e.protected).map((e, i) => ({ entityId: e.id, name: e.name, sector: e.sector ?? null, probability: entities.find((r) => r.id === e.id)!.pInfected.estimate, norms: e.kind === 'csirt' ? ['13(k)'] : ['13(f)'], i })).map(({ i: _i, ...h }) => h),
        calibration: { enabled: input.calibrate, parameters: { 'transmissibility.supply-chain': range(0.8), 'transmissibility.network': range(0.35) }, effectiveSampleSize: Math.round(input.runs * 0.4) },
        monteCarloError: {},
      },
      entities,
      groups: {},
      timeline,
      hours: [24, 72, 168],
      runs: { columns: ['run', 'weight'], rows: [[0, 1]] },
    };
  }
  runShard(): Promise<unknown> { throw new Error('unused'); }
  merge(): unknown { throw new Error('unused'); }
  finalize(): Promise<EngineOutput> { throw new Error('unused'); }
}

// ------------------------------------------------------------------ formatting, independently of the page's code

function money(v: number): string {
  const units: Array<[number, string]> = [[1e12, 'tn'], [1e9, 'bn'], [1e6, 'm'], [1e3, 'k']];
  for (const [u, suffix] of units) {
    if (Math.abs(v) >= u) {
      const x = v / u;
      return `$${(Math.abs(x) < 100 ? x.toFixed(1) : x.toFixed(0)).replace(/\.0$/, '')}${suffix}`;
    }
  }
  return `$${Math.round(v)}`;
}

// ------------------------------------------------------------------ the test

describe('dashboard in Chromium', () => {
  let app: INestApplication;
  let base: string;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let assessmentId: string;
  const engine = new StandInEngine();
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the dashboard test needs a real browser. Install it with \`bash .ci/browser\` (apt-get install -y chromium).`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const config = testConfig();
    if (config.database.type === 'postgres') await resetPostgres(config.database.url);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, DiscoveryModule] })
      .overrideProvider(APP_CONFIG).useValue(config)
      .overrideProvider(ENGINE_BINDING).useValue(engine)
      .compile();
    app = moduleRef.createNestApplication({ logger: new JsonLogger('error'), bodyParser: false });
    configureApp(app, config);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    app.get(EvidenceSource).evidenceFor = async (weaponId: string, asOf: string) =>
      REPORTS.filter((r) => r.weaponId === weaponId && r.observedAt <= new Date(asOf).toISOString());
    http = request(app.getHttpServer());
    keys = await seedKeys(app);

    // The scenario, through the API.
    await http.post('/v1/entities/bulk').set(auth(keys.admin)).send(scenarioEntities()).expect(201);
    await http.post('/v1/weapons').set(auth(keys.admin)).send(WEAPON).expect(201);
    const created = await http.post('/v1/assessments').set(auth(keys.a.analyst))
      .send({ weaponId: 'notpetya', asOf: AS_OF, horizonHours: 168, runs: 200, seed: 7 }).expect(202);
    assessmentId = created.body.id;
    await waitDone(assessmentId);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    // Nothing may leave the app's origin.
    await context.route((url) => !url.href.startsWith(base), (route) => {
      problems.push(`external request: ${route.request().url()}`);
      return route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function waitDone(id: string) {
    for (let i = 0; i < 300; i++) {
      const res = await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200);
      if (res.body.status === 'done') return res.body;
      if (res.body.status === 'failed') throw new Error(`assessment failed: ${JSON.stringify(res.body.error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('assessment never finished');
  }

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
    for (const path of ['/nothing-here', '/dashboard/missing.js', '/dashboard/%2e%2e/dashboard.module.ts', '/dashboard/..%2f..%2fpackage.json']) {
      const res = await http.get(path).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('signs in with an API key and lists the weapon with its fresh assessment', async () => {
    await page.goto(`${base}/`);
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
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-weapons-1280.png'), fullPage: true });
  });

  it('starts a new assessment and shows its progress until it is done', async () => {
    engine.durationMs = 2500;
    const form = page.locator('form.new-assessment[data-weapon="notpetya"]');
    await form.locator('input[name=runs]').fill('100');
    await form.locator('input[name=seed]').fill('11');
    await form.locator('button[type=submit]').click();
    const bar = page.locator('table.assessments [role=progressbar]');
    await bar.waitFor();
    const seen = new Set<string>();
    for (let i = 0; i < 60 && (await bar.count()) > 0; i++) {
      const v = await bar.first().getAttribute('aria-valuenow').catch(() => null);
      if (v !== null) seen.add(v);
      await page.waitForTimeout(100);
    }
    await page.waitForFunction(() => document.querySelectorAll('table.assessments .badge-fresh').length === 2, null, { timeout: 15_000 });
    expect(seen.size).toBeGreaterThan(1);
    engine.durationMs = 400;
  });

  it('shows the headline figures the API computed, intended and collateral side by side', async () => {
    await page.goto(`${base}/#/assessments/${assessmentId}`);
    await page.waitForSelector('section.headline');
    const api = (await http.get(`/v1/assessments/${assessmentId}`).set(auth(keys.a.analyst)).expect(200)).body;
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
    expect(await page.textContent('[data-metric="entitiesInfected"] .big')).toBe(String(Math.round(api.result.total.entitiesInfected.median)));
  });

  it('draws one treemap rectangle per non-empty node of the shown level, and zooms', async () => {
    const rows = (await http.get(`/v1/assessments/${assessmentId}/entities?limit=10000`).set(auth(keys.a.analyst)).expect(200)).body.items;
    const collateral = rows.filter((r: any) => r.collateral && r.expectedLossUsd.total > 0);
    const lossBy = (key: (r: any) => string, within: any[]) => {
      const m = new Map<string, number>();
      for (const r of within) m.set(key(r), (m.get(key(r)) ?? 0) + r.expectedLossUsd.total);
      return [...m.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    };
    const countries = lossBy((r) => r.country, collateral);
    const rects = page.locator('svg.treemap rect.cell-rect');
    await rects.first().waitFor();
    expect(await page.getAttribute('svg.treemap', 'data-depth')).toBe('0');
    expect(await rects.count()).toBe(countries.length);
    const shown = await page.$$eval('svg.treemap .cell', (gs) => gs.map((g) => g.getAttribute('data-id')));
    expect(shown.sort()).toEqual(countries.map(([c]) => `world/country:${c}`).sort());

    // Zoom into the largest country with a click: its sectors.
    const [topCountry] = countries[0];
    await page.click(`svg.treemap .cell[data-id="world/country:${topCountry}"]`);
    await page.waitForSelector('svg.treemap[data-depth="1"]');
    const sectors = lossBy((r) => r.sector, collateral.filter((r: any) => r.country === topCountry));
    expect(await rects.count()).toBe(sectors.length);
    expect(await page.textContent('.breadcrumb')).toContain('World');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-treemap-zoomed.png') });

    // Out with Escape, in again with the keyboard.
    await page.keyboard.press('Escape');
    await page.waitForSelector('svg.treemap[data-depth="0"]');
    expect(await rects.count()).toBe(countries.length);
    await page.focus(`svg.treemap .cell[data-id="world/country:${topCountry}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('svg.treemap[data-depth="1"]');
    await page.click('.breadcrumb button:has-text("World")');
    await page.waitForSelector('svg.treemap[data-depth="0"]');

    // The colours come from the probability: a legend, and no two probabilities share a colour by accident.
    expect(await page.locator('.legend svg linearGradient stop').count()).toBeGreaterThan(2);
    // The icicle shows the same tree and drives the treemap.
    expect(await page.locator('svg.partition .band').count()).toBeGreaterThan(countries.length);
    await page.click(`svg.partition .band[data-id="world/country:${topCountry}"]`);
    await page.waitForSelector('svg.treemap[data-depth="1"]');
  });

  it('draws the timeline with its band, the reported points and the assessment time and horizon', async () => {
    const band = await page.getAttribute('svg.timeline path.band', 'd');
    expect(band && band.length).toBeGreaterThan(20);
    expect(await page.locator('svg.timeline path.line').count()).toBe(1);
    expect(await page.locator('svg.timeline circle.reported').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.timeline .marker-asof').count()).toBe(1);
    expect(await page.locator('svg.timeline .marker-horizon').count()).toBe(1);
    expect(await page.textContent('svg.timeline desc')).toMatch(/reported/);
  });

  it('lists protected hits with their norms, the early warning and the method', async () => {
    const api = (await http.get(`/v1/assessments/${assessmentId}`).set(auth(keys.a.analyst)).expect(200)).body;
    const protectedRows = page.locator('table.protected-table tbody tr');
    expect(await protectedRows.count()).toBe(api.result.protectedHits.length);
    expect(await page.textContent('table.protected-table')).toContain('13(k)');
    expect(await page.textContent('table.protected-table')).toContain('13(f)');
    expect(await page.locator('table.warning-table tbody tr').count()).toBeGreaterThan(0);
    const method = await page.textContent('section.method-section');
    expect(method).toContain('200');
    expect(method).toContain(String(api.inputs.seed));
    expect(method).toContain('Effective sample size');
  });

  it('fits 1280x800 and a narrow screen, and prints as an A4 report', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-assessment-1280.png'), fullPage: true });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);

    // Narrow: the same tab (the key is per tab, in sessionStorage), re-rendered at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('svg.treemap rect.cell-rect');
    await page.waitForSelector('svg.timeline');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(Number(await page.getAttribute('svg.treemap', 'width'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-assessment-390.png'), fullPage: true });

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('header.site')).toBe(false);
    expect(await page.locator('form:visible, button:visible').count()).toBe(0);
    expect(await page.isVisible('footer.print-only')).toBe(true);
    const pdf = await page.pdf({ path: join(ARTIFACTS, 'dashboard-report.pdf'), format: 'A4', printBackground: true });
    expect(pdf.length).toBeGreaterThan(10_000);
    await page.emulateMedia({ media: 'screen' });
  });

  it('loaded nothing from outside and raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
