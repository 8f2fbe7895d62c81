import type { AssessmentJobInput } from './job-input';
import type { ScenarioSnapshot } from '../domain/records';
import type { JobContext } from './job-scheduler.service';
import type { EngineBinding, MonteCarloRunner } from './monte-carlo-runner';

/** The default runner: all runs on the engine's worker threads in this process. */
export class InProcessRunner implements MonteCarloRunner {
  readonly kind = 'in-process' as const;

  constructor(
    private readonly engine: EngineBinding,
    private readonly threads?: number,
  ) {}

  async accepting(): Promise<void> {
    // the jobs table is the queue: whenever the request got this far, it can take the job
  }

  run(_jobId: string, snapshot: ScenarioSnapshot, input: AssessmentJobInput, ctx: JobContext): Promise<unknown> {
    return this.engine.runAll(snapshot, input, { threads: this.threads, onProgress: (f) => ctx.progress(f), signal: ctx.signal });
  }
}
