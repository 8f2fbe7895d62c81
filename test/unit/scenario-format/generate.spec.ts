import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScenario, readScenario, summarise } from '../../../src/scenario-format';
import { generateScenario, GENERATOR_SECTOR_WEIGHTS, SERVICE_WEIGHT_BUDGET } from '../../../src/scenario-format/generate';
import { SECTORS } from '../../../src/domain/vocabulary';
import { scenarioModel } from '../../support/scenario-model';

const tmp = () => mkdtempSync(join(tmpdir(), 'gen-'));

describe('generateScenario', () => {
  it('is deterministic: same seed, same files; another seed, other files', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    generateScenario(a, { entities: 3000, seed: 'x' });
    generateScenario(b, { entities: 3000, seed: 'x' });
    generateScenario(c, { entities: 3000, seed: 'y' });
    for (const f of readdirSync(a)) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    expect(readFileSync(join(c, 'dependencies.csv'), 'utf8')).not.toBe(readFileSync(join(a, 'dependencies.csv'), 'utf8'));
    for (const d of [a, b, c]) rmSync(d, { recursive: true });
  });

  it('writes a valid folder with a heavy-tailed degree, the sector mix, a hierarchy and about k edges per entity', async () => {
    const dir = tmp();
    const n = 20_000;
    const stats = generateScenario(dir, { entities: n, seed: 3, avgDegree: 10 });
    const data = await readScenario(dir);
    expect(data.entities).toHaveLength(n);
    expect(data.dependencies.length).toBe(stats.dependencies);
    // no (source, target, kind) twice: the bulk API refuses a file that repeats one
    expect(new Set(data.dependencies.map((d) => `${d.sourceId} ${d.targetId} ${d.kind}`)).size).toBe(stats.dependencies);
    expect(stats.dependencies / n).toBeGreaterThan(8.5);
    expect(stats.dependencies / n).toBeLessThan(10.5);
    // Degree: heavy tail (hubs far above the mean, a power-law-like survival function).
    const deg = new Map<string, number>();
    for (const d of data.dependencies) {
      deg.set(d.sourceId, (deg.get(d.sourceId) ?? 0) + 1);
      deg.set(d.targetId, (deg.get(d.targetId) ?? 0) + 1);
    }
    const degrees = data.entities.map((e) => deg.get(e.id) ?? 0).sort((x, y) => y - x);
    const mean = degrees.reduce((s, x) => s + x, 0) / n;
    expect(degrees[0]).toBeGreaterThan(30 * mean);
    const above = (x: number) => degrees.filter((d) => d > x).length / n;
    expect(above(5 * mean)).toBeGreaterThan(0.005);
    expect(above(20 * mean)).toBeGreaterThan(0);
    // Median well below the mean: skewed.
    expect(degrees[Math.floor(n / 2)]).toBeLessThan(mean);
    // Sector mix follows the configured weights (within a few points).
    const s = summarise(data);
    const total = SECTORS.reduce((acc, x) => acc + GENERATOR_SECTOR_WEIGHTS[x], 0);
    for (const sec of ['commercial-facilities', 'critical-manufacturing', 'information-technology'] as const) {
      const share = (s.bySector[sec] ?? 0) / n;
      expect(Math.abs(share - GENERATOR_SECTOR_WEIGHTS[sec] / total)).toBeLessThan(0.04);
    }
    expect(Object.keys(s.bySector).length).toBeGreaterThanOrEqual(14);
    expect(s.countries).toBeGreaterThan(40);
    expect(s.byKind.site).toBeGreaterThan(n * 0.1);
    expect(Object.keys(s.dependenciesByKind).sort()).toEqual(
      ['corporate-wan', 'email', 'network', 'removable-media', 'service', 'shared-infrastructure', 'supply-chain'],
    );
    for (const r of data.reports) expect(data.entities.find((e) => e.id === r.entityId)!.tags).toContain('windows');
    expect(data.scenario.synthetic).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('writes folders that assess accepts at every seed and degree: no repeated edge, a stable service matrix', async () => {
    const dir = tmp();
    // seed 1 at degree 6 once repeated a corporate-wan edge; seeds 2 and 3 at degree 10 gave spectral radii above 5
    for (const avgDegree of [2, 6, 10, 30])
      for (let seed = 1; seed <= 12; seed++) {
        generateScenario(dir, { entities: 1500, seed, avgDegree });
        const { problems } = await checkScenario(dir);
        expect({ avgDegree, seed, problems }).toEqual({ avgDegree, seed, problems: [] });
        const d = await readScenario(dir);
        const inService = new Map<string, number>();
        for (const e of d.dependencies) if (e.kind === 'service') inService.set(e.targetId, (inService.get(e.targetId) ?? 0) + e.weight);
        expect(Math.max(0, ...inService.values())).toBeLessThanOrEqual(SERVICE_WEIGHT_BUDGET + 1e-9);
        expect(scenarioModel(d).core.spectralRadius).toBeLessThan(1);
      }
    rmSync(dir, { recursive: true });
  }, 240_000);

  it('refuses bad options', () => {
    expect(() => generateScenario(tmp(), { entities: 1 })).toThrow(RangeError);
    expect(() => generateScenario(tmp(), { entities: 10, alpha: 2 })).toThrow(RangeError);
  });
});
