/**
 * The shard thread's warm-up (src/jobs/warm-up.ts) runs every step a job's shard takes: a failed
 * warm-up is swallowed (the thread only stays cold), so this is where a scenario the engine no
 * longer accepts would show.
 */
import { warmUp, warmUpJob } from '../../../src/jobs/warm-up';

jest.setTimeout(120_000);

describe('warmUp', () => {
  it('runs the warm-up job: a fitted proposal, spread beyond the reports, disruption through service dependencies', async () => {
    const { proposal, partial, encodedBytes } = await warmUp();
    const { snapshot, input } = warmUpJob();
    expect(proposal).not.toBeNull();
    expect(encodedBytes).toBeGreaterThan(0);
    expect(partial.logLik.length).toBe(input.runs);
    expect(Array.from(partial.logLik).every(Number.isFinite)).toBe(true);
    const reached = Array.from(partial.infected).filter((x) => x > 0).length;
    expect(reached).toBeGreaterThan(snapshot.reports.length);
    // disrupted without being infected: an entity whose service supplier went down
    expect(Array.from(partial.disrupted).some((d, v) => d > partial.infected[v])).toBe(true);
    expect(partial.groupCount).toBeGreaterThan(input.runs);
  });
});
