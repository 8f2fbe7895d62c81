import { FreshRead } from '../../../src/reports/fresh-read';

/** A "database" whose reads see the value committed when they start, answering a tick later. */
function store() {
  const s = { committed: 0, reads: 0 };
  const read = () => {
    s.reads++;
    const seen = s.committed;
    return new Promise<number>((resolve) => setTimeout(() => resolve(seen), 5));
  };
  return { s, read };
}

describe('FreshRead', () => {
  it('shares reads among concurrent callers: a burst costs two reads, not one each', async () => {
    const { s, read } = store();
    const fresh = new FreshRead(read);
    const answers = await Promise.all(Array.from({ length: 50 }, () => fresh.get()));
    expect(answers).toEqual(Array(50).fill(0));
    expect(s.reads).toBe(2);
  });

  it('never answers with a read that began before the call: a commit made before asking is seen', async () => {
    const { s, read } = store();
    const fresh = new FreshRead(read);
    const first = fresh.get(); // in flight, sees 0
    s.committed = 1; // commits while that read is in flight
    const second = fresh.get(); // asked after the commit
    const third = fresh.get();
    expect(await first).toBe(0);
    expect(await second).toBe(1);
    expect(await third).toBe(1);
    s.committed = 2;
    expect(await fresh.get()).toBe(2);
    expect(s.reads).toBe(3);
  });

  it('passes a failed read to its callers only; the next call reads again', async () => {
    let fail = true;
    const fresh = new FreshRead(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve('ok')));
    await expect(fresh.get()).rejects.toThrow('down');
    fail = false;
    await expect(fresh.get()).resolves.toBe('ok');
  });
});
