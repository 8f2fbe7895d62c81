/**
 * A BullMQ shard worker's memory at scale without PostgreSQL or Redis: builds the scenario the
 * scale bench imports (src/scenario-format/generate.ts, 1M entities and ~9M dependencies by
 * default, service weights lowered as scale.bench.ts lowers them), as the API's snapshot
 * (entities as records in id order, dependencies as columns: readGraph), encodes it with the
 * codec as the coordinator stores it in Redis, and hands it to a child process that works as a
 * worker process does: a pilot slice, then shards of the job on the worker's shard thread
 * (shard-off-thread.ts, the buffer read from a file where the worker reads it from Redis).
 * The child prints its peak RSS (process.resourceUsage().maxRSS: every thread of the process)
 * and heap after each step, and how many times the thread asked for the snapshot.
 *
 *   node -r @swc-node/register test/bench/worker-memory.bench.ts                 (1M entities)
 *   options: --entities N --degree K --runs N (the job's runs; shards of ceil(runs/32))
 *            --shards N (shards the child runs, default 2) --pilot-runs N (pilot slice, default 25; 0 none)
 *            --jobs N (the child runs that many jobs of the same scenario one after the other, default 1)
 *            --dir PATH (keeps the generated scenario and the encoded snapshot there, or reuses them)
 *            --steps (the child runs the thread's code on its main thread instead: the heap printed is that code's)
 *
 * Prints figures with the load average; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { EntityRecord, ScenarioSnapshot } from '../../src/domain/records';
import { dependencyView, setDependency, type DependencyColumns } from '../../src/engine/dependency-columns';
import { generateScenario } from '../../src/scenario-format/generate';
import { parseCsvStream, checkEntityHeader, entityFromCsv, checkReports } from '../../src/scenario-format';
import { encode, encodeSnapshot } from '../../src/jobs/codec';
import type { AssessmentJobInput } from '../../src/jobs/job-input';
import type { ShardThreadReply, ShardThreadRequest } from '../../src/jobs/shard.worker';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const mb = (bytes: number) => Math.round(bytes / 1e6);

/** Peak RSS of the process so far and its heap now (MB). */
function memory(): string {
  const m = process.memoryUsage();
  return `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB, RSS ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} MB, external ${mb(m.external)} MB (array buffers ${mb(m.arrayBuffers)} MB)`;
}

/** The job's input as the API fills it for `{ weaponId, asOf, horizonHours, runs, seed: 1 }` (calibrated, adaptive sampler). */
function jobInput(scenario: { weaponId: string; asOf: string; horizonHours: number }, runs: number): AssessmentJobInput {
  return { kind: 'assessment', weaponId: scenario.weaponId, asOf: scenario.asOf, horizonHours: scenario.horizonHours, model: 'sir', runs, seed: 1, confidenceLevel: 0.9, calibrate: true };
}

/** The generated scenario as the API's snapshot: entities in id order, dependencies as columns with service weights lowered to sum <= 0.9 per target (scale.bench.ts). */
async function snapshotOf(dir: string): Promise<ScenarioSnapshot> {
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  const errors: never[] = [];
  let entities: EntityRecord[] = [];
  let cols: ReturnType<typeof checkEntityHeader> | undefined;
  for await (const batch of parseCsvStream(createReadStream(join(dir, 'entities.csv'), { encoding: 'utf8', highWaterMark: 1 << 20 }))) {
    cols ??= checkEntityHeader(batch.header, errors);
    for (let i = 0; i < batch.rows.length; i++) entities.push(entityFromCsv(cols!, batch.rows[i], batch.firstRow + i, errors)!);
  }
  if (errors.length) throw new Error(`entities.csv: ${JSON.stringify(errors.slice(0, 3))}`);
  entities = entities.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => ({ ...e, parentId: e.parentId ?? null, country: e.country ?? null, sector: e.sector ?? null, protected: e.protected ?? false }));
  const index = new Map<string, number>();
  entities.forEach((e, i) => index.set(e.id, i));
  const lines = readFileSync(join(dir, 'dependencies.csv'), 'utf8').split('\n');
  const n = lines.length - 2 + (lines[lines.length - 1] ? 1 : 0);
  const c: DependencyColumns = { format: 'spillover.dependency-columns/1', source: new Int32Array(n), target: new Int32Array(n), kinds: [], kind: new Uint8Array(n), weight: new Float64Array(n), bidirectional: new Uint8Array(n) };
  const kindIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const [s, t, kind, weight, bi] = lines[i + 1].split(',');
    // Stored as the API stores them: an empty bidirectional is false.
    setDependency(c, kindIndex, i, index.get(s)!, index.get(t)!, kind, Number(weight), bi === 'true');
  }
  lines.length = 0;
  const service = c.kinds.indexOf('service');
  const sum = new Float64Array(entities.length);
  for (let i = 0; i < n; i++) if (c.kind[i] === service) sum[c.target[i]] += c.weight[i];
  for (let i = 0; i < n; i++) {
    if (c.kind[i] !== service || !(sum[c.target[i]] > 0.9)) continue;
    c.weight[i] = Number(String(Math.floor(c.weight[i] * (0.9 / sum[c.target[i]]) * 1e6) / 1e6));
  }
  const reportErrors: never[] = [];
  const reports = checkReports(JSON.parse(readFileSync(join(dir, 'reports.json'), 'utf8')), reportErrors, {});
  return {
    entities,
    dependencies: dependencyView(c, entities.map((e) => e.id)),
    weapon: JSON.parse(readFileSync(join(dir, 'weapon.json'), 'utf8')),
    reports: reports.map((r) => ({ ...r, organizationId: null, filedAt: null })),
    asOf: scenario.asOf,
    horizonHours: scenario.horizonHours,
  };
}

