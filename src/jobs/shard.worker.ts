/**
 * Worker-thread entry of a shard worker process (shard-off-thread.ts): keeps the decoded
 * scenario of the last two jobs and their prepared models, and runs shards on this thread (or,
 * with `threads` > 0, on the engine's pool) and slices of the jobs' pilots (on this thread), so the process's main thread stays free to renew
 * its BullMQ locks, write its heartbeat and watch for cancellation while a shard runs.
 */
import { parentPort } from 'node:worker_threads';
import { engineBinding, prepare } from './engine-binding';
import type { ScenarioSnapshot } from '../domain/records';
import type { AssessmentJobInput } from './job-input';
import type { ShardSpec } from './monte-carlo-runner';
import { decode, decodeSnapshot, encode, encodePartial } from './codec';

export type ShardThreadRequest =
  | { type: 'run'; snapshotKey: string; input: AssessmentJobInput; shard: ShardSpec; proposal?: string; threads: number }
  /** A slice of the job's pilot (PilotJobData.pilot): answered with the codec-encoded rows as `partial`. */
  | { type: 'pilot'; snapshotKey: string; input: AssessmentJobInput; pilot: { base: number; z: string } }
  | { type: 'snapshot'; snapshotKey: string; buffer: Uint8Array };

type Work = Exclude<ShardThreadRequest, { type: 'snapshot' }>;

export type ShardThreadReply =
  | { type: 'need-snapshot' }
  | { type: 'progress'; fraction: number }
  /** A shard's partial as encodePartial's bytes (moved, not copied), a pilot slice's rows codec-encoded. */
  | { type: 'done'; partial: string | Uint8Array; timing: ShardTiming }
  | { type: 'error'; message: string };

/** Where a shard's time went on its thread, in ms (decode and prepare: 0 when cached from an earlier shard of the job). */
export interface ShardTiming {
  decodeMs: number;
  prepareMs: number;
  runMs: number;
  encodeMs: number;
  /** Size of the encoded partial (bytes; characters for a pilot slice's rows). */
  partialBytes: number;
}

const cache = new Map<string, { snapshot: ScenarioSnapshot; decodeMs: number }>();
let pending: Work | null = null;
const reply = (m: ShardThreadReply) => parentPort!.postMessage(m);

async function run(m: Work): Promise<void> {
  const entry = cache.get(m.snapshotKey)!;
  const { snapshot } = entry;
  try {
    let t = performance.now();
    prepare(snapshot, m.input);
    const prepareMs = performance.now() - t;
    t = performance.now();
    const partial =
      m.type === 'pilot'
        ? await engineBinding.pilotSlice!(snapshot, m.input, decode<Float64Array>(m.pilot.z), m.pilot.base)
        : await engineBinding.runShard(snapshot, m.input, m.shard, {
            threads: m.threads,
            proposal: m.proposal === undefined ? undefined : decode(m.proposal),
            onProgress: (fraction) => reply({ type: 'progress', fraction }),
          });
    const runMs = performance.now() - t;
    t = performance.now();
    if (m.type === 'pilot') {
      const rows = encode(partial);
      const timing: ShardTiming = { decodeMs: entry.decodeMs, prepareMs, runMs, encodeMs: performance.now() - t, partialBytes: rows.length };
      entry.decodeMs = 0;
      reply({ type: 'done', partial: rows, timing });
      return;
    }
    const bytes = encodePartial(partial);
    // moved to the main thread: a buffer of its own (a small one may be a view of a shared pool)
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
    const timing: ShardTiming = { decodeMs: entry.decodeMs, prepareMs, runMs, encodeMs: performance.now() - t, partialBytes: own.byteLength };
    entry.decodeMs = 0;
    parentPort!.postMessage({ type: 'done', partial: own, timing } satisfies ShardThreadReply, [own.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

parentPort!.on('message', (m: ShardThreadRequest) => {
  if (m.type === 'snapshot') {
    const t = performance.now();
    const snapshot = decodeSnapshot(Buffer.from(m.buffer.buffer, m.buffer.byteOffset, m.buffer.byteLength));
    cache.set(m.snapshotKey, { snapshot, decodeMs: performance.now() - t });
    while (cache.size > 2) cache.delete(cache.keys().next().value!);
    if (pending?.snapshotKey === m.snapshotKey) void run(pending);
    pending = null;
  } else if (cache.has(m.snapshotKey)) {
    void run(m);
  } else {
    pending = m;
    reply({ type: 'need-snapshot' });
  }
});
