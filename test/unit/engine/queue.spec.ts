/**
 * The event queue pops in exact key order whatever the bucket width (monotone use: every key
 * pushed is >= the last popped), including keys far beyond the calendar (overflow) and ties.
 */
import { Rng } from '../../../src/engine';
import { EventQueue } from '../../../src/engine/queue';

describe('EventQueue (monotone calendar queue)', () => {
  it.each([1e-4, 0.01, 1, 1000])('pops in key order with bucket width %p', (width) => {
    const rng = new Rng(5, 0, 0);
    const q = new EventQueue(16);
    q.reset(width);
    const ref: number[] = [];
    let last = 0;
    let pushed = 0;
    // seeds, then each pop pushes 0-3 later keys (short, long and far delays, some ties)
    for (let i = 0; i < 20; i++) {
      const k = rng.random() * 5;
      q.push(pushed++, k);
      ref.push(k);
    }
    const popped: number[] = [];
    while (q.size > 0) {
      const u = q.pop();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(q.lastKey).toBeGreaterThanOrEqual(last);
      last = q.lastKey;
      popped.push(q.lastKey);
      if (pushed < 20000) {
        const m = Math.floor(rng.random() * 4);
        for (let j = 0; j < m; j++) {
          const r = rng.random();
          const d = r < 0.05 ? 0 : r < 0.9 ? -Math.log(rng.random()) : 1e3 * rng.random();
          q.push(pushed++, last + d);
          ref.push(last + d);
        }
      }
    }
    expect(q.pop()).toBe(-1);
    ref.sort((a, b) => a - b);
    expect(popped).toEqual(ref);
  });

  it('reset empties the queue', () => {
    const q = new EventQueue();
    q.reset(0.5);
    for (let i = 0; i < 100; i++) q.push(i, i * 0.37);
    q.pop();
    q.reset(0.5);
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(-1);
    q.push(7, 3);
    expect(q.pop()).toBe(7);
    expect(q.lastKey).toBe(3);
  });
});
