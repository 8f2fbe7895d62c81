/**
 * Webhook signatures: `X-Spillover-Signature: sha256=<hex>` is the HMAC-SHA256, keyed with the
 * subscription's secret, of `<X-Spillover-Timestamp>.<raw body>`; receivers recompute it, compare
 * in constant time and refuse old timestamps (replays).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verify(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
