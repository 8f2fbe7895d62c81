/**
 * JOB_QUEUE=bullmq: an assessment split into shards on Redis, run by two shard workers, merged
 * exactly (every run index once), progress throughout, cancellation reaching the workers; on
 * the real engine, the sampler's pilot run once by the coordinator and carried by every shard
 * (the same runs as the in-process runner, the whole result bit for bit when the shards are the
 * engine's chunks), the pilot's runs handed to the workers as slices (one failing once is
 * retried; the proposal is the one fitted here bit for bit), cancellation during the pilot, and
 * shard jobs queued without a proposal.
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379): without it this test FAILS, it does not skip.
 */
import { INestApplication } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AssessmentJobInput } from '../../src/jobs/job-input';
import { engineBinding } from '../../src/jobs/engine-binding';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { fitPosterior } from '../../src/engine/synthetic-likelihood';
import { BullMqRunner } from '../../src/jobs/bullmq.runner';
import { decode, decodeBuffer, encodeBuffer } from '../../src/jobs/codec';
import { InProcessRunner } from '../../src/jobs/in-process.runner';
import type { JobContext } from '../../src/jobs/job-scheduler.service';
import { FINALIZE_FROM, type EngineBinding } from '../../src/jobs/monte-carlo-runner';
import { partialKey, PilotJobData, ShardJobData, redisOptions } from '../../src/jobs/queue-names';
import { startWorker } from '../../src/jobs/worker';
import { readScenario } from '../../src/scenario-format';
import { createScriptedApp, ScriptedEngine } from './assessments.scripted-engine';
import { auth, Keys, request, seedKeys } from './support/app';

// Counts the sampler's pilot fits (the synthetic-likelihood pilot fits the posterior once per
// round, in the calling thread), passing through to the real one.
jest.mock('../../src/engine/synthetic-likelihood', () => {
  const actual = jest.requireActual('../../src/engine/synthetic-likelihood');
  return { ...actual, fitPosterior: jest.fn(actual.fitPosterior) };
});
const pilotFits = fitPosterior as jest.MockedFunction<typeof fitPosterior>;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A queue of this test run's own: another copy of the suite on the same Redis must not take its shards. */
const SHARD_QUEUE = `spillover-shards-test-${randomUUID()}`;

async function requireRedis(): Promise<void> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is required for the BullMQ queue test and is not reachable at ${REDIS_URL} (${(err as Error).message}). Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
  } finally {
    redis.disconnect();
  }
}

describe('assessments on a BullMQ queue with shard workers', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let keys: Keys;
  const engine = new ScriptedEngine();
  const workers: Array<{ close: () => Promise<void> }> = [];
  const workerEngines = [new ScriptedEngine(), new ScriptedEngine()];

  beforeAll(async () => {
    await requireRedis();
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    await queue.obliterate({ force: true });
    await queue.close();
    app = await createScriptedApp(engine, { queue: 'bullmq', redisUrl: REDIS_URL, queueName: SHARD_QUEUE, shardRuns: 100 });
    http = request(app.getHttpServer());
    keys = await seedKeys(app);
    for (const e of workerEngines) workers.push(await startWorker({ ...process.env, REDIS_URL, JOB_QUEUE_NAME: SHARD_QUEUE, LOG_LEVEL: 'error' }, e));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await app?.close();
  });

  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const res = await http.get(`/v1/assessments/${id}`).set(auth(keys.a.analyst)).expect(200);
      if (res.body.status === status) return res.body;
      if (['failed', 'cancelled', 'done'].includes(res.body.status)) throw new Error(`ended ${res.body.status}: ${JSON.stringify(res.body.error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never reached ${status}`);
  };

  it('splits the runs into shards for both workers, shows progress, and merges every run exactly once', async () => {
    engine.durationMs = 0;
    for (const e of workerEngines) e.durationMs = 400;
    const { body } = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 1050 }).expect(202);
    expect(body.runner).toBe('bullmq');
    const seen: number[] = [];
    for (;;) {
      const s = (await http.get(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200)).body;
      seen.push(s.progress);
      if (s.status === 'done') break;
      if (s.status === 'failed') throw new Error(JSON.stringify(s.error));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(seen.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(2);
    expect(workerEngines[0].shardCalls).toBeGreaterThan(0);
    expect(workerEngines[1].shardCalls).toBeGreaterThan(0);
    expect(workerEngines[0].shardCalls + workerEngines[1].shardCalls).toBe(11);
    const csv = (await http.get(`/v1/assessments/${body.id}/runs.csv`).set(auth(keys.a.researcher)).expect(200)).text;
    expect(csv.trim().split('\n').slice(1).map(Number)).toEqual(Array.from({ length: 1050 }, (_, i) => i));
  });

  it('cancels: the job ends cancelled and the workers stop taking its shards', async () => {
    for (const e of workerEngines) {
      e.durationMs = 1500;
      e.shardCalls = 0;
    }
    const { body } = await http.post('/v1/assessments').set(auth(keys.a.analyst)).send({ weaponId: 'wpn', asOf: '2017-06-28T00:00:00Z', runs: 2000 }).expect(202);
    await waitFor(body.id, 'running');
    await new Promise((r) => setTimeout(r, 300));
    await http.delete(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await http.get(`/v1/assessments/${body.id}`).set(auth(keys.a.analyst)).expect(200)).body.status).toBe('cancelled');
    expect(workerEngines[0].shardCalls + workerEngines[1].shardCalls).toBeLessThan(20);
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    try {
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});

