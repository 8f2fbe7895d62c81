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
 * With many group rows, a second thread of this file computes part of the group ranges (most of
 * finalising: 2 of 2.5 s at 10,000 runs of the scale bench's scenario) while this one computes
 * the rest and the other figures: finalising comes after the last run, when the cores are free.
 */
import type IORedis from 'ioredis';
import { parentPort, type Worker } from 'node:worker_threads';
import { finalizeAssessment } from '../engine/assess';
import { groupDefs, groupEntries, groupLists, rowsByCell, splitGroups, type CellRows, type GroupDef, type GroupEntry, type GroupRowSet, type GroupWeights } from '../engine/group-stats';
import { groupCells, NG, trimmedView, type AssessmentPartial } from '../engine/partial';
import type { AssessmentResult } from '../engine/result';
import { runWeights } from '../engine/run-weights';
import { startThread } from './finalize-off-thread';
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

/** To a group thread: the ranges of `defs` (rows on shared memory). */
export interface GroupRequest {
  type: 'group-ranges';
  defs: GroupDef[];
  rows: CellRows;
  weights: GroupWeights;
  level: number;
}
export type GroupReply = { type: 'group-entries'; entries: GroupEntry[] } | { type: 'group-error'; message: string };

export type FinalizeReply = { ok: true; result: ReturnType<typeof finalizeAssessment> } | { ok: false; message: string; name: string };
export type FoldReply =
  | { type: 'folded'; i: number; readMs: number; decodeMs: number; mergeMs: number }
  | { type: 'fold-error'; i: number; message: string };

const failure = (err: unknown): FinalizeReply => ({ ok: false, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' });

/**
 * One job's shards folded as they come: in shard order (the order the merge takes them, so the
 * sums are the same bit for bit). Each shard's group rows (three quarters of a partial at
 * 10,000 entities) are kept as they came, in shard order, rather than appended to the merged
 * partial: appending copied ~150 MB into arrays grown for them, about a CPU second of this
 * process while the workers ran, and finalising regroups them by cell anyway (rowsByCell).
 */
export class ShardFold {
  private readonly partials: Array<AssessmentPartial | undefined> = [];
  private next = 0;
  merged: AssessmentPartial | undefined;
  /** The folded shards' group rows, in shard order. */
  readonly groupRows: GroupRowSet[] = [];

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
      const part = this.partials[this.next]!;
      this.groupRows.push(takeGroupRows(part));
      this.merged = engineBinding.fold!(this.merged, part, this.runs);
      this.partials[this.next++] = undefined;
    }
    return { readMs, decodeMs, mergeMs: performance.now() - t };
  }
}

/**
 * The partial's group rows, taken out of it (it is left with none). Rows that are a small view
 * of a larger buffer (a decoded partial's, mostly per-entity sums at 1M entities) are copied,
 * so keeping them does not keep the rest.
 */
function takeGroupRows(p: AssessmentPartial): GroupRowSet {
  const own = <T extends Int32Array | Float32Array>(a: T, n: number): T => (a.subarray(0, n).byteLength * 2 < a.buffer.byteLength ? (a.slice(0, n) as T) : (a.subarray(0, n) as T));
  const rows: GroupRowSet = { groupCount: p.groupCount, groupRun: own(p.groupRun, p.groupCount), groupId: own(p.groupId, p.groupCount), groupValues: own(p.groupValues, p.groupCount * NG) };
  p.groupCount = 0;
  p.groupRun = new Int32Array(0);
  p.groupId = new Int32Array(0);
  p.groupValues = new Float32Array(0);
  return rows;
}

/** From this many group rows on, finalising takes a second thread for part of the group ranges. */
export const GROUP_THREAD_FROM_ROWS = 200_000;
/** A fold session of this many runs starts the group thread (a job's rows are several per run). */
const GROUP_THREAD_FROM_RUNS = 1_000;
/** The second thread's share of the group ranges' work: the first also computes every other figure (~20% of finalising). */
const GROUP_THREAD_SHARE = 0.6;

/** A thread of this file that computes group ranges once, started ahead so its start-up is not waited for. */
export class GroupThread {
  private readonly worker: Worker | null;
  private failed: Error | null = null;

  constructor() {
    let w: Worker | null = null;
    try {
      w = startThread();
      w.on('error', (err) => (this.failed ??= err));
    } catch {
      w = null; // finalising computes every range itself
    }
    this.worker = w;
  }

  /** The entries of `defs`; null when the thread could not start (the caller computes them). */
  ranges(request: Omit<GroupRequest, 'type'>): Promise<GroupEntry[]> | null {
    const w = this.worker;
    if (!w || this.failed) return null;
    return new Promise<GroupEntry[]>((resolve, reject) => {
      const done = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (m: GroupReply) => {
        done();
        if (m.type === 'group-entries') resolve(m.entries);
        else reject(new Error(m.message));
      };
      const onError = (err: Error) => {
        done();
        reject(err);
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`the group thread exited (${code})`));
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ type: 'group-ranges', ...request } satisfies GroupRequest);
    });
  }

  close(): void {
    void this.worker?.terminate();
  }
}

