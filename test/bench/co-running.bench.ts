/**
 * What two processes running the engine at once get out of this machine's two cores: the
 * ceiling of the scale bench's scaling figure, with no API, Redis or database in the way. Each
 * round runs the same runs of the scale bench's scenario (src/scenario-format/generate.ts,
 * 10,000 entities) on one thread in one process alone, then in two processes started together;
 * the ceiling is 2 x (alone) / (together, the slower of the two). Where the cores share a cache
 * or memory path that the runs need, together is slower than alone and the ceiling below 2.
 *
 *   node -r @swc-node/register test/bench/co-running.bench.ts [--runs 1000] [--rounds 6] [--entities 10000]
 *
 * Prints figures with the load average; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { median } from '../support/median';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '1000'));
const ROUNDS = Number(arg('rounds', '6'));
const ENTITIES = Number(arg('entities', '10000'));
const load = () => `[load ${loadavg().map((l) => l.toFixed(2)).join(' ')}]`;

interface Timing {
  wall: number;
  cpu: number;
}

/** A child: prepares the engine on the scenario, says `ready`, waits for `go`, runs, prints its timing. */
async function child(dir: string): Promise<void> {
  const { readScenario } = await import('../../src/scenario-format');
  const { engineBinding, prepare } = await import('../../src/jobs/engine-binding');
  const data = await readScenario(dir);
  const asOf = new Date(data.scenario.asOf).toISOString();
  const reports = data.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() })).filter((r) => r.observedAt <= asOf);
  const snapshot = { entities: data.entities, dependencies: data.dependencies, weapon: data.weapon, reports, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours };
  const input = { kind: 'assessment' as const, weaponId: data.weapon.id, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours, model: 'sir' as const, runs: 10_000, seed: 1, confidenceLevel: 0.9, calibrate: true };
  prepare(snapshot, input);
  const proposal = await engineBinding.proposal!(snapshot, input, { threads: 0 });
  // compiled before the timed runs, as a worker's thread is (src/jobs/warm-up.ts)
  await engineBinding.runShard(snapshot, input, { index: 0, runStart: 0, runCount: 100 }, { threads: 0, proposal });
  console.log('ready');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const c = process.cpuUsage();
  const t = performance.now();
  await engineBinding.runShard(snapshot, input, { index: 0, runStart: 100, runCount: RUNS }, { threads: 0, proposal });
  const u = process.cpuUsage(c);
  console.log(JSON.stringify({ wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 } satisfies Timing));
}

function startChild(dir: string): { proc: ChildProcess; ready: Promise<void>; timing: Promise<Timing> } {
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', __filename, '--child', dir, '--runs', String(RUNS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  let ready!: () => void;
  let done!: (t: Timing) => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const timing = new Promise<Timing>((resolve, reject) => {
    done = resolve;
    proc.once('exit', (code) => reject(new Error(`a child exited (${code}) before its timing`)));
  });
  lines.on('line', (l) => (l === 'ready' ? ready() : l.startsWith('{') ? done(JSON.parse(l)) : undefined));
  return { proc, ready: readyP, timing };
}

/** `count` children prepared, then started at once; their timings. */
async function together(dir: string, count: number): Promise<Timing[]> {
  const kids = Array.from({ length: count }, () => startChild(dir));
  await Promise.all(kids.map((k) => k.ready));
  for (const k of kids) k.proc.stdin!.write('go\n');
  return Promise.all(kids.map((k) => k.timing));
}

async function main(): Promise<void> {
  const at = argv.indexOf('--child');
  if (at >= 0) return child(argv[at + 1]);
  const { generateScenario } = await import('../../src/scenario-format/generate');
  const dir = mkdtempSync(join(tmpdir(), 'spillover-corun-'));
  try {
    generateScenario(dir, { entities: ENTITIES, avgDegree: 10, seed: 'scale' });
    const ceilings: number[] = [];
    const perRun = (t: Timing) => ((t.cpu / RUNS) * 1000).toFixed(2);
    for (let r = 1; r <= ROUNDS; r++) {
      // alone first in odd rounds, together first in even ones: the machine's speed drifts
      let one: Timing;
      let two: Timing[];
      if (r % 2) {
        [one] = await together(dir, 1);
        two = await together(dir, 2);
      } else {
        two = await together(dir, 2);
        [one] = await together(dir, 1);
      }
      const slower = Math.max(...two.map((t) => t.wall));
      const ceiling = (2 * one.wall) / slower;
      ceilings.push(ceiling);
      console.log(`round ${r}: ${RUNS} runs on one thread, alone ${one.wall.toFixed(2)} s (${perRun(one)} CPU ms a run); two processes at once ${two.map((t) => t.wall.toFixed(2)).join(' and ')} s (${two.map(perRun).join(' and ')} CPU ms a run); ceiling ${ceiling.toFixed(2)}x   ${load()}`);
    }
    console.log(`two processes vs one on this machine, ${ROUNDS} rounds: median ceiling ${median(ceilings).toFixed(2)}x [${Math.min(...ceilings).toFixed(2)}..${Math.max(...ceilings).toFixed(2)}]   ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
