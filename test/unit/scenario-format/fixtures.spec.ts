import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenario, summarise, writeScenario, type ScenarioData } from '../../../src/scenario-format';
import { FIXTURE_BUILDERS } from '../../../fixtures/build/build-all';

const ROOT = join(__dirname, '../../../fixtures');
const loaded: Record<string, ScenarioData> = {};

beforeAll(async () => {
  for (const name of Object.keys(FIXTURE_BUILDERS)) loaded[name] = await readScenario(join(ROOT, name));
});

describe.each(Object.keys(FIXTURE_BUILDERS))('fixture %s', (name) => {
  it('loads, validates and has at least 10,000 entities', () => {
    const d = loaded[name];
    expect(d.entities.length).toBeGreaterThanOrEqual(10_000);
    expect(d.dependencies.length).toBeGreaterThan(d.entities.length);
    expect(d.reports.length).toBeGreaterThan(0);
    expect(d.scenario.weaponId).toBe(d.weapon.id);
  });

  it('its reports are observed before asOf and name entities that carry the required tags', () => {
    const d = loaded[name];
    const byId = new Map(d.entities.map((e) => [e.id, e]));
    for (const r of d.reports) {
      expect(Date.parse(r.observedAt)).toBeLessThanOrEqual(Date.parse(d.scenario.asOf));
      const e = byId.get(r.entityId)!;
      for (const t of d.weapon.requiredTags ?? []) expect(e.tags).toContain(t);
    }
  });

  it('its README cites sources and says what is synthetic; files stay small', () => {
    const readme = d().readme!;
    expect(readme).toMatch(/## What is public/);
    expect(readme).toMatch(/## What is synthetic/);
    expect(readme).toMatch(/source/i);
    for (const f of readdirSync(join(ROOT, name))) expect(readFileSync(join(ROOT, name, f)).length).toBeLessThan(5_000_000);
    function d() {
      return loaded[name];
    }
  });

  it('is reproduced byte for byte by its seeded builder', () => {
    const out = mkdtempSync(join(tmpdir(), `fx-${name}-`));
    writeScenario(out, FIXTURE_BUILDERS[name]());
    for (const f of readdirSync(join(ROOT, name))) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(ROOT, name, f), 'utf8'));
    rmSync(out, { recursive: true });
  });
});

describe('fixture content the issue asks for', () => {
  it('NotPetya: M.E.Doc supply chain into Ukraine, multinationals over corporate WAN, filed losses', () => {
    const d = loaded['notpetya-2017'];
    const byId = new Map(d.entities.map((e) => [e.id, e]));
    expect(d.weapon.targeting).toEqual({ countries: ['UA'] });
    const medoc = d.dependencies.filter((x) => x.sourceId === 'medoc-update-server' && x.kind === 'supply-chain');
    expect(medoc.length).toBeGreaterThan(1000);
    for (const x of medoc) expect(byId.get(x.targetId)!.tags).toContain('medoc');
    for (const x of medoc) expect(byId.get(x.targetId)!.country).toBe('UA');
    for (const g of ['maersk', 'merck', 'tnt-express', 'mondelez', 'saint-gobain', 'reckitt-benckiser']) {
      expect(byId.get(`${g}-ua-office`)!.tags).toContain('medoc');
      const wan = d.dependencies.filter((x) => x.kind === 'corporate-wan' && (x.sourceId === g || x.sourceId.startsWith(`${g}-`)));
      expect(wan.length).toBeGreaterThan(10);
      const sites = d.entities.filter((e) => e.parentId === g);
      expect(new Set(sites.map((s) => s.country)).size).toBeGreaterThan(5);
      const rep = d.reports.find((r) => r.entityId === g && r.lossUsd);
      expect(rep).toBeDefined();
      expect(rep!.source).toBeTruthy();
    }
    expect(d.reports.find((r) => r.entityId === 'merck')!.lossUsd).toEqual({ low: 550e6, high: 1.4e9 });
    const totalHosts = (g: string) => d.entities.filter((e) => e.id === g || e.parentId === g).reduce((a, e) => a + e.hosts, 0);
    expect(totalHosts('merck')).toBeGreaterThan(35_000);
    expect(totalHosts('merck')).toBeLessThan(45_000);
    for (const r of d.reports) expect(r.observedAt >= '2017-06-27' && r.observedAt < '2017-06-29').toBe(true);
  });

  it('WannaCry: SMBv1 required, kill switch, NAO counts, disrupted trusts depend on infected ones', () => {
    const d = loaded['wannacry-2017'];
    expect(d.weapon.requiredTags).toEqual(expect.arrayContaining(['smbv1']));
    expect(d.weapon.killSwitchAt).toBe('2017-05-12T15:03:00.000Z');
    const trusts = d.entities.filter((e) => /^nhs-trust-\d+$/.test(e.id));
    expect(trusts).toHaveLength(236);
    const reported = new Set(d.reports.map((r) => r.entityId));
    const infected = trusts.filter((t) => reported.has(t.id));
    expect(infected).toHaveLength(34);
    expect(d.reports.filter((r) => r.entityId.startsWith('gp-'))).toHaveLength(595);
    expect(d.reports.filter((r) => r.entityId.startsWith('gp-') || r.entityId.startsWith('primary-care-'))).toHaveLength(603);
    const infectedIds = new Set(infected.map((t) => t.id));
    const disrupted = new Set(
      d.dependencies.filter((x) => x.kind === 'service' && infectedIds.has(x.sourceId) && /^nhs-trust-\d+$/.test(x.targetId) && !d.entities.find((e) => e.id === x.targetId)!.tags.includes('smbv1')).map((x) => x.targetId),
    );
    expect(disrupted.size).toBeGreaterThanOrEqual(46);
    expect(summarise(d).countries).toBeGreaterThanOrEqual(100);
    for (const r of d.reports) expect(Date.parse(r.observedAt)).toBeLessThan(Date.parse(d.weapon.killSwitchAt!));
  });

  it('Stuxnet: Natanz targeted by id, removable media and network shares, step7, published country mix, Chevron', () => {
    const d = loaded['stuxnet-2010'];
    expect(d.weapon.targeting).toEqual({ entityIds: ['natanz-fep'] });
    expect(Object.keys(d.weapon.vectors)).toEqual(expect.arrayContaining(['removable-media', 'network']));
    expect(d.entities.filter((e) => e.tags.includes('step7')).length).toBeGreaterThan(100);
    const byId = new Map(d.entities.map((e) => [e.id, e]));
    const share = (c: string) => d.reports.filter((r) => byId.get(r.entityId)!.country === c).length / d.reports.length;
    expect(share('IR')).toBeGreaterThan(0.55);
    expect(share('IR')).toBeLessThan(0.65);
    expect(share('ID')).toBeGreaterThan(0.16);
    expect(share('ID')).toBeLessThan(0.24);
    expect(share('IN')).toBeGreaterThan(0.06);
    expect(share('IN')).toBeLessThan(0.1);
    expect(byId.get('chevron')).toMatchObject({ country: 'US', sector: 'energy' });
    expect(d.reports.some((r) => r.entityId.startsWith('chevron'))).toBe(true);
    expect(d.dependencies.some((x) => x.targetId === 'natanz-fep' && x.kind === 'removable-media')).toBe(true);
  });
});
