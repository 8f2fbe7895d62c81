/**
 * Configuration from the environment, validated once at start. A bad value stops the start
 * with a message naming the variable (Immich-style: the env is checked against a class).
 */
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

class EnvironmentVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path> or postgres://user@host:port/db',
  })
  DATABASE_URL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(2) @Max(1000)
  DATABASE_POOL_SIZE?: number;

  @IsOptional() @IsString() @MinLength(24, { message: 'SPILLOVER_ADMIN_KEY must be at least 24 characters' })
  SPILLOVER_ADMIN_KEY?: string;

  @IsOptional() @IsIn(LOG_LEVELS)
  LOG_LEVEL?: LogLevel;

  @IsOptional() @IsString() @Matches(/^\d+(kb|mb)$/i, { message: 'BODY_LIMIT must look like 10mb or 512kb' })
  BODY_LIMIT?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional() @IsString()
  DATA_DIR?: string;

  @IsOptional() @IsIn(['true', 'false'])
  DEMO_SCENARIO?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  WORKER_THREADS?: number;

  @IsOptional() @IsIn(['in-process', 'bullmq'])
  JOB_QUEUE?: string;

  @IsOptional() @IsString() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must look like redis://host:port' })
  REDIS_URL?: string;

  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { message: 'JOB_QUEUE_NAME must be 1-100 letters, digits, "_", "." or "-"' })
  JOB_QUEUE_NAME?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  JOB_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  JOB_SHARD_RUNS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(100_000)
  JOB_PILOT_SLICE_RUNS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(3) @Max(3600)
  JOB_STALE_SECONDS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(2) @Max(3600)
  JOB_SHARD_LOCK_SECONDS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(86_400)
  WORKER_DRAIN_SECONDS?: number;
}

export interface AppConfig {
  port: number;
  /** PostgreSQL: `poolSize` connections at most per process (docs/operations-scaling.md). */
  database: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; poolSize?: number };
  adminKey?: string;
  logLevel: LogLevel;
  bodyLimit: string;
  rateLimitPerMinute: number;
  dataDir: string;
  /** Load the NotPetya demo scenario into an empty database at start. */
  demoScenario: boolean;
  workerThreads?: number;
  /** Assessment jobs: where their runs go and how the scheduler behaves (docs/operations.md, "Scaling out"). */
  jobs: JobsConfig;
}

export interface JobsConfig {
  /** `in-process` (worker threads of this process) or `bullmq` (shards on a Redis queue, run by `src/jobs/worker.ts`). */
  queue: 'in-process' | 'bullmq';
  redisUrl: string;
  /** The BullMQ shard queue's name: API processes and their workers must agree on it. */
  queueName: string;
  /** Jobs one process runs at the same time. */
  concurrency: number;
  /** Runs per BullMQ shard. */
  shardRuns: number;
  /** Pilot runs per BullMQ pilot slice (the sampler's pilot on the shard workers); 0: the pilot runs on the API process's threads. */
  pilotSliceRuns: number;
  /** A running job whose heartbeat is older than this is put back in the queue (its process died). */
  staleSeconds: number;
  /**
   * A shard worker's lock on its shard: renewed every half of it while the shard runs; a shard
   * whose worker died goes back to the queue for another worker within about twice this.
   */
  shardLockSeconds: number;
  /** On SIGTERM a shard worker takes no new shard and lets the one it runs finish for this long, then hands it back. */
  drainSeconds: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, env, { excludeExtraneousValues: false });
  const errors = validateSync(vars, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}=${JSON.stringify(env[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const dataDir = vars.DATA_DIR ?? 'data';
  const url = vars.DATABASE_URL ?? `sqlite:${dataDir}/spillover.sqlite`;
  return {
    port: vars.PORT ?? 3000,
    database: url.startsWith('sqlite:') ? { type: 'sqlite', path: url.slice('sqlite:'.length) } : { type: 'postgres', url, poolSize: vars.DATABASE_POOL_SIZE ?? 20 },
    adminKey: vars.SPILLOVER_ADMIN_KEY,
    logLevel: vars.LOG_LEVEL ?? 'info',
    bodyLimit: vars.BODY_LIMIT ?? '10mb',
    rateLimitPerMinute: vars.RATE_LIMIT_PER_MINUTE ?? 120_000,
    dataDir,
    demoScenario: (vars.DEMO_SCENARIO ?? 'true') === 'true',
    workerThreads: vars.WORKER_THREADS,
    jobs: {
      queue: (vars.JOB_QUEUE ?? 'in-process') as JobsConfig['queue'],
      redisUrl: vars.REDIS_URL ?? 'redis://127.0.0.1:6379',
      queueName: vars.JOB_QUEUE_NAME ?? 'spillover-shards',
      concurrency: vars.JOB_CONCURRENCY ?? 1,
      shardRuns: vars.JOB_SHARD_RUNS ?? 1000,
      pilotSliceRuns: vars.JOB_PILOT_SLICE_RUNS ?? 25,
      staleSeconds: vars.JOB_STALE_SECONDS ?? 60,
      shardLockSeconds: vars.JOB_SHARD_LOCK_SECONDS ?? 30,
      drainSeconds: vars.WORKER_DRAIN_SECONDS ?? 60,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
