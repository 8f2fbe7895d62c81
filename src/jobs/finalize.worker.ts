/**
 * Worker-thread entry that finalises assessments (weighted ranges, per-entity statistics,
 * rollup groups, early warning, runs table) off the main thread, so the job's process keeps
 * writing progress and heartbeats, and answering requests, while it runs (several seconds at
 * 10,000 runs). A thread serves one job, one of two ways:
 * - `{model, partial, options}`: finalises a merged partial (the in-process runner);
 * - a coordinator's fold (finalize-off-thread.ts, FoldSession): 'fold-start', then one 'fold'
 *   per shard (its partial read from Redis here and folded in shard order), then 'finalize'.
 *   Reading the shards' partials on the main thread made its heap collect once a shard or two
 *   (Node counts socket buffers as external memory), each a full collection of the API's heap;
 *   here the heap is this thread's own and small.
 */
import IORedis from 'ioredis';
import { parentPort } from 'node:worker_threads';
import { finalizeAssessment } from '../engine/assess';
import type { AssessmentPartial } from '../engine/partial';
import { decode, decodeBuffer } from './codec';
import { engineBinding } from './engine-binding';
import { isPartialKey } from './queue-names';

export interface FinalizeRequest {
  model: Parameters<typeof finalizeAssessment>[0];
  partial: Parameters<typeof finalizeAssessment>[1];
  options: Parameters<typeof finalizeAssessment>[2];
}

export type FoldRequest =
  | { type: 'fold-start'; runs: number; redisUrl: string }
  /** Shard i's answer: the Redis key of its partial, or (older workers) the encoded partial itself. */
  | { type: 'fold'; i: number; answer: string }
  | { type: 'finalize'; model: FinalizeRequest['model']; options: FinalizeRequest['options'] };

export type FinalizeReply = { ok: true; result: ReturnType<typeof finalizeAssessment> } | { ok: false; message: string; name: string };
export type FoldReply =
  | { type: 'folded'; i: number; readMs: number; decodeMs: number; mergeMs: number }
  | { type: 'fold-error'; i: number; message: string };

const failure = (err: unknown): FinalizeReply => ({ ok: false, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' });

/** One job's shards folded as they come: in shard order (the order the merge takes them, so the sums are the same bit for bit). */
export class ShardFold {
  private readonly partials: Array<AssessmentPartial | undefined> = [];
  private next = 0;
  merged: AssessmentPartial | undefined;

  constructor(
    private readonly runs: number,
    private readonly read: (key: string) => Promise<Buffer | null>,
  ) {}

  async add(i: number, answer: string): Promise<Omit<Extract<FoldReply, { type: 'folded' }>, 'type' | 'i'>> {
    let t = performance.now();
    const bytes = isPartialKey(answer) ? await this.read(answer) : null;
    if (isPartialKey(answer) && bytes === null) throw new Error(`shard ${i}'s partial is gone from Redis (expired or deleted)`);
    const readMs = performance.now() - t;
    t = performance.now();
    this.partials[i] = bytes ? decodeBuffer<AssessmentPartial>(bytes) : decode<AssessmentPartial>(answer);
    const decodeMs = performance.now() - t;
    t = performance.now();
    while (this.partials[this.next] !== undefined) {
      this.merged = engineBinding.fold!(this.merged, this.partials[this.next]!, this.runs);
      this.partials[this.next++] = undefined;
    }
    return { readMs, decodeMs, mergeMs: performance.now() - t };
  }
}

if (parentPort) {
  const port = parentPort;
  let fold: ShardFold | null = null;
  let redis: IORedis | null = null;
  port.on('message', async (m: FinalizeRequest | FoldRequest) => {
    if (!('type' in m)) {
      let reply: FinalizeReply;
      try {
        reply = { ok: true, result: finalizeAssessment(m.model, m.partial, m.options) };
      } catch (err) {
        reply = failure(err);
      }
      port.postMessage(reply);
      return;
    }
    if (m.type === 'fold-start') {
      redis = new IORedis(m.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
      redis.on('error', () => undefined);
      const r = redis;
      fold = new ShardFold(m.runs, (key) => r.getBuffer(key));
    } else if (m.type === 'fold') {
      try {
        port.postMessage({ type: 'folded', i: m.i, ...(await fold!.add(m.i, m.answer)) } satisfies FoldReply);
      } catch (err) {
        port.postMessage({ type: 'fold-error', i: m.i, message: err instanceof Error ? err.message : String(err) } satisfies FoldReply);
      }
    } else {
      void redis?.quit().catch(() => undefined);
      let reply: FinalizeReply;
      try {
        if (!fold?.merged) throw new Error('no shard was folded');
        reply = { ok: true, result: finalizeAssessment(m.model, fold.merged, m.options) };
      } catch (err) {
        reply = failure(err);
      }
      fold = null;
      port.postMessage(reply);
    }
  });
}
