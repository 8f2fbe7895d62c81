/**
 * Serialised list pages by key, each with the evidence version it was read at; the least
 * recently used go first once the cached text exceeds `budget` characters.
 */
export class PageCache {
  private readonly entries = new Map<string, { version: string; json: string }>();
  private size = 0;

  constructor(private readonly budget: number) {}

  get(key: string): { version: string; json: string } | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  remember(key: string, version: string, json: string): void {
    if (json.length > this.budget / 4) return;
    this.forget(key);
    this.entries.set(key, { version, json });
    this.size += json.length;
    while (this.size > this.budget) this.forget(this.entries.keys().next().value!);
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.size -= entry.json.length;
    this.entries.delete(key);
  }
}
