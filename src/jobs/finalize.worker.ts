/**
 * Worker-thread entry that finalises assessments (weighted ranges, per-entity statistics,
 * rollup groups, early warning, runs table) off the main thread, so the job's process keeps
 * writing progress and heartbeats, and answering requests, while it runs (several seconds at
 * 10,000 runs). Serves one request at a time, for as long as finalize-off-thread.ts keeps it;
 * each request is {model, partial, options}, the model's typed arrays shared.
 */
import { parentPort } from 'node:worker_threads';
import { finalizeAssessment } from '../engine/assess';

export interface FinalizeRequest {
  model: Parameters<typeof finalizeAssessment>[0];
  partial: Parameters<typeof finalizeAssessment>[1];
  options: Parameters<typeof finalizeAssessment>[2];
}

export type FinalizeReply = { ok: true; result: ReturnType<typeof finalizeAssessment> } | { ok: false; message: string; name: string };

parentPort!.on('message', (m: FinalizeRequest) => {
  let reply: FinalizeReply;
  try {
    reply = { ok: true, result: finalizeAssessment(m.model, m.partial, m.options) };
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' };
  }
  parentPort!.postMessage(reply);
});
