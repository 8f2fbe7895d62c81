/**
 * Generator throughput: `npm run bench -- generate` (or SPILLOVER_GEN_ENTITIES=1000000 for the full size).
 * Prints entities/s, dependencies/s, MB written and peak RSS; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario } from '../../src/scenario-format/generate';

const n = Number(process.env.SPILLOVER_GEN_ENTITIES ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'gen-bench-'));
try {
  const s = generateScenario(dir, { entities: n, avgDegree: 10, seed: 'bench' });
  const sec = s.ms / 1000;
  process.stdout.write(
    `generate: ${s.entities} entities, ${s.dependencies} dependencies in ${sec.toFixed(2)} s` +
      ` = ${Math.round(s.entities / sec)} entities/s, ${Math.round(s.dependencies / sec)} dependencies/s;` +
      ` ${(s.bytes / 1e6).toFixed(1)} MB written; max out/in degree ${s.maxOutDegree}/${s.maxInDegree};` +
      ` peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
