/**
 * Finalising in a worker thread gives the main thread's result, and moves the partial's memory
 * to the worker instead of copying it. A coordinator's fold on that thread (FoldSession) takes
 * shards in any order and gives the same result as merging them on the main thread.
 */
import { finalizeAssessment, prepareScenario, runShard } from '../../../src/engine';
import { mergePartials } from '../../../src/engine/aggregate';
import { encode } from '../../../src/jobs/codec';
import { finalizeOffThread, FoldSession, ownBuffers, warmFinalizeThread, warmFinalizeThreadId } from '../../../src/jobs/finalize-off-thread';
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

  it('folds shards on the thread in any order, and finalises them as the main thread would', async () => {
    const { entities, dependencies } = erScenario(800, 4, 7);
    const model = prepareScenario({
      entities,
      dependencies,
      weapon: weapon({ low: 0.3, high: 0.5 }),
      reports: [{ weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' }],
      horizonHours: 48,
    });
    const opts = { runs: 80, seed: 5, threads: 0, chunkSize: 20 };
    const shards = [];
    for (let s = 0; s < 80; s += 20) shards.push((await runShard(model, [s, s + 20], opts)).partial);
    const expected = finalizeAssessment(model, mergePartials(shards.map((p) => structuredClone(p))), opts);

    // no Redis is reached: the answers are the encoded partials themselves
    const session = new FoldSession(80, 'redis://127.0.0.1:1');
    for (const i of [2, 0, 3, 1]) await session.add(i, encode(shards[i]));
    const result = await session.finalize(model, opts);
    expect(result).toEqual(expected);
    expect(session.timing.decodeMs).toBeGreaterThan(0);

    // a partial that cannot be read fails its shard, naming it
    const broken = new FoldSession(80, 'redis://127.0.0.1:1');
    try {
      await expect(broken.add(0, 'spillover:partial:gone-0')).rejects.toThrow();
    } finally {
      broken.close();
    }
  });
});
