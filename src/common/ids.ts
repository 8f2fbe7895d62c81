/** Ids the service mints itself (client-supplied ids follow src/domain/ids.ts). */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;
const pool = Buffer.alloc(16 * 1024);
let poolAt = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter (monotonic
 * within a millisecond), then 62 random bits. Ids sort by creation time, so B-tree inserts of a
 * large batch append instead of touching random pages.
 */
export function uuidV7(now = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    if (++sequence > 0xfff) {
      now = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = now;
    sequence = 0;
  }
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (sequence >> 8);
  b[7] = sequence & 0xff;
  pool.copy(b, 8, poolAt, poolAt + 8);
  poolAt += 8;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
