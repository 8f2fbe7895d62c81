/**
 * Memory and time of the per-run group rows behind the rollup's ranges (one row per run and
 * (country, sector, part) cell a run touches), on the NotPetya fixture: one shard of all runs,
 * then finalising it.
 *
 *     node -r @swc-node/register test/bench/rollup-memory.bench.ts [runs=10000]
 *
 * Prints figures; asserts nothing.
 */
import { finalizeAssessment, runShard } from '../../src/engine';
import { readScenario } from '../../src/scenario-format';
import { scenarioModel } from '../support/scenario-model';

async function main() {
  const runs = Number(process.argv[2] ?? 10_000);
  const model = scenarioModel(await readScenario('fixtures/notpetya-2017'));
  const opts = { runs, seed: 1, threads: 2 };
  const t0 = performance.now();
  const { partial } = await runShard(model, [0, runs], opts);
  const t1 = performance.now();
  const groupBytes = partial.groupRun.byteLength + partial.groupId.byteLength + partial.groupValues.byteLength;
  const result = finalizeAssessment(model, partial, opts);
  const t2 = performance.now();
  console.log(JSON.stringify({
    bench: 'rollup group rows', fixture: 'notpetya-2017', runs,
    groupRows: partial.groupCount, rowsPerRun: +(partial.groupCount / runs).toFixed(1), groupRowsMB: +(groupBytes / 1e6).toFixed(1),
    runSeconds: +((t1 - t0) / 1000).toFixed(1), finalizeSeconds: +((t2 - t1) / 1000).toFixed(1),
    groupEntries: { country: result.groups.country.length, sector: result.groups.sector.length, countrySector: result.groups.countrySector?.length ?? 0 },
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
