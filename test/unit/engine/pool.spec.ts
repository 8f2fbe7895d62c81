/**
 * The worker-thread pool hands a worker its next task as soon as the worker answers, before this
 * thread takes the answer in: merging a chunk's partial at a million entities takes tens of
 * milliseconds, during which the worker would otherwise sit idle. Results still arrive in task order.
 */
import { newControl, runPool } from '../../../src/engine/pool';
import { erGraph } from './helpers';

jest.setTimeout(120_000);

describe('worker pool', () => {
  it('a worker runs its next task while this thread is still taking in its last answer', async () => {
    const { graph } = erGraph(5_000, 4, 3);
    const spec = { model: 'sir' as const, rate: 0.5, recovery: 1, randomSeeds: 3, runs: 40, seed: 9 };
    const tasks = Array.from({ length: 4 }, (_, i) => ({ start: i * 10, end: (i + 1) * 10 }));
    const control = newControl();
    const order: number[] = [];
    let runsDuringFirstAnswer = -1;
    await runPool<{ finals: Int32Array }>({
      threads: 1,
      init: { kind: 'simulate', graph, spec },
      tasks,
      control,
      onResult: (i, r) => {
        order.push(i);
        expect(r.finals).toHaveLength(10);
        if (i !== 0) return;
        // block this thread (as a long merge would) until the one worker has done a run of task 1
        const at = Atomics.load(control, 1);
        const until = Date.now() + 30_000;
        while (Atomics.load(control, 1) === at && Date.now() < until);
        runsDuringFirstAnswer = Atomics.load(control, 1) - at;
      },
    });
    expect(order).toEqual([0, 1, 2, 3]);
    expect(runsDuringFirstAnswer).toBeGreaterThan(0);
  });
});
