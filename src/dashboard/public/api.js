// The /v1 API with the signed-in user's key. The key lives in sessionStorage only: it is gone
// when the tab closes, and is never written to the URL, to localStorage or to a cookie.
const KEY = 'spillover.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `request failed with status ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, opts = {}) {
  return (await request(path, opts)).data;
}

async function request(path, { method = 'GET', body, key = session.key, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && key === session.key) window.dispatchEvent(new CustomEvent('spillover:unauthenticated'));
    throw err;
  }
  return { status: res.status, headers: res.headers, data };
}

/**
 * A result the API computes as a job: while it answers 202 (with Location and Retry-After), asks
 * again there; `onProgress` sees the job's progress (0..1).
 */
export async function poll(path, { signal, onProgress, ...opts } = {}) {
  let url = path;
  for (;;) {
    const res = await request(url, { ...opts, signal });
    if (res.status !== 202) return res.data;
    onProgress?.(Number(res.data?.progress) || 0);
    url = res.headers.get('Location') || url;
    const wait = Math.min(5, Math.max(0.5, Number(res.headers.get('Retry-After')) || 1)) * 1000;
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, wait);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new DOMException('aborted', 'AbortError'));
      }, { once: true });
    });
  }
}

/** Every item of a list route, following `nextCursor` (lists answer `{items, nextCursor}` or a bare array). */
export async function listAll(path, opts = {}, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const data = await api(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, opts);
    if (Array.isArray(data)) return data;
    items.push(...(data?.items ?? []));
    cursor = data?.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** A readable message for an error from `api`, with the field-level details when there are any. */
export function errorMessage(err) {
  if (!(err instanceof ApiError)) return err?.message || String(err);
  const details = Array.isArray(err.body?.details) ? err.body.details.map((d) => d.message || `${d.field}: ${d.rule}`) : [];
  return [err.message, ...details].filter(Boolean).join(' — ');
}
