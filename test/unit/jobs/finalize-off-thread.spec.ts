/**
 * Finalising in a worker thread gives the main thread's result, and moves the partial's memory
 * to the worker instead of copying it.
 */
import { finalizeAssessment, prepareScenario, runShard } from '../../../src/engine';
import { finalizeOffThread, ownBuffers, warmFinalizeThread, warmFinalizeThreadId } from '../../../src/jobs/finalize-off-thread';
import { erScenario, weapon } from '../engine/helpers';

jest.setTimeout(600_000);

describe('finalizeOffThread', () => {
  it('equals finalizeAssessment on the main thread and hands the partial over (its buffers detached)', async () => {
    const { entities, dependencies } = erScenario(800, 4, 2);
    const model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.2, high: 0.4 }, { targeting: { countries: ['UA'] } }),
      reports: [{ weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' }],
      horizonHours: 48,
    });
    const opts = { runs: 60, seed: 3, threads: 0 };
    const { partial } = await runShard(model, [0, 60], opts);
    const expected = finalizeAssessment(model, structuredClone(partial), opts);
    const moved = ownBuffers(partial);
    expect(moved.length).toBeGreaterThan(5);
    const progress: number[] = [];
    const result = await finalizeOffThread(model, partial, opts, { from: 0.95, to: 0.99, report: (f) => progress.push(f) });
    expect(result).toEqual(expected);
    expect(moved.every((b) => b.byteLength === 0)).toBe(true);
    expect(progress[0]).toBe(0.95);
    expect(progress.every((f) => f >= 0.95 && f < 0.99)).toBe(true);
    // the scenario's shared arrays were not moved: the model still runs
    expect((await runShard(model, [0, 10], opts)).partial.runIndex.length).toBe(10);


    // A thread warmed while the shards run takes the next finalise, with the same answer.
    warmFinalizeThread();
    const warmed = warmFinalizeThreadId();
    expect(warmed).not.toBeNull();
    warmFinalizeThread();
    expect(warmFinalizeThreadId()).toBe(warmed);
    const again = finalizeOffThread(model, (await runShard(model, [0, 60], opts)).partial, opts);
    expect(warmFinalizeThreadId()).toBeNull();
    expect(await again).toEqual(expected);
    // A cancelled finalise ends: its promise rejects with the reason.
    warmFinalizeThread();
    const abort = new AbortController();
    const cancelled = finalizeOffThread(model, (await runShard(model, [0, 60], opts)).partial, opts, undefined, abort.signal);
    abort.abort(new Error('cancelled by the test'));
    await expect(cancelled).rejects.toThrow('cancelled by the test');
  });
});
