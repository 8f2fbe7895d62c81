/**
 * Shard workers as real OS processes (started from docs/deploy/Procfile) on NotPetya, against
 * the in-process runner: one worker killed with SIGKILL mid-shard (its shard goes back to the
 * queue and runs on the other; every shard is completed once; the result is the in-process one
 * bit for bit), one killed mid-slice of the sampler's pilot (the slice is retried on the other;
 * the same result), and one drained with SIGTERM mid-shard (it hands its shard back and exits 0).
 * Their heartbeats are what GET /health/ready lists. Shards are the engine's chunks, the size at
 * which the merged result equals the in-process one bit for bit.
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379): without it this test FAILS, it does not skip.
 */
import { QueueEvents, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AssessmentJobInput } from '../../src/jobs/job-input';
import { engineBinding } from '../../src/jobs/engine-binding';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { BullMqRunner } from '../../src/jobs/bullmq.runner';
import { InProcessRunner } from '../../src/jobs/in-process.runner';
import type { JobContext } from '../../src/jobs/job-scheduler.service';
import { heartbeatKey, redisOptions, WorkerBeat } from '../../src/jobs/queue-names';
import { differences } from '../support/differences';
import { notPetyaJob } from '../support/notpetya';
import { procfile, Proc, start, waitForLine } from '../support/processes';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUEUE = `spillover-shards-test-${randomUUID()}`;
const RUNS = 1600;
const ENGINE_CHUNK = Math.ceil(RUNS / 32);

