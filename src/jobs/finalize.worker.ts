/**
 * Worker-thread entry that finalises an assessment (weighted ranges, per-entity statistics,
 * rollup groups, early warning, runs table) off the main thread, so the job's process keeps
 * writing progress and heartbeats, and answering requests, while it runs (several seconds at
 * 10,000 runs). Receives {model, partial, options}; the model's typed arrays are shared.
 */
import { parentPort } from 'node:worker_threads';
import { finalizeAssessment } from '../engine/assess';

parentPort!.once('message', (m: { model: Parameters<typeof finalizeAssessment>[0]; partial: Parameters<typeof finalizeAssessment>[1]; options: Parameters<typeof finalizeAssessment>[2] }) => {
  try {
    const result = finalizeAssessment(m.model, m.partial, m.options);
    parentPort!.postMessage({ ok: true, result });
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' });
  }
});
