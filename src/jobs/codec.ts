/**
 * Binary-safe encoding of partial aggregates and snapshots for Redis: V8's structured
 * serialisation (keeps typed arrays, Maps, -0, NaN exactly) compressed with gzip.
 */
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';

export const encodeBuffer = (value: unknown): Buffer => gzipSync(serialize(value), { level: 1 });
export const decodeBuffer = <T>(buf: Buffer): T => deserialize(gunzipSync(buf)) as T;
export const encode = (value: unknown): string => encodeBuffer(value).toString('base64');
export const decode = <T>(text: string): T => decodeBuffer<T>(Buffer.from(text, 'base64'));
