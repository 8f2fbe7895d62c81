/**
 * A shard worker's thread (shard-off-thread.ts, shard.worker.ts) on NotPetya: asks for a job's
 * snapshot once for all its pilot slices and shards, keeps one job's model (a second job's
 * request asks again, and so does the first job's after it), and answers what the engine
 * binding computes in this process, bit for bit. Started ahead of work (as a worker process
 * does), it loads the engine and asks for nothing.
 */
import type { ScenarioSnapshot } from '../../../src/domain/records';
import { decode, decodeBuffer, encode, encodeSnapshot } from '../../../src/jobs/codec';
import { engineBinding } from '../../../src/jobs/engine-binding';
import type { AssessmentJobInput } from '../../../src/jobs/job-input';
import { ShardThread } from '../../../src/jobs/shard-off-thread';
import { ShardModels, type ShardThreadReply } from '../../../src/jobs/shard.worker';
import { differences } from '../../support/differences';
import { notPetyaJob } from '../../support/notpetya';

jest.setTimeout(600_000);

const RUNS = 200;
const SHARD = Math.ceil(RUNS / 32);
const SLICE = 25;

describe('a shard worker thread', () => {
  let snapshot: ScenarioSnapshot;
  let input: AssessmentJobInput;
  let encoded: Buffer;

  beforeAll(async () => {
    ({ snapshot, input } = await notPetyaJob(RUNS, 20170627));
    encoded = encodeSnapshot(snapshot);
  });

  it("is sent a job's snapshot once for its pilot slices and shards, and answers the in-process proposal and partials bit for bit", async () => {
    const asked: string[] = [];
    const thread = new ShardThread(async (key) => {
      asked.push(key);
      return Buffer.from(encoded);
    }, 0);
    const key = 'spillover:snapshot:job-a:t';
    try {
      await thread.start();
      expect(asked).toEqual([]);
      let slices = 0;
      // The coordinator's pilot, its rounds cut into slices run on the thread (bullmq.runner's pilotRound).
      const pilotRunner = async (z: Float64Array, base: number, dims: number): Promise<Float64Array> => {
        const n = z.length / dims;
        const rows: Float64Array[] = [];
        for (let a = 0; a < n; a += SLICE) {
          slices++;
          rows.push(decode<Float64Array>((await thread.run({ snapshotKey: key, input, pilot: { base: base + a, z: encode(z.slice(a * dims, Math.min(n, a + SLICE) * dims)) } })) as string));
        }
        const width = rows[0].length / Math.min(n, SLICE);
        const out = new Float64Array(n * width);
        rows.forEach((r, i) => out.set(r, i * SLICE * width));
        return out;
      };
      const proposal = await engineBinding.proposal!(structuredClone(snapshot), input, { threads: 0, pilotRunner });
      expect(slices).toBeGreaterThan(1);
      expect(proposal).toEqual(await engineBinding.proposal!(structuredClone(snapshot), input, { threads: 0 }));
      for (let i = 0; i < 3; i++) {
        const shard = { index: i, runStart: i * SHARD, runCount: SHARD };
        // a shard's partial comes back as encodePartial's bytes
        const partial = decodeBuffer(Buffer.from((await thread.run({ snapshotKey: key, input, shard, proposal: encode(proposal) })) as Uint8Array));
        const expected = await engineBinding.runShard(structuredClone(snapshot), input, shard, { threads: 0, proposal });
        expect(differences(partial, expected).slice(0, 10)).toEqual([]);
      }
      expect(asked).toEqual([key]);
    } finally {
      thread.stop();
    }
  });

  it("keeps one job's model: another job's request asks for its snapshot, and the first job's after it asks again", async () => {
    const replies: ShardThreadReply[] = [];
    const models = new ShardModels((m) => replies.push(m));
    const shard = { index: 0, runStart: 0, runCount: SHARD };
    const request = (snapshotKey: string) => ({ type: 'run' as const, snapshotKey, input, shard, proposal: encode(null), threads: 0 });
    const send = async (snapshotKey: string) => {
      replies.length = 0;
      await models.receive(request(snapshotKey));
      if (replies[0]?.type !== 'need-snapshot') return 'kept';
      replies.length = 0;
      await models.receive({ type: 'snapshot', snapshotKey, buffer: new Uint8Array(encoded) });
      return 'sent';
    };
    expect(await send('job-a')).toBe('sent');
    const first = replies.find((r) => r.type === 'done');
    expect(await send('job-a')).toBe('kept');
    expect(await send('job-b')).toBe('sent');
    expect(models.keptKey).toBe('job-b');
    expect(await send('job-a')).toBe('sent');
    expect(models.keptKey).toBe('job-a');
    // the same shard of the same scenario, after the switches: the same partial
    const last = replies.find((r) => r.type === 'done');
    const bytes = (r: ShardThreadReply | undefined) => Buffer.from((r as { partial: Uint8Array }).partial);
    expect(first && last && decodeBuffer(bytes(last))).toEqual(decodeBuffer(bytes(first)));
    // other model parameters (a sensitivity run) make another model: the snapshot is asked for
    replies.length = 0;
    await models.receive({ ...request('job-a'), input: { ...input, params: { transmissibilityScale: 2 } } });
    expect(replies).toEqual([{ type: 'need-snapshot' }]);
  });

  it('answers an error, not a model, for a snapshot the engine cannot model (and keeps none)', async () => {
    const replies: ShardThreadReply[] = [];
    const models = new ShardModels((m) => replies.push(m));
    const bad = encodeSnapshot({ ...snapshot, reports: [] });
    await models.receive({ type: 'run', snapshotKey: 'job-c', input, shard: { index: 0, runStart: 0, runCount: SHARD }, threads: 0 });
    await models.receive({ type: 'snapshot', snapshotKey: 'job-c', buffer: new Uint8Array(bad) });
    expect(replies[1]).toMatchObject({ type: 'error', message: expect.stringMatching(/report/i) });
    expect(models.keptKey).toBeNull();
  });
});
