/**
 * Monotone event queue for the event-driven spread (every key pushed is >= the last key popped,
 * as in Dijkstra's algorithm): a calendar of time buckets of width `width`.
 * - The current bucket's entries sit in a small 4-ary min-heap (exact order).
 * - The next B-1 buckets are unsorted linked lists in a pooled arena (O(1) push).
 * - Anything further sits in an overflow 4-ary heap, moved into the calendar as time advances.
 * When the heap runs dry the calendar moves to the next non-empty bucket (jumping straight to the
 * overflow's minimum when the calendar is empty) and heapifies it. Pops come out in exact key
 * order whatever the width; the width only sets the cost (buckets of a few dozen entries are
 * best). Lazy deletion is left to the caller (push again with an earlier key, skip stale pops).
 */
const B = 4096;
const MASK = B - 1;

export class EventQueue {
  private hNode: Int32Array;
  private hKey: Float64Array;
  private hSize = 0;
  private readonly head = new Int32Array(B).fill(-1);
  private pNode: Int32Array;
  private pKey: Float64Array;
  private pNext: Int32Array;
  private pTop = 0;
  private pFree = -1;
  private ringCount = 0;
  private oNode: Int32Array;
  private oKey: Float64Array;
  private oSize = 0;
  private inv = 1;
  private cur = -Infinity;
  /** Key of the last popped entry. */
  lastKey = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.hNode = new Int32Array(c);
    this.hKey = new Float64Array(c);
    this.pNode = new Int32Array(c);
    this.pKey = new Float64Array(c);
    this.pNext = new Int32Array(c);
    this.oNode = new Int32Array(64);
    this.oKey = new Float64Array(64);
  }

  /** Empties the queue and sets the bucket width (> 0, finite). */
  reset(width: number): void {
    if (this.ringCount > 0) this.head.fill(-1);
    this.hSize = 0;
    this.pTop = 0;
    this.pFree = -1;
    this.ringCount = 0;
    this.oSize = 0;
    this.inv = width > 0 && Number.isFinite(width) ? 1 / width : 1;
    this.cur = -Infinity;
  }

  get size(): number {
    return this.hSize + this.ringCount + this.oSize;
  }

  push(node: number, key: number): void {
    const b = Math.floor(key * this.inv);
    const d = b - this.cur;
    if (d <= 0) this.heapPush(node, key);
    else if (d < B) {
      let e = this.pFree;
      if (e >= 0) this.pFree = this.pNext[e];
      else {
        if (this.pTop === this.pNode.length) this.growPool();
        e = this.pTop++;
      }
      const slot = b & MASK;
      this.pNode[e] = node;
      this.pKey[e] = key;
      this.pNext[e] = this.head[slot];
      this.head[slot] = e;
      this.ringCount++;
    } else this.overflowPush(node, key);
  }

  /** Removes the earliest entry and returns its node (-1 if empty); its key is in lastKey. */
  pop(): number {
    if (this.hSize === 0 && !this.advance()) return -1;
    const hNode = this.hNode;
    const hKey = this.hKey;
    const u = hNode[0];
    this.lastKey = hKey[0];
    const size = --this.hSize;
    if (size > 0) {
      hNode[0] = hNode[size];
      hKey[0] = hKey[size];
      this.siftDown(0, size);
    }
    return u;
  }

  /** Moves to the next non-empty bucket and heapifies it; false if the queue is empty. */
  private advance(): boolean {
    while (this.hSize === 0) {
      if (this.ringCount === 0) {
        if (this.oSize === 0) return false;
        this.cur = Math.floor(this.oKey[0] * this.inv);
      } else this.cur++;
      // overflow entries now within the calendar
      while (this.oSize > 0) {
        const k = this.oKey[0];
        const b = Math.floor(k * this.inv);
        if (b - this.cur >= B) break;
        const v = this.oNode[0];
        this.overflowPop();
        this.push(v, k);
      }
      const slot = this.cur & MASK;
      let e = this.head[slot];
      if (e < 0) continue;
      this.head[slot] = -1;
      // append the bucket's entries (after any overflow entries of this bucket), then heapify (Floyd)
      const n0 = this.hSize;
      let n = n0;
      while (e >= 0) {
        if (n === this.hNode.length) this.growHeap();
        this.hNode[n] = this.pNode[e];
        this.hKey[n] = this.pKey[e];
        n++;
        const next = this.pNext[e];
        this.pNext[e] = this.pFree;
        this.pFree = e;
        e = next;
      }
      this.ringCount -= n - n0;
      this.hSize = n;
      for (let i = (n - 2) >> 2; i >= 0; i--) this.siftDown(i, n);
    }
    return true;
  }

  private siftDown(pos: number, size: number): void {
    const hNode = this.hNode;
    const hKey = this.hKey;
    const node = hNode[pos];
    const key = hKey[pos];
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= size) break;
      let c = first;
      let ck = hKey[first];
      const last = first + 4 < size ? first + 4 : size;
      for (let j = first + 1; j < last; j++) {
        const kj = hKey[j];
        if (kj < ck) {
          c = j;
          ck = kj;
        }
      }
      if (ck >= key) break;
      hNode[pos] = hNode[c];
      hKey[pos] = ck;
      pos = c;
    }
    hNode[pos] = node;
    hKey[pos] = key;
  }

  private heapPush(node: number, key: number): void {
    if (this.hSize === this.hNode.length) this.growHeap();
    const hNode = this.hNode;
    const hKey = this.hKey;
    let pos = this.hSize++;
    while (pos > 0) {
      const p = (pos - 1) >> 2;
      const pk = hKey[p];
      if (pk <= key) break;
      hNode[pos] = hNode[p];
      hKey[pos] = pk;
      pos = p;
    }
    hNode[pos] = node;
    hKey[pos] = key;
  }

  private overflowPush(node: number, key: number): void {
    if (this.oSize === this.oNode.length) {
      const n = new Int32Array(this.oSize * 2);
      n.set(this.oNode);
      const k = new Float64Array(this.oSize * 2);
      k.set(this.oKey);
      this.oNode = n;
      this.oKey = k;
    }
    const oNode = this.oNode;
    const oKey = this.oKey;
    let pos = this.oSize++;
    while (pos > 0) {
      const p = (pos - 1) >> 1;
      if (oKey[p] <= key) break;
      oNode[pos] = oNode[p];
      oKey[pos] = oKey[p];
      pos = p;
    }
    oNode[pos] = node;
    oKey[pos] = key;
  }

  private overflowPop(): void {
    const oNode = this.oNode;
    const oKey = this.oKey;
    const size = --this.oSize;
    if (size === 0) return;
    const node = oNode[size];
    const key = oKey[size];
    let pos = 0;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= size) break;
      if (c + 1 < size && oKey[c + 1] < oKey[c]) c++;
      if (oKey[c] >= key) break;
      oNode[pos] = oNode[c];
      oKey[pos] = oKey[c];
      pos = c;
    }
    oNode[pos] = node;
    oKey[pos] = key;
  }

  private growHeap(): void {
    const c = this.hNode.length * 2;
    const n = new Int32Array(c);
    n.set(this.hNode);
    const k = new Float64Array(c);
    k.set(this.hKey);
    this.hNode = n;
    this.hKey = k;
  }

  private growPool(): void {
    const c = this.pNode.length * 2;
    const n = new Int32Array(c);
    n.set(this.pNode);
    const k = new Float64Array(c);
    k.set(this.pKey);
    const x = new Int32Array(c);
    x.set(this.pNext);
    this.pNode = n;
    this.pKey = k;
    this.pNext = x;
  }
}
