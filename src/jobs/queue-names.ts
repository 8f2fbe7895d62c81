/** Names shared by the BullMQ runner (API process) and the shard workers. */
export const snapshotKey = (jobId: string, token: string) => `spillover:snapshot:${jobId}:${token}`;
export const cancelKey = (jobId: string) => `spillover:cancel:${jobId}`;
/**
 * Where a shard's worker leaves its partial (encodePartial) for the coordinator, who deletes it
 * once read; the shard's answer is this key. Partials go beside the queue, not through it:
 * BullMQ copies an answer into the job and into its event stream, which keeps thousands of
 * events (megabytes each, hundreds at a million entities).
 */
export const partialKey = (shardJobId: string) => `spillover:partial:${shardJobId}`;
export const isPartialKey = (value: unknown): value is string => typeof value === 'string' && value.startsWith('spillover:partial:');
/** A shard worker's heartbeat (JSON WorkerBeat), expiring unless renewed: the live workers of a queue. */
export const heartbeatKey = (queueName: string, workerId: string) => `spillover:worker:${queueName}:${workerId}`;
export const heartbeatPattern = (queueName: string) => `spillover:worker:${queueName}:*`;
/** Seconds between heartbeats; a heartbeat expires after three missed. */
export const HEARTBEAT_SECONDS = 5;

export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  threads: number | null;
  startedAt: string;
  /** `draining`: stopping after SIGTERM, takes no new shard. */
  state: 'idle' | 'running' | 'draining';
  /** The shard job it runs, if any. */
  shard: string | null;
  shardsDone: number;
  at: string;
}

import type { AssessmentJobInput } from './job-input';
import type { ShardSpec } from './monte-carlo-runner';

export interface ShardJobData {
  jobId: string;
  snapshotKey: string;
  input: AssessmentJobInput;
  shard: ShardSpec;
  /**
   * The job's sampler proposal (EngineBinding.proposal), codec-encoded so it arrives bit for bit
   * (JSON would turn -0 into 0). Absent in jobs queued before it was added: the worker fits it.
   */
  proposal?: string;
}

/**
 * A slice of a round of a job's sampler pilot (job name 'pilot', on the shard queue): pilot runs
 * `base..base + n - 1` at the parameter vectors `z` (codec-encoded Float64Array, n x dims). The
 * worker answers the codec-encoded rows (EngineBinding.pilotSlice).
 */
export interface PilotJobData {
  jobId: string;
  snapshotKey: string;
  input: AssessmentJobInput;
  pilot: { base: number; z: string };
}

/** What the shard queue carries: shards (job name 'shard') and pilot slices ('pilot'). */
export type QueueJobData = ShardJobData | PilotJobData;

/** ioredis options BullMQ needs (blocking commands must not time out). */
export const redisOptions = (url: string) => ({ url, maxRetriesPerRequest: null, enableOfflineQueue: true });
