/**
 * The coordinator's fold: shards' partials added in place, in order, give mergePartials' answer
 * bit for bit; with the job's runs as a hint the run arrays and the group rows grow once, not
 * once a shard or by doubling. A shard's chunks merge by the same rule (foldInto).
 */
import { runShard } from '../../../src/engine';
import { mergePartials } from '../../../src/engine/aggregate';
import { trimPartial, type AssessmentPartial } from '../../../src/engine/partial';
import { engineBinding } from '../../../src/jobs/engine-binding';
import { differences } from '../../support/differences';
import { erModel, weapon } from '../engine/helpers';

jest.setTimeout(300_000);

describe('engineBinding.fold', () => {
  const model = erModel(600, 4, 5, weapon({ low: 0.3, high: 0.5 }));
  const runs = 120;

  it('equals mergePartials bit for bit, and sized by the job\'s runs grows its arrays once', async () => {
    const opts = { runs, seed: 11, threads: 0, chunkSize: 30 };
    const shards: AssessmentPartial[] = [];
    for (let s = 0; s < runs; s += 30) shards.push((await runShard(model, [s, s + 30], opts)).partial);
    const expected = mergePartials(shards.map((p) => structuredClone(p)));

    let acc: AssessmentPartial | undefined;
    const groupBuffers: ArrayBufferLike[] = [];
    const runBuffers: ArrayBufferLike[] = [];
    for (const p of shards) {
      acc = engineBinding.fold!(acc, structuredClone(p), runs);
      groupBuffers.push(acc.groupRun.buffer);
      runBuffers.push(acc.timeline.buffer);
    }
    expect(acc!.groupCount).toBe(expected.groupCount);
    // grown once, at the second shard, to room for all of them
    expect(new Set(groupBuffers.slice(1)).size).toBe(1);
    expect(new Set(runBuffers.slice(1)).size).toBe(1);
    expect(acc!.groupRun.length).toBeGreaterThanOrEqual(expected.groupCount);
    expect(acc!.runIndex.length).toBe(runs);
    expect(acc!.timeline.length).toBe(runs * acc!.bins);
    expect(differences(trimPartial(acc!), trimPartial(expected)).slice(0, 10)).toEqual([]);
  });

  it("merges a shard's chunks the same way: the chunks' answer bit for bit, its rows in room grown ahead", async () => {
    const opts = { runs, seed: 11, threads: 0, chunkSize: 10 };
    const chunks: AssessmentPartial[] = [];
    for (let s = 0; s < runs; s += 10) chunks.push((await runShard(model, [s, s + 10], opts)).partial);
    const whole = (await runShard(model, [0, runs], opts)).partial;
    expect(differences(trimPartial(whole), mergePartials(chunks)).slice(0, 10)).toEqual([]);
    // views of arrays grown ahead of the rows (an estimate from the rows per run, +10%), not to each merge's rows
    expect(whole.groupRun.length).toBe(whole.groupCount);
    expect(whole.groupRun.buffer.byteLength).toBeGreaterThan(whole.groupCount * 4);
    expect(whole.runIndex.buffer.byteLength).toBe(runs * 4);
  });
});