/** Where two outputs differ, and by how much (jest's diff of a whole NotPetya output takes minutes). */
function differences(a: unknown, b: unknown, path = '$', out = { paths: [] as string[], maxRelative: 0 }) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (!Object.is(a, b)) {
      out.paths.push(path);
      out.maxRelative = Math.max(out.maxRelative, Number.isFinite(a - b) ? Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)) : Infinity);
    }
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (!Object.is(a, b)) {
    out.paths.push(path);
    out.maxRelative = Infinity;
  }
  return out;
}

describe('the real engine on the BullMQ queue: the sampler pilot is fitted once, in the coordinating process, its runs on the workers', () => {
  const RUNS = 600;
  /** The engine's default chunk of runs for RUNS (ceil(runs/32), src/engine/shard.ts): shards of it fold like the in-process chunks. */
  const ENGINE_CHUNK = Math.ceil(RUNS / 32);
  let snapshot: ScenarioSnapshot;
  let input: AssessmentJobInput;
  let inProcess: any;
  const workers: Array<{ close: () => Promise<void> }> = [];
  /** What the workers' engine was handed, shard by shard, and the pilot fits made while shards ran. */
  const shards: Array<{ runStart: number; proposal: unknown; partial: unknown }> = [];
  let pilotFitsInShards = 0;
  /** Pilot slices the workers computed (first pilot run, rows), and whether the next one fails (to be retried). */
  const slices: Array<{ base: number; rows: number }> = [];
  let failNextSlice = false;
  let addBulk: jest.SpiedFunction<Queue['addBulk']>;

  // The workers run in this process; the coordinator's pilot ends before any shard is queued, so
  // a fit while a shard runs is a worker's.
  const workerBinding: EngineBinding = {
    ...engineBinding,
    async runShard(s, i, shard, opts) {
      const before = pilotFits.mock.calls.length;
      const partial = await engineBinding.runShard(s, i, shard, opts);
      pilotFitsInShards += pilotFits.mock.calls.length - before;
      shards.push({ runStart: shard.runStart, proposal: opts.proposal, partial });
      return partial;
    },
    async pilotSlice(s, i, z, base, opts) {
      if (failNextSlice) {
        failNextSlice = false;
        throw new Error('a pilot slice failing once (the test)');
      }
      const rows = await engineBinding.pilotSlice!(s, i, z, base, opts);
      slices.push({ base, rows: rows.length });
      return rows;
    },
  };
  const context = (progress: number[] = []): JobContext => ({ signal: new AbortController().signal, progress: (f) => progress.push(f) });
  const runOnQueue = async (shardRuns: number, progress?: number[]): Promise<any> => {
    shards.length = 0;
    slices.length = 0;
    pilotFitsInShards = 0;
    addBulk.mockClear();
    const runner = new BullMqRunner(engineBinding, REDIS_URL, SHARD_QUEUE, shardRuns, 2);
    try {
      return await runner.run(`proposal-job-${shardRuns}`, snapshot, input, context(progress));
    } finally {
      await runner.close();
    }
  };
  const queuedShards = () => addBulk.mock.calls.flatMap(([jobs]) => jobs.filter((j) => j.name === 'shard').map((j) => j.data as ShardJobData));
  const queuedSlices = () => addBulk.mock.calls.flatMap(([jobs]) => jobs.filter((j) => j.name === 'pilot').map((j) => j.data as PilotJobData));

  beforeAll(async () => {
    await requireRedis();
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    await queue.obliterate({ force: true });
    await queue.close();
    addBulk = jest.spyOn(Queue.prototype, 'addBulk');
    const data = await readScenario('fixtures/notpetya-2017');
    const asOf = new Date(data.scenario.asOf).toISOString();
    const reports = data.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() })).filter((r) => r.observedAt <= asOf);
    snapshot = { entities: data.entities, dependencies: data.dependencies, weapon: data.weapon, reports, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours };
    input = { kind: 'assessment', weaponId: data.weapon.id, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours, model: 'sir', runs: RUNS, seed: 20170627, confidenceLevel: 0.9, calibrate: true };
    // A copy of the scenario: the in-process runner fits its own pilot (the engine caches it per prepared model).
    inProcess = await new InProcessRunner(engineBinding, 2).run('in-process-job', structuredClone(snapshot), input, context());
    for (let i = 0; i < 2; i++) workers.push(await startWorker({ ...process.env, REDIS_URL, JOB_QUEUE_NAME: SHARD_QUEUE, LOG_LEVEL: 'error' }, workerBinding));
  }, 600_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    addBulk?.mockRestore();
  });

  let shardOf200: unknown;

  it('hands every shard the proposal fitted once here from pilot runs on the workers (a failed slice retried); the workers fit no pilot and draw the runs the in-process runner draws', async () => {
    const progress: number[] = [];
    failNextSlice = true;
    const bullmq = await runOnQueue(200, progress);
    expect(failNextSlice).toBe(false);

    // 120 particles (a fifth of the runs) a round, 3 rounds, in slices of 25 pilot runs: 15
    // slices, each computed once by a worker (the one that failed, again, by either)
    const queuedPilot = queuedSlices();
    const bases = Array.from({ length: 3 }, (_, r) => [0, 25, 50, 75, 100].map((a) => 120 * r + a)).flat();
    expect(queuedPilot.map((d) => d.pilot.base)).toEqual(bases);
    expect(slices.map((x) => x.base).sort((a, b) => a - b)).toEqual(bases);
    const width = slices[0].rows / 25;
    for (const x of slices) expect(x.rows).toBe(width * (x.base % 120 === 100 ? 20 : 25));
    // the round's jobs are removed from the queue once it is answered
    const queue = new Queue(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    try {
      expect((await queue.getJobs(['completed', 'waiting', 'active', 'failed'])).filter((j) => j.name === 'pilot')).toEqual([]);
    } finally {
      await queue.close();
    }

    const queued = queuedShards();
    expect(queued.map((d) => d.shard.runStart)).toEqual([0, 200, 400]);
    for (const d of queued) expect(typeof d.proposal).toBe('string');
    const proposal = decode<Record<string, unknown>>(queued[0].proposal!);
    // sized for the job's runs (a fifth), not a shard's
    expect(proposal).toMatchObject({ format: 'spillover.proposal/1', dims: expect.arrayContaining([0]), stages: expect.arrayContaining([expect.objectContaining({ drawnFrom: 'prior', particles: RUNS / 5 })]) });
    for (const d of queued) expect(decode(d.proposal!)).toEqual(proposal);
    // Fitted afresh from a copy of the scenario, the pilot gives the same proposal.
    expect(await engineBinding.proposal!(structuredClone(snapshot), input, { threads: 1 })).toEqual(proposal);

    expect(shards.map((s) => s.runStart).sort((a, b) => a - b)).toEqual([0, 200, 400]);
    for (const s of shards) expect(s.proposal).toEqual(proposal);
    expect(pilotFitsInShards).toBe(0);
    expect(progress.some((p) => p > 0 && p < FINALIZE_FROM)).toBe(true);

    // Every run drew the same parameters and came out the same (a proposal off by one bit would
    // change the draws); only the sums differ in their last bits, as shards of several engine
    // chunks fold them in another order than one pass over all chunks.
    const runs = differences(bullmq.runs, inProcess.runs);
    expect(runs.paths.filter((p) => !/^\$\.rows\.\d+\.1$/.test(p))).toEqual([]);
    expect(runs.maxRelative).toBeLessThan(1e-12);
    expect(differences(bullmq.summary.total, inProcess.summary.total).maxRelative).toBeLessThan(1e-12);
    shardOf200 = shards.find((s) => s.runStart === 200)!.partial;
  }, 600_000);

  it("with shards of the engine's chunks, the result is the in-process one bit for bit", async () => {
    const bullmq = await runOnQueue(ENGINE_CHUNK);
    expect(queuedShards()).toHaveLength(32);
    expect(shards).toHaveLength(32);
    for (const s of shards) expect(s.proposal).toMatchObject({ format: 'spillover.proposal/1' });
    expect(pilotFitsInShards).toBe(0);
    // Object.is on every number, so -0 and NaN count too.
    expect(differences(bullmq, inProcess).paths.slice(0, 10)).toEqual([]);
    // The partials went beside the queue and were deleted once read: the queue's event stream
    // holds only their keys, and no partial is left in Redis.
    const shardIds = addBulk.mock.calls.flatMap(([jobs]) => jobs.filter((j) => j.name === 'shard').map((j) => j.opts!.jobId!));
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    try {
      expect(await redis.exists(...shardIds.map(partialKey))).toBe(0);
      const fieldsOf = (flat: string[]) => Object.fromEntries(flat.flatMap((x, k) => (k % 2 === 0 ? [[x, flat[k + 1]]] : [])));
      const events = (await redis.xrange(`bull:${SHARD_QUEUE}:events`, '-', '+')).map(([, flat]) => fieldsOf(flat));
      const answers = events.filter((e) => e.event === 'completed' && shardIds.includes(e.jobId)).map((e) => e.returnvalue);
      expect(answers).toHaveLength(32);
      for (const a of answers) expect(JSON.parse(a)).toMatch(/^spillover:partial:/);
    } finally {
      await redis.quit();
    }
  }, 600_000);

  it('cancelling during the pilot stops it, and no shard is queued', async () => {
    const controller = new AbortController();
    const { fitPosterior: fit } = jest.requireActual('../../src/engine/synthetic-likelihood');
    // cancelled as the pilot fits the proposal: no shard may be queued
    pilotFits.mockImplementationOnce((...args) => {
      controller.abort(new Error('cancelled by the test'));
      return fit(...args);
    });
    pilotFits.mockClear();
    addBulk.mockClear();
    const runner = new BullMqRunner(engineBinding, REDIS_URL, SHARD_QUEUE, 200, 2);
    try {
      // a copy of the scenario, so the engine has no pilot cached for it
      await expect(runner.run('cancelled-in-pilot', structuredClone(snapshot), input, { signal: controller.signal, progress: () => undefined })).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await runner.close();
    }
    expect(pilotFits).toHaveBeenCalledTimes(1);
    // the first round's slices went to the workers; the second was never queued, nor any shard
    expect(queuedSlices().map((d) => d.pilot.base)).toEqual([0, 25, 50, 75, 100]);
    expect(queuedShards()).toEqual([]);
  }, 600_000);

  it('a shard job queued without a proposal (before it travelled with them): the worker fits it, same partial', async () => {
    expect(shardOf200).toBeDefined();
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue<ShardJobData>(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    const events = new QueueEvents(SHARD_QUEUE, { connection: redisOptions(REDIS_URL) });
    const key = 'spillover:snapshot:old-shard-job:test';
    try {
      await events.waitUntilReady();
      // A scenario object the workers have not seen, so no pilot is cached for it.
      await redis.set(key, encodeBuffer(snapshot), 'EX', 600);
      shards.length = 0;
      pilotFitsInShards = 0;
      const job = await queue.add('shard', { jobId: 'old-shard-job', snapshotKey: key, input, shard: { index: 1, runStart: 200, runCount: 200 } }, { jobId: 'old-shard-job-1' });
      // The answer is the key where the partial waits (the coordinator reads and deletes it).
      const answer = await job.waitUntilFinished(events, 600_000);
      expect(answer).toBe(partialKey('old-shard-job-1'));
      const partial = decodeBuffer((await redis.getBuffer(answer))!);
      await redis.del(answer);
      expect(shards).toHaveLength(1);
      expect(shards[0].proposal).toBeUndefined();
      // the pilot fits the posterior once per round: 3 rounds, in the worker
      expect(pilotFitsInShards).toBe(3);
      expect(differences(partial, shardOf200).paths.slice(0, 10)).toEqual([]);
      await job.remove();
    } finally {
      await redis.del(key);
      await Promise.allSettled([events.close(), queue.close()]);
      await redis.quit();
    }
  }, 600_000);
});
