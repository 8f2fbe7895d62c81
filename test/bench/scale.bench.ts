/**
 * Scale on one machine, through the deployment recipe (docs/deploy/Procfile, spillover.env):
 * two PostgreSQL-backed API processes and BullMQ shard-worker processes, all separate OS
 * processes on a fresh database and a queue of their own. It
 * 1. generates a scenario (src/scenario-format/generate.ts: 1M entities, ~10M dependencies by default),
 * 2. imports it through POST /v1/entities/bulk and /v1/dependencies/bulk as CSV, 100,000 rows a
 *    request (entities in order, since a site's organisation must exist first; dependencies two
 *    requests at a time, one per API process),
 * 3. files the scenario's seed reports and --reports more (POST /v1/reports/bulk, 10,000 a request;
 *    observed after the assessment time, so they load the tables and the evidence query without
 *    changing what is assessed),
 * 4. runs a --runs assessment with 1, then 2 worker processes of 1 thread (the scaling ratio),
 * 5. reads the result routes (status, entity pages, rollup, early warning, timeline),
 * 6. runs the same assessment on the in-process runner (an API process with JOB_QUEUE=in-process)
 *    and compares the raw runs and the result number by number (Object.is).
 * Shards are the engine's chunks (ceil(runs/32) runs), the size at which the merged result is the
 * in-process one bit for bit.
 *
 *   npm run bench -- scale                                    (1M entities: long)
 *   node -r @swc-node/register test/bench/scale.bench.ts --entities 100000 --reports 20000 --runs 1000
 *   options: --entities N --degree K --reports N --runs N --workers 1,2 --keep (keep the database)
 *            (--workers 1,2,1,2,1,2: pairs of jobs alternated, each pair's ratio and their median)
 *            --pilot-slice N (JOB_PILOT_SLICE_RUNS of the API processes, default 25; 0: the pilot on the API process)
 *            --database NAME (a database a --keep run left: skips the import and the reports)
 *            --import-only (import, keep the database and stop: assess it later with --database)
 *            --sources (the Procfile's commands from the sources, not from a build: `npm run build` first by default)
 *
 * Prints figures with the load average; asserts only that the imports and jobs succeed.
 */
import { execSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { generateScenario, type GenerateStats } from '../../src/scenario-format/generate';
import { redisOptions } from '../../src/jobs/queue-names';
import { differences } from '../support/differences';
import { median } from '../support/median';
import { envFile, fromBuild, procfile, Proc, ROOT, start, waitForLine, waitHealthy } from '../support/processes';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const ENTITIES = Number(arg('entities', '1000000'));
const DEGREE = Number(arg('degree', '10'));
const REPORTS = Number(arg('reports', '100000'));
const RUNS = Number(arg('runs', '1000'));
const WORKER_COUNTS = arg('workers', '1,2').split(',').map(Number);
const REUSE = arg('database', '');
const PILOT_SLICE = arg('pilot-slice', '25');
const IMPORT_ONLY = argv.includes('--import-only');
const FROM_SOURCES = argv.includes('--sources');
const KEEP = argv.includes('--keep') || !!REUSE || IMPORT_ONLY;
const PG = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The bootstrap admin key, named after the bench's database so a --database run can use it again. */
let ADMIN = '';
const ROWS_PER_REQUEST = 100_000;
const REPORTS_PER_REQUEST = 10_000;

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const seconds = (t0: number) => (Date.now() - t0) / 1000;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function call(base: string, method: string, path: string, body?: string | object, contentType = 'application/json'): Promise<{ ms: number; body: any; text: string }> {
  const t = performance.now();
  const send = () => fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // A kept-alive connection the server closed while idle (its keep-alive timeout, e.g. while the
  // bench starts workers) resets the next request before the server reads it: send it again once.
  const res = await send().catch((err) => {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return send();
  });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 800)}`);
  return { ms, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
}

/** The CSV file's header and its data lines in blocks of `size`. */
async function* csvBlocks(path: string, size: number): AsyncGenerator<{ header: string; lines: string[] }> {
  let header = '';
  let lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (!header) header = line;
    else if (line) lines.push(line);
    if (lines.length === size) {
      yield { header, lines };
      lines = [];
    }
  }
  if (lines.length) yield { header, lines };
}

/** The entity's index in the generated files (`org-0000012`, `site-0000013`). */
const indexOf = (id: string) => Number(id.slice(id.indexOf('-') + 1));

/**
 * Per target, the factor that brings its incoming `service` weights to a sum of at most 0.9.
 * The generator draws service weights of 0.05-0.7 on heavy-tailed in-degrees, so many entities
 * depend on more than their whole function (an unstable inoperability model, which the API
 * refuses with 422); the bench lowers them as that answer tells a user to.
 */
async function serviceScale(path: string, n: number): Promise<Float64Array> {
  const sum = new Float64Array(n);
  for await (const { lines } of csvBlocks(path, ROWS_PER_REQUEST)) {
    for (const l of lines) {
      const [, target, kind, weight] = l.split(',');
      if (kind === 'service') sum[indexOf(target)] += Number(weight);
    }
  }
  return sum.map((s) => (s > 0.9 ? 0.9 / s : 1));
}

/** A dependency CSV line with its service weight scaled (rounded down, so sums stay below 0.9). */
function scaledLine(line: string, scale: Float64Array): string {
  const f = line.split(',');
  if (f[2] !== 'service') return line;
  const k = scale[indexOf(f[1])];
  if (k === 1) return line;
  f[3] = String(Math.floor(Number(f[3]) * k * 1e6) / 1e6);
  return f.join(',');
}

/** Runs `work` over the items with at most one request in flight per API process. */
async function spread<T>(items: AsyncIterable<T> | Iterable<T>, apis: string[], work: (api: string, item: T) => Promise<void>): Promise<void> {
  const busy = new Map<string, Promise<void>>();
  for await (const item of items) {
    const free = apis.find((a) => !busy.has(a)) ?? (await Promise.race([...busy.entries()].map(([a, p]) => p.then(() => a))));
    await busy.get(free);
    const p = work(free, item).finally(() => busy.delete(free));
    busy.set(free, p);
    p.catch(() => undefined);
  }
  await Promise.all(busy.values());
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `min ${s[0].toFixed(0)} / median ${s[Math.floor(s.length / 2)].toFixed(0)} / max ${s[s.length - 1].toFixed(0)} ms`;
}

/**
 * The scenario through the bulk API: entities in order (a site's organisation first), then the
 * dependencies and the reports, one request in flight per API process.
 */
async function importScenario(gen: GenerateStats, apis: string[], weapon: { id: string }, seedReports: Array<Record<string, unknown>>, scenario: { asOf: string; horizonHours: number }, record: (line: string) => void) {
  let t0 = Date.now();
  let entities = 0;
  let turn = 0;
  for await (const { header, lines } of csvBlocks(join(gen.dir, 'entities.csv'), ROWS_PER_REQUEST)) {
    await call(apis[turn++ % 2], 'POST', '/v1/entities/bulk', [header, ...lines].join('\n'), 'text/csv');
    entities += lines.length;
  }
  const entitySeconds = seconds(t0);
  record(`import entities: ${entities} in ${entitySeconds.toFixed(1)} s = ${Math.round(entities / entitySeconds)} entities/s (CSV, ${ROWS_PER_REQUEST} rows a request, sequential)`);

  const scale = await serviceScale(join(gen.dir, 'dependencies.csv'), gen.entities);
  t0 = Date.now();
  let dependencies = 0;
  await spread(csvBlocks(join(gen.dir, 'dependencies.csv'), ROWS_PER_REQUEST), apis, async (api, { header, lines }) => {
    await call(api, 'POST', '/v1/dependencies/bulk', [header, ...lines.map((l) => scaledLine(l, scale))].join('\n'), 'text/csv');
    dependencies += lines.length;
  });
  const depSeconds = seconds(t0);
  record(`import dependencies: ${dependencies} in ${depSeconds.toFixed(1)} s = ${Math.round(dependencies / depSeconds)} dependencies/s (CSV, ${ROWS_PER_REQUEST} rows a request, one in flight per API process)`);

  await call(apis[0], 'POST', '/v1/weapons', weapon);
  await call(apis[0], 'POST', '/v1/reports/bulk', seedReports.map(({ id: _id, ...r }: Record<string, unknown>) => r));
  const ids: string[] = [];
  for await (const { lines } of csvBlocks(join(gen.dir, 'entities.csv'), ROWS_PER_REQUEST)) for (const l of lines) ids.push(l.slice(0, l.indexOf(',')));
  const after = new Date(scenario.asOf).getTime() + (scenario.horizonHours + 1) * 3_600_000;
  const batches = function* () {
    for (let i = 0; i < REPORTS; i += REPORTS_PER_REQUEST) {
      yield Array.from({ length: Math.min(REPORTS_PER_REQUEST, REPORTS - i) }, (_, j) => {
        const n = i + j;
        return {
          weaponId: weapon.id,
          entityId: ids[(n * 7919) % ids.length],
          observedAt: new Date(after + n * 1000).toISOString(),
          status: n % 5 === 0 ? 'suspected' : 'confirmed',
          hostsAffected: 1 + (n % 50),
          confidence: 50 + (n % 50),
          tlp: ['clear', 'green', 'amber'][n % 3],
          source: 'scale-bench',
        };
      });
    }
  };
  t0 = Date.now();
  await spread(batches(), apis, async (api, rows) => {
    await call(api, 'POST', '/v1/reports/bulk', rows);
  });
  const reportSeconds = seconds(t0);
  record(`reports: ${REPORTS} in ${reportSeconds.toFixed(1)} s = ${Math.round(REPORTS / reportSeconds)} reports/s (JSON bulk, ${REPORTS_PER_REQUEST} a request, one in flight per API process)`);
}

/** CPU seconds a process has used so far, all its threads (utime + stime from /proc; 0 once it ended). */
function cpuSeconds(p: Proc): number {
  try {
    const stat = readFileSync(`/proc/${p.child.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** A job's line of `msg` from the API processes' logs (whichever ran it). */
function apiLine(apis: Proc[], msg: string, jobId: string): Record<string, any> | undefined {
  for (const p of apis) {
    for (const l of p.lines) {
      if (!l.includes(`"${msg}"`) || !l.includes(jobId)) continue;
      try {
        return JSON.parse(l);
      } catch {
        /* not JSON */
      }
    }
  }
  return undefined;
}

/**
 * Where a job's time went: the coordinator's phases (snapshot read, pilot, snapshot to Redis,
 * shards, merging, finalising, result parts, storing) and each worker's shards (busy, idle between
 * shards, snapshot fetch and decode, prepare, runs, encode).
 */
function where(jobId: string, apis: Proc[], workers: Proc[]): string {
  const out: string[] = [];
  const steps = apiLine(apis, 'job steps', jobId);
  const phases = apiLine(apis, 'job phases', jobId);
  const doneLine = apiLine(apis, 'job done', jobId);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  if (steps && phases) {
    out.push(`    coordinator: snapshot read ${steps.snapshotSeconds} s, pilot ${s(phases.pilotMs)} (${phases.pilotSlices ?? 0} slices on the workers), snapshot encode ${s(phases.encodeSnapshotMs)} (${(phases.snapshotBytes / 1e6).toFixed(1)} MB) + to Redis ${s(phases.storeSnapshotMs)}, queue ${s(phases.queueMs)}, shards ${s(phases.shardsMs)} (decode partials ${s(phases.decodeMs)}, merge ${s(phases.mergeMs)}, after the last shard ${s(phases.lastMergeMs)}), finalise ${s(phases.finalizeMs)}, result parts ${steps.partsSeconds} s, store ${doneLine?.storeSeconds ?? '?'} s; job ${doneLine?.seconds ?? '?'} s`);
  }
  for (const w of workers) {
    const p = w.lines.filter((l) => l.includes('"pilot slice done"') && l.includes(jobId)).map((l) => JSON.parse(l));
    if (p.length) {
      const sum = (k: string) => p.reduce((a, x) => a + (x[k] ?? 0), 0);
      out.push(`    ${w.name}: ${p.length} pilot slices, busy ${sum('seconds').toFixed(2)} s (snapshot fetch ${s(sum('fetchMs'))}, decode ${s(sum('decodeMs'))}, prepare ${s(sum('prepareMs'))}, pilot runs ${s(sum('runMs'))}, queued ${s(sum('queuedMs'))})`);
    }
    const d = w.lines.filter((l) => l.includes('"shard done"') && l.includes(jobId)).map((l) => JSON.parse(l));
    if (!d.length) {
      out.push(`    ${w.name}: no shard`);
      continue;
    }
    const sum = (k: string) => d.reduce((a, x) => a + (x[k] ?? 0), 0);
    const first = Math.min(...d.map((x) => Date.parse(x.time) - x.seconds * 1000));
    const last = Math.max(...d.map((x) => Date.parse(x.time)));
    out.push(
      `    ${w.name}: ${d.length} shards, busy ${sum('seconds').toFixed(2)} s of ${((last - first) / 1000).toFixed(2)} s from first start to last end (idle between shards ${s(sum('idleMs'))}); ` +
        `snapshot fetch ${s(sum('fetchMs'))}, decode ${s(sum('decodeMs'))}, prepare ${s(sum('prepareMs'))}, runs ${s(sum('runMs'))}, encode ${s(sum('encodeMs'))} (${(sum('partialBytes') / d.length / 1e3).toFixed(0)} kB a partial), partial to Redis ${s(sum('storeMs'))}`,
    );
  }
  return out.join('\n');
}

async function main() {
  const figures: string[] = [];
  const record = (line: string) => {
    const withLoad = `${line}   [load ${load()}]`;
    figures.push(withLoad);
    say(withLoad);
  };
  say(`scale bench: ${ENTITIES} entities, mean degree ${DEGREE}, ${REPORTS} reports, ${RUNS} runs, workers ${WORKER_COUNTS.join(' then ')}, ${FROM_SOURCES ? 'from the sources' : 'from a build'}; load ${load()}`);

  const dir = mkdtempSync(join(tmpdir(), 'spillover-scale-'));
  let t0 = Date.now();
  const gen = generateScenario(join(dir, 'scenario'), { entities: ENTITIES, avgDegree: DEGREE, seed: 'scale' });
  record(`generated ${gen.entities} entities, ${gen.dependencies} dependencies in ${seconds(t0).toFixed(1)} s`);
  const scenario = JSON.parse(readFileSync(join(gen.dir, 'scenario.json'), 'utf8'));
  const weapon = JSON.parse(readFileSync(join(gen.dir, 'weapon.json'), 'utf8'));
  const seedReports = JSON.parse(readFileSync(join(gen.dir, 'reports.json'), 'utf8'));

  const database = REUSE || `spillover_scale_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: PG });
  await admin.connect();
  if (!REUSE) await admin.query(`CREATE DATABASE "${database}"`);
  ADMIN = `spo_admin_${database}`;
  const dbUrl = new URL(PG);
  dbUrl.pathname = `/${database}`;
  const queueName = `spillover-scale-${randomUUID()}`;

  // As deployed: from a build (the sources compile again in every process and thread under
  // @swc-node/register, and each worker's JIT warms up in the job); --sources runs the Procfile as written.
  const recipe = procfile();
  if (!FROM_SOURCES) {
    execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
    for (const type of Object.keys(recipe)) recipe[type] = fromBuild(recipe[type]);
  }
  const shardRuns = Math.ceil(RUNS / 32);
  const baseEnv = {
    ...envFile(),
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    JOB_QUEUE_NAME: queueName,
    JOB_SHARD_RUNS: String(shardRuns),
    JOB_PILOT_SLICE_RUNS: PILOT_SLICE,
    SPILLOVER_ADMIN_KEY: ADMIN,
    RATE_LIMIT_PER_MINUTE: '100000000',
    DATA_DIR: join(dir, 'data'),
  };
  const procs: Proc[] = [];
  const peaks = new Map<string, number>();
  const startApi = async (name: string, env: Record<string, string> = {}) => {
    const port = await freePort();
    // The API's own threads run the sampler's pilot and finalise; shards go to the workers.
    // info: the job's phase lines (the access lines come along).
    const p = start(name, recipe.api, { ...baseEnv, PORT: String(port), LOG_LEVEL: 'info', WORKER_THREADS: '2', ...env });
    procs.push(p);
    await waitHealthy(`http://127.0.0.1:${port}/health`, p);
    return { proc: p, url: `http://127.0.0.1:${port}` };
  };
  const stopped = new Set<Proc>();
  const stop = async (p: Proc) => {
    peaks.set(p.name, Math.max(peaks.get(p.name) ?? 0, p.peakRssMb()));
    stopped.add(p);
    await p.stop();
  };

  try {
    // One at a time: the first runs the migrations.
    const api1 = await startApi('api-1');
    const api2 = await startApi('api-2');
    const apis = [api1.url, api2.url];

    if (!REUSE) await importScenario(gen, apis, weapon, seedReports, scenario, record);
    if (IMPORT_ONLY) {
      record(`imported into database ${database}: run the assessments with --database ${database}`);
      return;
    }

    const body = { weaponId: weapon.id, asOf: scenario.asOf, horizonHours: scenario.horizonHours, runs: RUNS, seed: 1 };
    const runJob = async (api: string, label: string) => {
      const t = Date.now();
      const { body: job, ms } = await call(api, 'POST', '/v1/assessments', body);
      record(`${label}: POST /v1/assessments answered in ${(ms / 1000).toFixed(1)} s`);
      for (;;) {
        // End to end is the job row's own span, from its creation (the POST) to its end, so the
        // polls are sparse: each one costs the coordinator and the database CPU the workers need
        // (every 200 ms, about a tenth of what the other processes took from the two workers).
        await new Promise((r) => setTimeout(r, 1000));
        const { body: s } = await call(api, 'GET', `/v1/assessments/${job.id}`);
        if (s.status === 'done') {
          const span = (Date.parse(s.finishedAt) - Date.parse(s.createdAt)) / 1000;
          if (!(span > 0)) throw new Error(`${label}: job ${job.id} has no span (createdAt ${s.createdAt}, finishedAt ${s.finishedAt})`);
          record(`${label}: the bench saw the job done ${(seconds(t) - span).toFixed(1)} s after its end (the POST's answer and the polls)`);
          return { id: job.id as string, seconds: span, runner: s.runner as string };
        }
        if (s.status !== 'queued' && s.status !== 'running') throw new Error(`${label}: job ${s.status}: ${JSON.stringify(s.error)}`);
      }
    };

    // Each worker count's jobs in order (--workers 1,2,1,2,1,2 alternates them: the machine's own speed drifts).
    const timings = new Map<number, Array<{ total: number; shards: number; workerCpu: number }>>();
    let lastJob = '';
    for (const count of WORKER_COUNTS) {
      const workers: Proc[] = [];
      for (let i = 0; i < count; i++) {
        const w = start(`worker-${count}.${i + 1}`, recipe.worker, { ...baseEnv, LOG_LEVEL: 'info', WORKER_THREADS: '1' });
        procs.push(w);
        workers.push(w);
        await waitForLine(w, (l) => l.includes('"worker ready"'));
      }
      const cpuBefore = [api1.proc, api2.proc, ...workers].map(cpuSeconds);
      const job = await runJob(api1.url, `${count} worker(s)`);
      const used = [api1.proc, api2.proc, ...workers].map((p, i) => cpuSeconds(p) - cpuBefore[i]);
      const cpu = [api1.proc, api2.proc, ...workers].map((p, i) => `${p.name} ${used[i].toFixed(1)}`);
      const coordinator = used[0] + used[1];
      const shardCpu = used.slice(2).reduce((a, b) => a + b, 0);
      // The shard phase: from the first shard's start to the last shard's end, from the workers' logs.
      const done = workers.flatMap((w) => w.lines.filter((l) => l.includes('"shard done"')).map((l) => JSON.parse(l)));
      const starts = done.map((d) => Date.parse(d.time) - d.seconds * 1000);
      const ends = done.map((d) => Date.parse(d.time));
      const shardPhase = (Math.max(...ends) - Math.min(...starts)) / 1000;
      timings.set(count, [...(timings.get(count) ?? []), { total: job.seconds, shards: shardPhase, workerCpu: shardCpu }]);
      const rss = workers.map((w) => `${w.peakRssMb().toFixed(0)} MB`).join(', ');
      record(`assessment, ${RUNS} runs, ${count} worker process(es) of 1 thread: ${job.seconds.toFixed(1)} s end to end, shards ${shardPhase.toFixed(1)} s (${done.length} shards of ${shardRuns} runs); worker peak RSS ${rss}; api-1 peak RSS so far ${api1.proc.peakRssMb().toFixed(0)} MB`);
      say(where(job.id, [api1.proc, api2.proc], workers));
      // CPU seconds do not depend on what else runs on the machine: the API processes' share is
      // the part that more workers do not divide (the pilot, decoding and merging, finalising).
      say(`    CPU seconds during the job: ${cpu.join(', ')}; API processes ${(100 * coordinator / (coordinator + shardCpu)).toFixed(0)}% of the job's CPU`);
      for (const w of workers) await stop(w);
      lastJob = job.id;
    }
    if (timings.has(1) && timings.has(2)) {
      const ones = timings.get(1)!;
      const twos = timings.get(2)!;
      const pairs = Math.min(ones.length, twos.length);
      const ratios: Array<{ total: number; shards: number }> = [];
      for (let i = 0; i < pairs; i++) {
        ratios.push({ total: ones[i].total / twos[i].total, shards: ones[i].shards / twos[i].shards });
        // The same runs cost the workers more CPU when two run at once where the machine's cores share what the runs need (co-running.bench.ts).
        const more = 100 * (twos[i].workerCpu / ones[i].workerCpu - 1);
        record(`scaling 2 workers vs 1${pairs > 1 ? ` (pair ${i + 1})` : ''}: ${ratios[i].total.toFixed(2)}x end to end, ${ratios[i].shards.toFixed(2)}x over the shards (target 1.7x); the workers' CPU ${twos[i].workerCpu.toFixed(1)} s with two, ${ones[i].workerCpu.toFixed(1)} s with one (${more >= 0 ? '+' : ''}${more.toFixed(0)}%)`);
      }
      if (pairs > 1) {
        const f = (xs: number[]) => `${median(xs).toFixed(2)}x [${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}]`;
        record(`scaling 2 workers vs 1, ${pairs} pairs, median [min..max]: ${f(ratios.map((r) => r.total))} end to end, ${f(ratios.map((r) => r.shards))} over the shards`);
      }
    }


    const reads: Array<[string, string]> = [
      ['status and result', `/v1/assessments/${lastJob}`],
      ['entities page 1', `/v1/assessments/${lastJob}/entities?limit=100`],
      ['entities by loss', `/v1/assessments/${lastJob}/entities?limit=100&sort=loss`],
      ['rollup by country and sector', `/v1/assessments/${lastJob}/rollup?levels=country,sector`],
      ['rollup down to organisations', `/v1/assessments/${lastJob}/rollup`],
      ['early warning', `/v1/assessments/${lastJob}/early-warning`],
      ['timeline', `/v1/assessments/${lastJob}/timeline`],
    ];
    for (const [label, path] of reads) {
      const ms: number[] = [];
      let bytes = 0;
      // The organisation level lists every organisation a run reached: at 1M entities 190 MB, read twice.
      for (let i = 0; i < (label.includes('organisations') && ENTITIES > 100_000 ? 2 : 6); i++) {
        const r = await call(apis[i % 2], 'GET', path);
        ms.push(r.ms);
        bytes = r.text.length;
      }
      record(`read ${label}: ${stats(ms)} (${(bytes / 1e3).toFixed(0)} kB)`);
    }
    const bullmqRuns = (await call(api1.url, 'GET', `/v1/assessments/${lastJob}/runs.csv`)).text;
    const bullmqResult = (await call(api1.url, 'GET', `/v1/assessments/${lastJob}`)).body.result;

    for (const p of [api1.proc, api2.proc]) await stop(p);
    const inProcess = await startApi('api-in-process', { JOB_QUEUE: 'in-process' });
    const reference = await runJob(inProcess.url, 'in-process');
    const refRuns = (await call(inProcess.url, 'GET', `/v1/assessments/${reference.id}/runs.csv`)).text;
    const refResult = (await call(inProcess.url, 'GET', `/v1/assessments/${reference.id}`)).body.result;
    await stop(inProcess.proc);
    const diff = differences(bullmqResult, refResult);
    record(`in-process runner (2 threads): ${reference.seconds.toFixed(1)} s; BullMQ runs ${bullmqRuns === refRuns ? 'equal' : 'DIFFER FROM'} the in-process runs bit for bit (${refRuns.split('\n').length - 2} rows); result: ${diff.length === 0 ? 'equal bit for bit' : `${diff.length} numbers differ, e.g. ${diff.slice(0, 3).join(', ')}`}`);
    record(`peak RSS: ${[...peaks.entries()].map(([n, mb]) => `${n} ${mb.toFixed(0)} MB`).join(', ')}`);
  } finally {
    // A process that ended on its own (crashed, killed by the OOM killer) says how, with its peak memory.
    for (const p of procs) {
      if (!stopped.has(p) && (p.child.exitCode !== null || p.child.signalCode !== null)) say(`${p.name} ended by itself: exit ${p.child.exitCode}, signal ${p.child.signalCode}, peak RSS ${p.peakRssMb().toFixed(0)} MB`);
    }
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
    const queue = new Queue(queueName, { connection: redisOptions(REDIS_URL) });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    else say(`database kept: ${dbUrl}`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  say('\nfigures:');
  for (const f of figures) say(`  ${f}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
