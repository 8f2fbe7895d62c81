/**
 * A shard worker process's one long-lived thread for shards (see shard.worker.ts). Starting
 * threads per shard costs about a second each under @swc-node/register (more on a busy
 * machine), and running a shard on the main thread would block the BullMQ lock renewal, the
 * heartbeat and the cancel watch; one thread kept for the process's life avoids both. The
 * scenario goes to the thread once per job (as the gzip'd buffer from Redis, moved, not copied),
 * which keeps that job's prepared model until another job's request comes.
 * Cancelling terminates the thread; the next shard starts a new one. The worker process starts
 * it before it takes work (start()), so the first job's first slice waits neither for it nor for
 * the engine's compilation (warm-up.ts).
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AssessmentJobInput } from './job-input';
import type { ShardSpec } from './monte-carlo-runner';
import type { ShardThreadReply, ShardThreadRequest, ShardTiming } from './shard.worker';

export interface ShardRequest {
  snapshotKey: string;
  input: AssessmentJobInput;
  shard: ShardSpec;
  /** The codec-encoded proposal, as the shard job carries it. */
  proposal?: string;
  onProgress?: (fraction: number) => void;
  /** Where the shard's time went on the thread (for the worker's log). */
  onTiming?: (timing: ShardTiming) => void;
  signal?: AbortSignal;
}

/** A slice of a job's pilot (PilotJobData.pilot), run on the same thread as the shards. */
export interface PilotRequest {
  snapshotKey: string;
  input: AssessmentJobInput;
  pilot: { base: number; z: string };
  onTiming?: (timing: ShardTiming) => void;
  signal?: AbortSignal;
}

export class ShardThread {
  private worker?: Worker;

  constructor(
    /** The job's gzip'd snapshot from Redis (asked for once per job and thread). */
    private readonly snapshotBuffer: (key: string) => Promise<Buffer>,
    /** The engine's threads for a shard: 0 runs it on this thread itself. */
    private readonly threads: number,
  ) {}

  /** Starts the thread now and resolves once its engine is loaded. */
  start(): Promise<void> {
    const worker = this.thread();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onMessage = (m: ShardThreadReply) => m.type === 'ready' && done();
      const onError = (err: Error) => {
        this.worker = undefined;
        done(err);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  private thread(): Worker {
    if (!this.worker) {
      const ext = extname(__filename);
      this.worker = new Worker(join(__dirname, `shard.worker${ext === '.ts' ? '.ts' : '.js'}`), {
        execArgv: ext === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
      });
    }
    return this.worker;
  }

  /** Runs one shard, or a pilot slice; resolves with its partial aggregate (encodePartial's bytes), or the slice's codec-encoded rows. */
  run(req: ShardRequest | PilotRequest): Promise<string | Uint8Array> {
    const worker = this.thread();
    return new Promise<string | Uint8Array>((resolve, reject) => {
      const finish = (err: unknown, partial?: string | Uint8Array) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        req.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(partial!);
      };
      const onMessage = (m: ShardThreadReply) => {
        if (m.type === 'ready') return;
        if (m.type === 'progress') ('onProgress' in req ? req.onProgress?.(m.fraction) : undefined);
        else if (m.type === 'done') {
          req.onTiming?.(m.timing);
          finish(null, m.partial);
        }
        else if (m.type === 'error') finish(new Error(m.message));
        else
          this.snapshotBuffer(req.snapshotKey).then((buf) => {
            // A buffer of its own to move (a small one may be a view of a shared pool).
            const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf : new Uint8Array(buf);
            worker.postMessage({ type: 'snapshot', snapshotKey: req.snapshotKey, buffer: own } satisfies ShardThreadRequest, [own.buffer as ArrayBuffer]);
          }, (err) => finish(err));
      };
      const onError = (err: Error) => {
        this.worker = undefined;
        finish(err);
      };
      const onExit = (code: number) => onError(new Error(`the shard thread exited (${code})`));
      const onAbort = () => {
        this.stop();
        finish(req.signal!.reason ?? new Error('cancelled'));
      };
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if ('pilot' in req) {
        const { snapshotKey, input, pilot } = req;
        worker.postMessage({ type: 'pilot', snapshotKey, input, pilot } satisfies ShardThreadRequest);
        return;
      }
      const { snapshotKey, input, shard, proposal } = req;
      worker.postMessage({ type: 'run', snapshotKey, input, shard, proposal, threads: this.threads } satisfies ShardThreadRequest);
    });
  }

  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}
