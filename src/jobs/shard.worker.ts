/**
 * Worker-thread entry of a shard worker process (shard-off-thread.ts): keeps ONE job's prepared
 * model and runs shards on this thread (or, with `threads` > 0, on the engine's pool) and slices
 * of the jobs' pilots (on this thread), so the process's main thread stays free to renew its
 * BullMQ locks, write its heartbeat and watch for cancellation while a shard runs.
 *
 * Memory (1M entities, 9M dependencies: docs/benchmarks-scale.md): the decoded snapshot (a
 * million entity records, the dependency columns) is what prepareScenario reads, not what the
 * runs read, so it is dropped once the model is made; and the previous job's model goes before
 * the next job's snapshot is decoded. A worker takes one shard or pilot slice at a time, so one
 * job's model is all it needs at once; alternating between two jobs costs a fetch and a prepare
 * per switch, which keeping two at that size (the peak was over 2 GB) did not justify.
 */
import { parentPort } from 'node:worker_threads';
import { modelKey, pilotSliceOn, prepare, runShardOn } from './engine-binding';
import type { ScenarioModel } from '../engine/model';
import type { AssessmentJobInput } from './job-input';
import type { ShardSpec } from './monte-carlo-runner';
import { decode, decodeSnapshot, encode, encodePartial } from './codec';
import { warmUp } from './warm-up';

export type ShardThreadRequest =
  | { type: 'run'; snapshotKey: string; input: AssessmentJobInput; shard: ShardSpec; proposal?: string; threads: number }
  /** A slice of the job's pilot (PilotJobData.pilot): answered with the codec-encoded rows as `partial`. */
  | { type: 'pilot'; snapshotKey: string; input: AssessmentJobInput; pilot: { base: number; z: string } }
  /** The job's gzip'd snapshot, answering `need-snapshot` for the request waiting for it. */
  | { type: 'snapshot'; snapshotKey: string; buffer: Uint8Array };

type Work = Exclude<ShardThreadRequest, { type: 'snapshot' }>;

export type ShardThreadReply =
  /** Posted once the engine is loaded and warmed (warm-up.ts; ShardThread.start waits for it). */
  | { type: 'ready' }
  | { type: 'need-snapshot' }
  | { type: 'progress'; fraction: number }
  /** A shard's partial as encodePartial's bytes (moved, not copied), a pilot slice's rows codec-encoded. */
  | { type: 'done'; partial: string | Uint8Array; timing: ShardTiming }
  | { type: 'error'; message: string };

/** Where a shard's time went on its thread, in ms (decode and prepare: 0 when the job's model was kept from an earlier shard). */
export interface ShardTiming {
  decodeMs: number;
  prepareMs: number;
  runMs: number;
  encodeMs: number;
  /** Size of the encoded partial (bytes; characters for a pilot slice's rows). */
  partialBytes: number;
}

/** The one job's model this thread keeps, and its first request's decode and prepare times (reported once). */
interface Held {
  snapshotKey: string;
  modelKey: string;
  model: ScenarioModel;
  decodeMs: number;
  prepareMs: number;
  /** A pilot slice ran on `model` since it was made. */
  pilotRan: boolean;
}

/** The message's gzip'd snapshot, taken from it: the message (and the event carrying it) would keep it while the model is prepared. */
function takeBuffer(m: { buffer: Uint8Array }): Buffer {
  const b = m.buffer;
  m.buffer = new Uint8Array(0);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Runs shards and pilot slices of one job at a time on models made from the snapshots it is
 * sent; exported so benches and tests drive the thread's own code on their thread.
 */
export class ShardModels {
  private held: Held | null = null;
  private pending: Work | null = null;

  constructor(private readonly reply: (m: ShardThreadReply, transfer?: ArrayBuffer[]) => void) {}

  /** The job's model, if kept (the same snapshot and the same model parameters). */
  private kept(m: Work): Held | null {
    const h = this.held;
    return h && h.snapshotKey === m.snapshotKey && h.modelKey === modelKey(m.input) ? h : null;
  }

  /** The key of the job whose model is kept (null: none). */
  get keptKey(): string | null {
    return this.held?.snapshotKey ?? null;
  }

  receive(m: ShardThreadRequest): Promise<void> | void {
    if (m.type !== 'snapshot') {
      const h = this.kept(m);
      if (h) return this.run(m, h);
      this.pending = m;
      this.reply({ type: 'need-snapshot' });
      return;
    }
    const work = this.pending;
    this.pending = null;
    // The previous job's model goes before this one's snapshot is decoded (never two at once).
    this.held = null;
    if (work?.snapshotKey !== m.snapshotKey) return;
    let t = performance.now();
    let model: ScenarioModel;
    let decodeMs: number;
    try {
      // The snapshot lives only in this block: prepare() keeps the model, not its input records.
      const snapshot = decodeSnapshot(takeBuffer(m));
      decodeMs = performance.now() - t;
      t = performance.now();
      model = prepare(snapshot, work.input);
    } catch (err) {
      this.reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const h: Held = { snapshotKey: m.snapshotKey, modelKey: modelKey(work.input), model, decodeMs, prepareMs: performance.now() - t, pilotRan: false };
    this.held = h;
    return this.run(work, h);
  }

  private async run(m: Work, h: Held): Promise<void> {
    try {
      if (m.type === 'run' && h.pilotRan) {
        // The job's shards are queued once its pilot is over: a model object of their own lets
        // the pilot's run engine go (pilot.ts keeps one per model object). Same core, same runs.
        h.model = { core: h.model.core, meta: h.model.meta };
        h.pilotRan = false;
      }
      const { model } = h;
      let t = performance.now();
      const partial =
        m.type === 'pilot'
          ? await pilotSliceOn(model, m.input, decode<Float64Array>(m.pilot.z), m.pilot.base)
          : await runShardOn(model, m.input, m.shard, {
              threads: m.threads,
              proposal: m.proposal === undefined ? undefined : decode(m.proposal),
              onProgress: (fraction) => this.reply({ type: 'progress', fraction }),
            });
      if (m.type === 'pilot') h.pilotRan = true;
      const runMs = performance.now() - t;
      t = performance.now();
      let encoded: string | Uint8Array;
      if (m.type === 'pilot') encoded = encode(partial);
      else {
        const bytes = encodePartial(partial);
        // moved to the main thread: a buffer of its own (a small one may be a view of a shared pool)
        encoded = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
      }
      const timing: ShardTiming = { decodeMs: h.decodeMs, prepareMs: h.prepareMs, runMs, encodeMs: performance.now() - t, partialBytes: encoded.length };
      h.decodeMs = 0;
      h.prepareMs = 0;
      this.reply({ type: 'done', partial: encoded, timing }, typeof encoded === 'string' ? [] : [encoded.buffer as ArrayBuffer]);
    } catch (err) {
      this.reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }
}

if (parentPort) {
  const port = parentPort;
  const models = new ShardModels((m, transfer) => port.postMessage(m, transfer ?? []));
  port.on('message', (m: ShardThreadRequest) => void models.receive(m));
  // Ready once the engine is compiled (warm-up.ts); a failed warm-up only leaves it cold.
  void warmUp()
    .catch(() => undefined)
    .then(() => port.postMessage({ type: 'ready' } satisfies ShardThreadReply));
}
