/**
 * A small worker_threads pool: N workers, an init message for each, then tasks handed out as
 * workers free up. Works with compiled JS (dist), TypeScript under @swc-node/register and jest
 * (the worker file is .ts there: it is started with `-r @swc-node/register`).
 * Progress and cancellation go through a shared Int32Array: [0] cancel flag, [1] runs done.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** Where the worker script is and how to start it. */
export function workerScript(): { filename: string; execArgv: string[] } {
  const ext = extname(__filename);
  const filename = join(__dirname, `worker${ext === '.ts' ? '.ts' : '.js'}`);
  const execArgv = ext === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [];
  return { filename, execArgv };
}

/** Control block shared with workers. */
export function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

export interface PoolRun<T> {
  threads: number;
  /** Sent to each worker first (structured clone; SharedArrayBuffers are shared). */
  init: unknown;
  tasks: unknown[];
  control: Int32Array;
  signal?: AbortSignal;
  /** Called with each task's result in task order (results arriving early are held back). */
  onResult: (index: number, result: T) => void;
  /** Polled about every `progressMs` with control[1]. */
  onTick?: (done: number) => void;
  progressMs?: number;
}

/** Runs the tasks; resolves when every result has been delivered in order. */
export function runPool<T>(opts: PoolRun<T>): Promise<void> {
  const { filename, execArgv } = workerScript();
  const threads = Math.max(1, Math.min(opts.threads, opts.tasks.length));
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let delivered = 0;
    const held = new Map<number, T>();
    let finished = false;
    const timer = opts.onTick ? setInterval(() => opts.onTick!(Atomics.load(opts.control, 1)), opts.progressMs ?? 250) : null;
    const stop = (err?: unknown) => {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => {
      Atomics.store(opts.control, 0, 1);
      stop(new AbortError());
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const give = (w: Worker) => {
      if (next < opts.tasks.length) {
        const id = next++;
        w.postMessage({ type: 'task', id, task: opts.tasks[id] });
      }
    };
    for (let i = 0; i < threads; i++) {
      const w = new Worker(filename, { execArgv });
      workers.push(w);
      w.on('message', (m: { type: string; id: number; result?: T; message?: string }) => {
        if (finished) return;
        if (m.type === 'error') return stop(new Error(m.message));
        if (m.type === 'cancelled') return stop(new AbortError());
        if (m.type !== 'result') return;
        // the worker's next task first: it runs while this thread merges (a 1M-entity partial
        // takes tens of milliseconds to add in)
        give(w);
        held.set(m.id, m.result as T);
        while (held.has(delivered)) {
          const r = held.get(delivered)!;
          held.delete(delivered);
          try {
            opts.onResult(delivered, r);
          } catch (err) {
            return stop(err);
          }
          delivered++;
        }
        if (delivered === opts.tasks.length) return stop();
      });
      w.on('error', (err) => stop(err));
      w.on('exit', (code) => {
        if (!finished && code !== 0) stop(new Error(`worker exited with code ${code}`));
      });
      w.postMessage({ type: 'init', init: opts.init, control: opts.control });
      give(w);
    }
  });
}
