import { createHash } from 'node:crypto';

/** A list page as sent: the JSON body and its strong ETag. */
export interface CachedPage {
  body: Buffer;
  etag: string;
}

/** Serialises a page once: the body and its ETag (express would hash the body on every send). */
export function cachedPage(value: unknown): CachedPage {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/**
 * Serialised list pages by key, each with the evidence version it was read at; the least
 * recently used go first once the cached bodies exceed `budget` bytes.
 */
export class PageCache {
  private readonly entries = new Map<string, { version: string; page: CachedPage }>();
  private size = 0;

  constructor(private readonly budget: number) {}

  /** The page cached under `key` if it was read at `version`. */
  get(key: string, version: string): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  remember(key: string, version: string, page: CachedPage): void {
    if (page.body.length > this.budget / 4) return;
    this.forget(key);
    this.entries.set(key, { version, page });
    this.size += page.body.length;
    while (this.size > this.budget) this.forget(this.entries.keys().next().value!);
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.size -= entry.page.body.length;
    this.entries.delete(key);
  }
}