describe('shard worker processes: killed or drained mid-shard, the result is the in-process one', () => {
  let snapshot: ScenarioSnapshot;
  let input: AssessmentJobInput;
  let inProcess: unknown;
  let redis: IORedis;
  let events: QueueEvents;
  const stalled: string[] = [];
  const workers: Proc[] = [];

  const context = (): JobContext => ({ signal: new AbortController().signal, progress: () => undefined });
  const startWorker = async (name: string, env: Record<string, string> = {}) => {
    const w = start(name, procfile().worker, { REDIS_URL, JOB_QUEUE_NAME: QUEUE, WORKER_THREADS: '1', JOB_SHARD_LOCK_SECONDS: '2', LOG_LEVEL: 'info', ...env });
    workers.push(w);
    const ready = JSON.parse(await waitForLine(w, (l) => l.includes('"worker ready"')));
    return { proc: w, id: ready.id as string };
  };
  /** Resolves once the worker's heartbeat says it runs a shard (`pilot`: a slice of the job's pilot, whose ids hold '-pilot-'). */
  const runningShard = async (id: string, pilot = false): Promise<string> => {
    for (;;) {
      const raw = await redis.get(heartbeatKey(QUEUE, id));
      const beat = raw ? (JSON.parse(raw) as WorkerBeat) : null;
      if (beat?.state === 'running' && beat.shard && beat.shard.includes('-pilot-') === pilot) return beat.shard;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const shardsDone = (procs: Proc[], jobId: string) => procs.flatMap((p) => p.lines.filter((l) => l.includes('"shard done"') && l.includes(`"jobId":"${jobId}"`)).map((l) => JSON.parse(l).shard as number));
  const runOnQueue = async (jobId: string, during: () => Promise<void>, scenario = snapshot) => {
    const runner = new BullMqRunner(engineBinding, REDIS_URL, QUEUE, ENGINE_CHUNK, 2);
    try {
      const result = runner.run(jobId, scenario, input, context());
      await during();
      return { result: await result, readiness: await runner.readiness() };
    } finally {
      await runner.close();
    }
  };

  beforeAll(async () => {
    redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch((err) => {
      throw new Error(`Redis is required for the worker-process test and is not reachable at ${REDIS_URL} (${err.message})`);
    });
    events = new QueueEvents(QUEUE, { connection: redisOptions(REDIS_URL) });
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    ({ snapshot, input } = await notPetyaJob(RUNS, 20170627));
    inProcess = await new InProcessRunner(engineBinding, 2).run('in-process-job', structuredClone(snapshot), input, context());
  }, 300_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    const queue = new Queue(QUEUE, { connection: redisOptions(REDIS_URL) });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await Promise.allSettled([queue.close(), events?.close()]);
    redis?.disconnect();
  });

  it('a worker killed with SIGKILL mid-shard: its shard is retried on the other, each shard counted once, the in-process result bit for bit', async () => {
    const victim = await startWorker('victim');
    const survivor = await startWorker('survivor');
    let killed = '';
    const { result, readiness } = await runOnQueue('kill-job', async () => {
      killed = await runningShard(victim.id);
      victim.proc.child.kill('SIGKILL');
    });
    expect(stalled).toContain(killed);
    // 32 shards, each completed once: the victim's finished ones and the survivor's, the killed one among the latter.
    const done = shardsDone([victim.proc, survivor.proc], 'kill-job');
    expect([...done].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(shardsDone([survivor.proc], 'kill-job')).toContain(Number(killed.split('-').pop()));
    expect(differences(result, inProcess).slice(0, 10)).toEqual([]);
    // the dead worker's heartbeat has not expired yet (15 s), the survivor's is live
    expect(readiness.ready).toBe(true);
    expect(readiness.queue.workers.map((w) => w.id)).toContain(survivor.id);
  }, 300_000);

  it("a worker killed with SIGKILL mid-slice of the sampler's pilot: the slice is retried on the other, the in-process result bit for bit", async () => {
    const victim = await startWorker('pilot-victim');
    const survivor = workers.find((w) => w.name === 'survivor')!;
    let killed = '';
    // a copy of the scenario: the coordinator has no proposal cached for it, so the pilot runs
    const { result } = await runOnQueue(
      'pilot-kill-job',
      async () => {
        killed = await runningShard(victim.id, true);
        victim.proc.child.kill('SIGKILL');
      },
      structuredClone(snapshot),
    );
    expect(stalled).toContain(killed);
    const base = (l: string) => JSON.parse(l).base as number;
    const slicesDone = (p: Proc) => p.lines.filter((l) => l.includes('"pilot slice done"') && l.includes('"jobId":"pilot-kill-job"')).map(base);
    // 320 particles a round (a fifth of the runs) in slices of 25, 3 rounds: each slice once
    const all = [...slicesDone(victim.proc), ...slicesDone(survivor)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 3 }, (_, r) => Array.from({ length: 13 }, (_, k) => 320 * r + 25 * k)).flat());
    // pilot jobs are named by their first pilot run
    expect(slicesDone(survivor)).toContain(Number(killed.split('-').pop()));
    expect(differences(result, inProcess).slice(0, 10)).toEqual([]);
    // the survivor fetched the job's snapshot once, for its first slice, and kept the model for
    // its other slices and all its shards (the log names the fetch with the step it served)
    const job = survivor.lines.filter((l) => (l.includes('"pilot slice done"') || l.includes('"shard done"')) && l.includes('"jobId":"pilot-kill-job"')).map((l) => JSON.parse(l));
    expect(job.filter((l) => l.msg === 'shard done').length).toBeGreaterThan(1);
    expect(job.filter((l) => l.snapshotBytes > 0).map((l) => l.msg)).toEqual(['pilot slice done']);
    expect(job.filter((l) => l.decodeMs > 0).length).toBe(1);
  }, 300_000);

  it('a worker drained with SIGTERM mid-shard hands the shard back (WORKER_DRAIN_SECONDS=0), leaves the heartbeats and exits 0', async () => {
    const drained = await startWorker('drained', { WORKER_DRAIN_SECONDS: '0' });
    let code: number | null = null;
    const { result, readiness } = await runOnQueue('drain-job', async () => {
      await runningShard(drained.id);
      code = await drained.proc.stop('SIGTERM');
    });
    expect(code).toBe(0);
    expect(drained.proc.lines.some((l) => l.includes('"shard handed back"'))).toBe(true);
    const done = shardsDone(workers, 'drain-job');
    expect([...done].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(differences(result, inProcess).slice(0, 10)).toEqual([]);
    expect(await redis.exists(heartbeatKey(QUEUE, drained.id))).toBe(0);
    expect(readiness.queue.workers.map((w) => w.id)).not.toContain(drained.id);
  }, 300_000);
});
