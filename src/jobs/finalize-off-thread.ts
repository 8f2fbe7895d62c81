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
import type { FinalizeReply, FinalizeRequest } from './finalize.worker';

/** Seconds finalising is expected to take for `runs` runs (measured ~4 s at 10,000 NotPetya runs). */
const expectedSeconds = (runs: number) => 0.5 + runs * 0.0004;

/** A started thread waiting for the next finalise (unref'd: it never holds the process open). */
let warm: Worker | null = null;

function startThread(): Worker {
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

export async function finalizeOffThread(
  model: ScenarioModel,
  partial: AssessmentPartial,
  options: AssessmentOptions,
  progress?: { from: number; to: number; report: (f: number) => void },
  signal?: AbortSignal,
): Promise<AssessmentResult> {
  const { onProgress: _p, signal: _s, ...plain } = options;
  const started = Date.now();
  const expected = expectedSeconds(options.runs);
  const tick = progress
    ? setInterval(() => {
        const t = (Date.now() - started) / 1000;
        progress.report(progress.from + (progress.to - progress.from) * (1 - Math.exp(-t / expected)));
      }, 250)
    : null;
  progress?.report(progress.from);
  try {
    const worker = takeThread();
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
      const onMessage = (m: FinalizeReply) => {
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
      // The partial moves to the worker rather than being copied (hundreds of MB at 100,000
      // runs); the caller does not use it afterwards.
      const request: FinalizeRequest = { model, partial, options: plain };
      worker.postMessage(request, ownBuffers(partial));
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_WORKER_INIT_FAILED') return finalizeAssessment(model, partial, plain);
    throw err;
  } finally {
    if (tick) clearInterval(tick);
  }
}

/** The partial's own array buffers (whole-buffer views only; shared memory is never moved). */
export function ownBuffers(partial: AssessmentPartial): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of Object.values(partial)) {
    // (tag test, not instanceof: arrays may come from another realm, e.g. under jest)
    if (ArrayBuffer.isView(v) && Object.prototype.toString.call(v.buffer) === '[object ArrayBuffer]' && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer as ArrayBuffer);
  }
  return [...out];
}
