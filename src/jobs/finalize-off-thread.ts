/**
 * Runs the engine's finalizeAssessment in a worker thread (see finalize.worker.ts) and, while
 * it runs, moves progress from `from` towards `to` (never reaching it) so readers see the job
 * alive through the final step. Falls back to the main thread when workers cannot start.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AssessmentOptions } from '../engine/options';
import { finalizeAssessment } from '../engine/assess';
import type { AssessmentResult } from '../engine/result';
import type { ScenarioModel } from '../engine/model';
import type { AssessmentPartial } from '../engine/partial';

/** Seconds finalising is expected to take for `runs` runs (measured ~4 s at 10,000 NotPetya runs). */
const expectedSeconds = (runs: number) => 0.5 + runs * 0.0004;

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
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `finalize.worker${ext === '.ts' ? '.ts' : '.js'}`), {
      execArgv: ext === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
    });
    return await new Promise<AssessmentResult>((resolve, reject) => {
      const onAbort = () => {
        void worker.terminate();
        reject(signal?.reason ?? new Error('cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (m: { ok: boolean; result?: AssessmentResult; message?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        void worker.terminate();
        if (m.ok) resolve(m.result!);
        else reject(new Error(m.message));
      });
      worker.once('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      // The partial moves to the worker rather than being copied (hundreds of MB at 100,000
      // runs); the caller does not use it afterwards.
      worker.postMessage({ model, partial, options: plain }, ownBuffers(partial));
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
