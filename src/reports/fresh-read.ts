/**
 * Shares one database read among concurrent callers without ever answering a caller with a read
 * that began before it called: a caller that finds a read in flight waits for it to end, then
 * shares the next one with everyone else who arrived meanwhile. So each answer reflects every
 * commit that completed before its caller asked, and 50 concurrent readers cost a few reads
 * instead of 50.
 */
export class FreshRead<T> {
  private inFlight: Promise<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.inFlight) return this.launch();
    this.queued ??= this.inFlight.then(noop, noop).then(() => {
      this.queued = null;
      return this.launch();
    });
    return this.queued;
  }

  private launch(): Promise<T> {
    const read = this.read().finally(() => {
      if (this.inFlight === read) this.inFlight = null;
    });
    this.inFlight = read;
    return read;
  }
}

const noop = () => undefined;
