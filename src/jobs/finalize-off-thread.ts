/**
 * Runs the engine's finalizeAssessment in a worker thread (see finalize.worker.ts) and, while
 * it runs, moves progress from `from` towards `to` (never reaching it) so readers see the job
 * alive through the final step. Falls back to the main thread when workers cannot start.
 *
 * Starting a thread and loading the engine into it costs 0.3-0.8 s from the sources
 * (@swc-node/register compiles it again in every thread): a coordinator warms one while the
 * shards run (warmFinalizeThread), so that time is not spent after the last shard, where no
 * worker can share it. A thread finalises one job and ends, which frees its heap (hundreds of
 * MB at a million entities).
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AssessmentOptions } from '../engine/options';
import { finalizeAssessment } from '../engine/assess';
import type { AssessmentResult } from '../engine/result';
import type { ScenarioModel } from '../engine/model';
import type { AssessmentPartial } from '../engine/partial';
import type { FinalizeReply, FinalizeRequest, FoldReply, FoldRequest } from './finalize.worker';

/** Seconds finalising is expected to take for `runs` runs (measured ~4 s at 10,000 NotPetya runs). */
const expectedSeconds = (runs: number) => 0.5 + runs * 0.0004;

/** A started thread waiting for the next finalise (unref'd: it never holds the process open). */
let warm: Worker | null = null;

/** A thread of finalize.worker.ts (it starts its own, for group ranges, from any thread). */
export function startThread(): Worker {
  const ext = extname(__filename);
  return new Worker(join(__dirname, `finalize.worker${ext === '.ts' ? '.ts' : '.js'}`), {
    execArgv: ext === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
  });
}

/** Starts the next finalise's thread now, unless one is waiting already. */
export function warmFinalizeThread(): void {
  if (warm !== null) return;
  try {
    warm = startThread();
  } catch {
    return; // finalizeOffThread starts one (or falls back) when it is needed
  }
  const w = warm;
  w.unref();
  // A thread that fails to start is not handed a job.
  w.once('error', () => {
    if (warm === w) warm = null;
  });
}

/** The waiting thread's id (null: none waits), for logs and tests. */
export function warmFinalizeThreadId(): number | null {
  return warm?.threadId ?? null;
}

function takeThread(): Worker {
  const w = warm;
  warm = null;
  return w ?? startThread();
}

export function finalizeOffThread(
  model: ScenarioModel,
  partial: AssessmentPartial,
  options: AssessmentOptions,
  progress?: { from: number; to: number; report: (f: number) => void },
  signal?: AbortSignal,
): Promise<AssessmentResult> {
  const plain = cloneable(options);
  const initFailed = (err: unknown) => (err as { code?: string }).code === 'ERR_WORKER_INIT_FAILED';
  try {
    // The partial moves to the worker rather than being copied (hundreds of MB at 100,000
    // runs); the caller does not use it afterwards.
    return finalizeOn(takeThread(), { model, partial, options: plain } satisfies FinalizeRequest, ownBuffers(partial), options.runs, progress, signal).catch((err) =>
      initFailed(err) ? finalizeAssessment(model, partial, plain) : Promise.reject(err),
    );
  } catch (err) {
    if (initFailed(err)) return Promise.resolve(finalizeAssessment(model, partial, plain));
    throw err;
  }
}

/** Sends a finalise request to `worker` and waits for its answer, moving progress meanwhile; the thread ends with it. */
async function finalizeOn(
  worker: Worker,
  request: FinalizeRequest | FoldRequest,
  transfer: ArrayBuffer[],
  runs: number,
  progress?: { from: number; to: number; report: (f: number) => void },
  signal?: AbortSignal,
): Promise<AssessmentResult> {
  const started = Date.now();
  const expected = expectedSeconds(runs);
  const tick = progress
    ? setInterval(() => {
        const t = (Date.now() - started) / 1000;
        progress.report(progress.from + (progress.to - progress.from) * (1 - Math.exp(-t / expected)));
      }, 250)
    : null;
  progress?.report(progress.from);
  try {
    worker.ref();
    return await new Promise<AssessmentResult>((resolve, reject) => {
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onAbort = () => {
        settle();
        void worker.terminate();
        reject(signal?.reason ?? new Error('cancelled'));
      };
      const onMessage = (m: FinalizeReply | FoldReply) => {
        if ('type' in m) return; // a fold's late answer
        settle();
        void worker.terminate();
        if (m.ok) resolve(m.result);
        else reject(new Error(m.message));
      };
      const onError = (err: Error) => {
        settle();
        void worker.terminate();
        reject(err);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(request, transfer);
    });
  } finally {
    if (tick) clearInterval(tick);
  }
}

/**
 * A coordinator's job folded and finalised on the finalise thread (finalize.worker.ts): the
 * shards' partials are read from Redis there, not on the main thread. `add` resolves once shard
 * i's partial is read and decoded (and folded, when the shards before it are); `finalize` after
 * every `add` has resolved. `close` ends the thread (a failed or cancelled job).
 */
export class FoldSession {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private broken: Error | null = null;
  /** Summed over the shards (ms): reading from Redis, decoding, folding. */
  readonly timing = { readMs: 0, decodeMs: 0, mergeMs: 0 };

  constructor(runs: number, redisUrl: string) {
    this.worker = takeThread();
    this.worker.on('message', (m: FoldReply | FinalizeReply) => {
      if (!('type' in m)) return;
      const p = this.pending.get(m.i);
      this.pending.delete(m.i);
      if (m.type === 'folded') {
        this.timing.readMs += m.readMs;
        this.timing.decodeMs += m.decodeMs;
        this.timing.mergeMs += m.mergeMs;
        p?.resolve();
      } else p?.reject(new Error(m.message));
    });
    const fail = (err: Error) => {
      this.broken ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the finalise thread exited (${code})`)));
    this.worker.postMessage({ type: 'fold-start', runs, redisUrl } satisfies FoldRequest);
  }

  add(i: number, answer: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(i, { resolve, reject });
      this.worker.postMessage({ type: 'fold', i, answer } satisfies FoldRequest);
    });
  }

  finalize(model: ScenarioModel, options: AssessmentOptions, progress?: { from: number; to: number; report: (f: number) => void }, signal?: AbortSignal): Promise<AssessmentResult> {
    if (this.broken) return Promise.reject(this.broken);
    const plain = cloneable(options);
    return finalizeOn(this.worker, { type: 'finalize', model, options: plain } satisfies FoldRequest, [], options.runs, progress, signal);
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** The options without what cannot cross to a thread (a callback, a signal: the caller keeps those). */
function cloneable(options: AssessmentOptions): AssessmentOptions {
  const { onProgress: _p, signal: _s, ...plain } = options;
  return plain;
}

/**
 * The partial's own array buffers: those its arrays view from their start (the whole buffer, or
 * the runs and rows of one with room beyond them: runShard's and a fold's); shared memory and
 * views into a larger decoded buffer are never moved.
 */
export function ownBuffers(partial: AssessmentPartial): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of Object.values(partial)) {
    // (tag test, not instanceof: arrays may come from another realm, e.g. under jest)
    if (ArrayBuffer.isView(v) && Object.prototype.toString.call(v.buffer) === '[object ArrayBuffer]' && v.byteOffset === 0) out.add(v.buffer as ArrayBuffer);
  }
  return [...out];
}
