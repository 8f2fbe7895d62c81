/**
 * Where the time of an assessment goes, phase by phase, on NotPetya with the engine binding the
 * API uses (2 threads): the sampler's pilot, the runs, finalising (weighted ranges, entity
 * statistics, rollup groups, early warning; off the main thread), building the result parts, and
 * serialising them for storage. Wall and CPU seconds (CPU of the whole process, threads
 * included) for each, with the load average, since the machine is shared.
 *
 *   node -r @swc-node/register test/bench/assessment-phases.bench.ts [runs]     (default 10000)
 */
import { loadavg } from 'node:os';
import { engineBinding, prepare } from '../../src/jobs/engine-binding';
import { buildResultParts } from '../../src/assessments/build-parts';
import type { EngineOutput } from '../../src/results/result-types';
import { notPetyaJob } from '../support/notpetya';

async function main() {
  const runs = Number(process.argv[2] ?? 10_000);
  const { snapshot, input } = await notPetyaJob(runs, 1);
  const rows: Array<{ phase: string; wall: number; cpu: number }> = [];
  const time = async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const c = process.cpuUsage();
    const out = await work();
    const u = process.cpuUsage(c);
    rows.push({ phase, wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 });
    return out;
  };
  const load0 = loadavg()[0];
  await time('prepare (graph, model)', () => prepare(snapshot, input));
  const proposal = await time('pilot (sampler proposal)', () => engineBinding.proposal!(snapshot, input, { threads: 2 }));
  const partial = await time('runs (2 threads)', () => engineBinding.runShard(snapshot, input, { index: 0, runStart: 0, runCount: runs }, { threads: 2, proposal }));
  const output = await time('finalise (worker thread)', () => engineBinding.finalize(snapshot, input, partial));
  const parts = await time('result parts', () => buildResultParts(snapshot, input, output as EngineOutput));
  const bodies = await time('serialise parts (JSON)', () => Object.entries(parts).map(([part, v]) => [part, JSON.stringify(v)] as const));
  const total = rows.reduce((s, r) => s + r.wall, 0);
  console.log(`NotPetya, ${runs} runs; load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (2 cores)`);
  for (const r of rows) console.log(`  ${r.phase.padEnd(26)} ${r.wall.toFixed(2).padStart(7)} s wall ${(100 * r.wall / total).toFixed(0).padStart(3)}%   ${r.cpu.toFixed(2).padStart(7)} s CPU`);
  console.log(`  ${'total'.padEnd(26)} ${total.toFixed(2).padStart(7)} s; parts ${bodies.map(([p, b]) => `${p} ${(b.length / 1e6).toFixed(1)} MB`).join(', ')}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
