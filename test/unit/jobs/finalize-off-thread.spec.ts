/**
 * Finalising in a worker thread gives the main thread's result, and moves the partial's memory
 * to the worker instead of copying it. A coordinator's fold on that thread (FoldSession) takes
 * shards in any order and gives the same result as merging them on the main thread. With many
 * group rows, a second thread computes part of the group ranges, for the same result bit for bit.
 */
import { finalizeAssessment, prepareScenario, runShard } from '../../../src/engine';
import { mergePartials } from '../../../src/engine/aggregate';
import { encode } from '../../../src/jobs/codec';
import { finalizeOffThread, FoldSession, ownBuffers, warmFinalizeThread, warmFinalizeThreadId } from '../../../src/jobs/finalize-off-thread';
import { finalizeOnTwoThreads, GroupThread, type GroupRequest } from '../../../src/jobs/finalize.worker';
import { groupDefs } from '../../../src/engine/group-stats';
import { NG, type AssessmentPartial } from '../../../src/engine/partial';
import { SECTORS } from '../../../src/domain/vocabulary';
import { differences } from '../../support/differences';
import { erModel, erScenario, weapon } from '../engine/helpers';

jest.setTimeout(600_000);

describe('finalizeOffThread', () => {
  it('equals finalizeAssessment on the main thread and hands the partial over (its buffers detached)', async () => {
    const model = erModel(800, 4, 2, weapon({ low: 0.2, high: 0.4 }, { targeting: { countries: ['UA'] } }));
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
    const model = erModel(800, 4, 7, weapon({ low: 0.3, high: 0.5 }));
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

  it('computes part of the group ranges on a second thread, for the same result bit for bit', async () => {
    // 8 countries x 5 sectors, two countries intended: many groups, most with both parts
    const countries = ['UA', 'DE', 'US', 'FR', 'PL', 'GB', 'IT', 'ES'];
    const base = erScenario(1200, 4, 11);
    const entities = base.entities.map((e, i) => ({ ...e, country: countries[i % 8], sector: SECTORS[(i * 7) % 5] }));
    const model = prepareScenario({
      entities,
      dependencies: base.dependencies,
      weapon: weapon({ low: 0.3, high: 0.55 }, { targeting: { countries: ['UA', 'PL'] } }),
      reports: [{ weaponId: 'w', entityId: 'n0', observedAt: '2017-06-27T08:00:00Z', status: 'confirmed', tlp: 'clear' }],
      horizonHours: 96,
    });
    const opts = { runs: 200, seed: 9, threads: 0 };
    const { partial } = await runShard(model, [0, 200], opts);
    const expected = finalizeAssessment(model, structuredClone(partial), opts);
    expect(expected.groups.countrySector!.length).toBeGreaterThan(40);

    class Counted extends GroupThread {
      asked = 0;
      override ranges(request: Omit<GroupRequest, 'type'>) {
        this.asked += request.defs.length;
        return super.ranges(request);
      }
    }
    const helper = new Counted();
    try {
      const result = await finalizeOnTwoThreads(model, structuredClone(partial), opts, helper, 0);
      expect(differences(result, expected)).toEqual([]);
      // the other thread had a share, not all
      expect(helper.asked).toBeGreaterThan(0);
      expect(helper.asked).toBeLessThan(groupDefs(model).length);
    } finally {
      helper.close();
    }
    // the rows kept apart from the partial, in pieces (as a coordinator's fold keeps its shards'),
    // on two threads and on one
    const pieces = (from: AssessmentPartial) => {
      const cuts = [0, Math.floor(from.groupCount / 3), Math.floor((2 * from.groupCount) / 3), from.groupCount];
      return cuts.slice(1).map((end, k) => ({
        groupCount: end - cuts[k],
        groupRun: from.groupRun.slice(cuts[k], end),
        groupId: from.groupId.slice(cuts[k], end),
        groupValues: from.groupValues.slice(cuts[k] * NG, end * NG),
      }));
    };
    const withoutRows = (from: AssessmentPartial): AssessmentPartial => ({ ...structuredClone(from), groupCount: 0, groupRun: new Int32Array(0), groupId: new Int32Array(0), groupValues: new Float32Array(0) });
    for (const fromRows of [0, partial.groupCount + 1]) {
      const apart = new Counted();
      try {
        const result = await finalizeOnTwoThreads(model, withoutRows(partial), opts, apart, fromRows, pieces(partial));
        expect(differences(result, expected)).toEqual([]);
        expect(apart.asked > 0).toBe(fromRows === 0);
      } finally {
        apart.close();
      }
    }
    // below the threshold of rows the helper is not asked
    const idle = new Counted();
    try {
      expect(differences(await finalizeOnTwoThreads(model, structuredClone(partial), opts, idle, partial.groupCount + 1), expected)).toEqual([]);
      expect(idle.asked).toBe(0);
    } finally {
      idle.close();
    }
  });
});
