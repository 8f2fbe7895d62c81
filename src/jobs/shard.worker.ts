/**
 * Worker-thread entry of a shard worker process (shard-off-thread.ts): keeps the decoded
 * scenario of the last two jobs and their prepared models, and runs shards on this thread (or,
 * with `threads` > 0, on the engine's pool), so the process's main thread stays free to renew
 * its BullMQ locks, write its heartbeat and watch for cancellation while a shard runs.
 */
import { parentPort } from 'node:worker_threads';
import { engineBinding } from './engine-binding';
import type { ScenarioSnapshot } from '../domain/records';
import type { AssessmentInput } from './job.entity';
import type { ShardSpec } from './monte-carlo-runner';
import { decode, decodeSnapshot, encode } from './codec';

export type ShardThreadRequest =
  | { type: 'run'; snapshotKey: string; input: AssessmentInput; shard: ShardSpec; proposal?: string; threads: number }
  | { type: 'snapshot'; snapshotKey: string; buffer: Uint8Array };

export type ShardThreadReply =
  | { type: 'need-snapshot' }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; partial: string }
  | { type: 'error'; message: string };

const cache = new Map<string, ScenarioSnapshot>();
let pending: Extract<ShardThreadRequest, { type: 'run' }> | null = null;
const reply = (m: ShardThreadReply) => parentPort!.postMessage(m);

async function run(m: Extract<ShardThreadRequest, { type: 'run' }>): Promise<void> {
  const snapshot = cache.get(m.snapshotKey)!;
  try {
    const partial = await engineBinding.runShard(snapshot, m.input, m.shard, {
      threads: m.threads,
      proposal: m.proposal === undefined ? undefined : decode(m.proposal),
      onProgress: (fraction) => reply({ type: 'progress', fraction }),
    });
    reply({ type: 'done', partial: encode(partial) });
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

parentPort!.on('message', (m: ShardThreadRequest) => {
  if (m.type === 'snapshot') {
    cache.set(m.snapshotKey, decodeSnapshot(Buffer.from(m.buffer.buffer, m.buffer.byteOffset, m.buffer.byteLength)));
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