/**
 * Generates the scenario (unless `dir` holds one) and writes into `dir` what the child reads: the
 * encoded snapshot, the job's input and a pilot slice's parameters. A process of its own, so the
 * child (started by a small process) does not inherit its peak RSS.
 */
async function build(dir: string): Promise<void> {
  const entities = Number(arg('entities', '1000000'));
  const degree = Number(arg('degree', '10'));
  const runs = Number(arg('runs', '1000'));
  if (!existsSync(join(dir, 'scenario.json'))) {
    const t = Date.now();
    const gen = generateScenario(dir, { entities, avgDegree: degree, seed: 'scale' });
    say(`generated ${gen.entities} entities, ${gen.dependencies} dependencies in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  const input = jobInput(scenario, runs);
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  if (!existsSync(join(dir, 'snapshot.bin'))) {
    let t = Date.now();
    const snapshot = await snapshotOf(dir);
    say(`snapshot: ${snapshot.entities.length} entities, ${snapshot.dependencies.length} dependencies, ${snapshot.reports.length} reports in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    const buffer = encodeSnapshot(snapshot);
    say(`encoded snapshot: ${mb(buffer.length)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    writeFileSync(join(dir, 'snapshot.bin'), buffer);
  } else say(`encoded snapshot: ${mb(statSync(join(dir, 'snapshot.bin')).size)} MB (kept from an earlier run)`);
  // The pilot slice's parameters, made here so the child holds only what a worker does.
  const pilotRuns = Number(arg('pilot-runs', '25'));
  if (pilotRuns > 0) {
    const small = join(dir, 'small');
    if (!existsSync(join(small, 'scenario.json'))) generateScenario(small, { entities: 2000, avgDegree: degree, seed: 'scale' });
    writeFileSync(join(dir, 'z.txt'), encode(await pilotZ(await snapshotOf(small), input, pilotRuns)));
  }
}

function node(args: string[]): void {
  const p = spawnSync(process.execPath, ['-r', require.resolve('@swc-node/register'), __filename, ...args], { stdio: 'inherit' });
  if (p.status !== 0) throw new Error(`${args[0]} failed (${p.status ?? p.signal})`);
}

async function parent(): Promise<void> {
  say(`worker memory bench: ${arg('entities', '1000000')} entities, mean degree ${arg('degree', '10')}, ${arg('runs', '1000')} runs; load ${load()}`);
  const kept = arg('dir', '');
  const dir = kept || mkdtempSync(join(tmpdir(), 'spillover-worker-memory-'));
  try {
    node(['--build', dir, ...argv]);
    node(['--child', dir, ...argv]);
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

/** A pilot slice's parameters: n vectors at the prior's centre, of the adapted dimensions of the job's pilot (the same weapon on a small scenario of the generator). */
async function pilotZ(snapshot: ScenarioSnapshot, input: AssessmentJobInput, n: number): Promise<Float64Array> {
  const { prepare, engineOptions } = await import('../../src/jobs/engine-binding');
  const { RunEngine } = await import('../../src/engine/runner');
  const { settingsOf } = await import('../../src/engine/options');
  const engine = new RunEngine(prepare(snapshot, input).core, settingsOf(engineOptions(input, {})));
  const { prior } = engine.adaptDims;
  const z = new Float64Array(n * prior.length);
  for (let i = 0; i < z.length; i++) z[i] = prior[i % prior.length].mu;
  return z;
}

async function child(tmp: string): Promise<void> {
  const input: AssessmentJobInput = JSON.parse(readFileSync(join(tmp, 'input.json'), 'utf8'));
  const shardCount = Number(arg('shards', '2'));
  const pilotRuns = Number(arg('pilot-runs', '25'));
  const size = Math.ceil(input.runs / 32);
  const heapLimit = mb(getHeapStatistics().heap_size_limit);
  say(`child: ${memory()} (heap limit ${heapLimit} MB)`);
  const z = pilotRuns > 0 ? readFileSync(join(tmp, 'z.txt'), 'utf8') : '';
  const read = () => readFileSync(join(tmp, 'snapshot.bin'));
  const key = 'spillover:snapshot:bench:1';
  if (argv.includes('--steps')) {
    // The thread's own code (shard.worker.ts's ShardModels) on this thread: its heap is the one printed.
    const { ShardModels } = await import('../../src/jobs/shard.worker');
    let last: ShardThreadReply | undefined;
    const models = new ShardModels((m) => {
      if (m.type !== 'progress') last = m;
    });
    const step = async (what: string, m: ShardThreadRequest) => {
      const t = performance.now();
      await models.receive(m);
      if (last?.type === 'need-snapshot') {
        last = undefined;
        await models.receive({ type: 'snapshot', snapshotKey: key, buffer: read() });
      }
      if (last?.type !== 'done') throw new Error(`${what}: ${JSON.stringify(last)}`);
      const { timing } = last;
      say(`${what} in ${((performance.now() - t) / 1000).toFixed(1)} s (decode ${(timing.decodeMs / 1000).toFixed(1)} s, prepare ${(timing.prepareMs / 1000).toFixed(1)} s, run ${(timing.runMs / 1000).toFixed(1)} s, encode ${(timing.encodeMs / 1000).toFixed(1)} s): ${memory()}`);
    };
    if (pilotRuns > 0) await step(`pilot slice of ${pilotRuns} runs`, { type: 'pilot', snapshotKey: key, input, pilot: { base: 0, z } });
    for (let i = 0; i < shardCount; i++) await step(`shard ${i} (${size} runs)`, { type: 'run', snapshotKey: key, input, shard: { index: i, runStart: i * size, runCount: size }, proposal: encode(null), threads: 0 });
    return;
  }
  const { ShardThread } = await import('../../src/jobs/shard-off-thread');
  let asked = 0;
  const thread = new ShardThread(async () => {
    asked++;
    return read();
  }, 0);
  const jobs = Number(arg('jobs', '1'));
  try {
    for (let j = 1; j <= jobs; j++) {
      const key = `spillover:snapshot:bench:${j}`;
      if (jobs > 1) say(`job ${j}:`);
      const timing = (what: string) => (t: { decodeMs: number; prepareMs: number; runMs: number; encodeMs: number; partialBytes: number }) =>
        say(`${what}: decode ${(t.decodeMs / 1000).toFixed(1)} s, prepare ${(t.prepareMs / 1000).toFixed(1)} s, run ${(t.runMs / 1000).toFixed(1)} s, encode ${(t.encodeMs / 1000).toFixed(1)} s (${mb(t.partialBytes)} MB)`);
      if (pilotRuns > 0) {
        await thread.run({ snapshotKey: key, input, pilot: { base: 0, z }, onTiming: timing(`pilot slice of ${pilotRuns} runs`) });
        say(`pilot slice: ${memory()}`);
      }
      for (let i = 0; i < shardCount; i++) {
        await thread.run({ snapshotKey: key, input, shard: { index: i, runStart: i * size, runCount: size }, proposal: encode(null), onTiming: timing(`shard ${i} (${size} runs)`) });
        say(`shard ${i}: ${memory()}`);
      }
    }
    say(`snapshot asked for ${asked} time(s) for ${jobs} job(s) of ${pilotRuns > 0 ? 1 : 0} pilot slice(s) and ${shardCount} shard(s) each; worker peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB; load ${load()}`);
  } finally {
    thread.stop();
  }
}

const mode = argv.indexOf('--child') >= 0 ? 'child' : argv.indexOf('--build') >= 0 ? 'build' : 'parent';
const at = argv.indexOf(`--${mode}`);
(mode === 'child' ? child(argv[at + 1]) : mode === 'build' ? build(argv[at + 1]) : parent()).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