/**
 * finalizeAssessment, with part of the group ranges on `helper` when the rows are many: the
 * rows regrouped by cell once, on shared memory, and each group's entries computed as the one
 * thread would (the same figures bit for bit); this thread takes the rest of finalising meanwhile.
 */
export async function finalizeOnTwoThreads(
  model: FinalizeRequest['model'],
  partial: AssessmentPartial,
  options: FinalizeRequest['options'],
  helper: GroupThread | null,
  fromRows = GROUP_THREAD_FROM_ROWS,
  /** The group rows, when kept apart from the partial (ShardFold); else the partial's own. */
  groupRows?: readonly GroupRowSet[],
): Promise<AssessmentResult> {
  const sets = groupRows ?? [partial];
  const count = sets.reduce((n, s) => n + s.groupCount, 0);
  const second = helper && count >= fromRows ? helper : null;
  if (!second && !groupRows) return finalizeAssessment(model, partial, options);
  const level = options.confidenceLevel ?? 0.9;
  const p = trimmedView(partial);
  const rw = runWeights(p);
  const rows = rowsByCell(sets, p.runIndex, rw.order, groupCells(model.core).count, !!second);
  const defs = groupDefs(model);
  const [mine, theirs] = second ? splitGroups(defs, rows, rw.w.length, GROUP_THREAD_SHARE) : [defs, []];
  const weights = { w: rw.w, sum: rw.sum };
  const elsewhere = second?.ranges({ defs: theirs, rows, weights, level }) ?? null;
  // (an invalid level throws below: the other thread's answer is then not awaited)
  elsewhere?.catch(() => undefined);
  const entries = groupEntries(elsewhere ? mine : [...mine, ...theirs], rows, weights, level);
  const result = finalizeAssessment(model, partial, options, { groups: false, weights: rw });
  result.groups = groupLists(elsewhere ? [...entries, ...(await elsewhere)] : entries);
  return result;
}

if (parentPort) {
  const port = parentPort;
  // (a promise: the Redis client loads on the first 'fold-start', so a group thread never loads it)
  let fold: Promise<ShardFold> | null = null;
  let redis: IORedis | null = null;
  let helper: GroupThread | null = null;
  const finalizing = async (model: FinalizeRequest['model'], partial: AssessmentPartial, options: FinalizeRequest['options'], groupRows?: GroupRowSet[]): Promise<FinalizeReply> => {
    try {
      return { ok: true, result: await finalizeOnTwoThreads(model, partial, options, helper, GROUP_THREAD_FROM_ROWS, groupRows) };
    } catch (err) {
      return failure(err);
    } finally {
      helper?.close();
      helper = null;
    }
  };
  port.on('message', async (m: FinalizeRequest | FoldRequest | GroupRequest) => {
    if (!('type' in m)) {
      if (m.partial.groupCount >= GROUP_THREAD_FROM_ROWS) helper = new GroupThread();
      port.postMessage(await finalizing(m.model, m.partial, m.options));
      return;
    }
    if (m.type === 'group-ranges') {
      let reply: GroupReply;
      try {
        reply = { type: 'group-entries', entries: groupEntries(m.defs, m.rows, m.weights, m.level) };
      } catch (err) {
        reply = { type: 'group-error', message: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply);
      return;
    }
    if (m.type === 'fold-start') {
      // Started now, while the shards run, unless the job is too small to need it.
      if (m.runs >= GROUP_THREAD_FROM_RUNS) helper = new GroupThread();
      fold = import('ioredis').then(({ default: Redis }) => {
        const r = (redis = new Redis(m.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true }));
        r.on('error', () => undefined);
        return new ShardFold(m.runs, (key) => r.getBuffer(key));
      });
    } else if (m.type === 'fold') {
      try {
        port.postMessage({ type: 'folded', i: m.i, ...(await (await fold!).add(m.i, m.answer)) } satisfies FoldReply);
      } catch (err) {
        port.postMessage({ type: 'fold-error', i: m.i, message: err instanceof Error ? err.message : String(err) } satisfies FoldReply);
      }
    } else {
      const folded = await fold?.catch(() => null);
      void redis?.quit().catch(() => undefined);
      const merged = folded?.merged;
      const groupRows = folded?.groupRows;
      fold = null;
      port.postMessage(merged ? await finalizing(m.model, merged, m.options, groupRows) : failure(new Error('no shard was folded')));
    }
  });
}
