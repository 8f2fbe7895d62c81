/** 90% ranges `{low, high}`: finite ends, low <= high, within the quantity's bounds. */
import type { Range90 } from '../records';
import { absent, isPlainObject, push, type Errors } from './fields';

export interface RangeBounds {
  min?: number;
  max?: number;
  /** The low end must be strictly above `min` (for ranges fitted as lognormals). */
  positive?: boolean;
}

/** Checks a 90% range `{low, high}` at `path`: finite numbers, low <= high, within bounds. */
export function checkRange(v: unknown, path: string, bounds: RangeBounds, errors: Errors, row?: number): Range90 | null {
  if (!isPlainObject(v)) return push(errors, row, path, 'isObject', `${path} must be a range {low, high}`), null;
  const shape = errors.length;
  for (const key in v) if (key !== 'low' && key !== 'high') push(errors, row, `${path}.${key}`, 'unknownProperty', `property '${key}' is not allowed`);
  const before = errors.length;
  for (const end of ['low', 'high'] as const) {
    const x = v[end];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      push(errors, row, `${path}.${end}`, absent(x) ? 'required' : 'isNumber', `${path}.${end} must be a finite number`);
      continue;
    }
    if (bounds.min !== undefined && (x < bounds.min || (bounds.positive && x <= bounds.min))) {
      push(errors, row, `${path}.${end}`, 'range', `${path}.${end} must be ${bounds.positive ? '>' : '>='} ${bounds.min}, got ${x}`);
    }
    if (bounds.max !== undefined && x > bounds.max) push(errors, row, `${path}.${end}`, 'range', `${path}.${end} must be <= ${bounds.max}, got ${x}`);
  }
  if (errors.length > before) return null;
  const low = v.low as number;
  const high = v.high as number;
  if (low > high) return push(errors, row, path, 'order', `${path}: low (${low}) is above high (${high})`), null;
  return errors.length > shape ? null : { low, high };
}
