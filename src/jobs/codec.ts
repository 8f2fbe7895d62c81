/**
 * Binary-safe encoding of partial aggregates and snapshots for Redis: V8's structured
 * serialisation (keeps typed arrays, Maps, -0, NaN exactly), compressed with gzip except for
 * shards' partials (encodePartial).
 */
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dependencyColumnsOf, dependencyView, setDependency, type DependencyColumns } from '../engine/dependency-columns';
import type { EntityRecord, ScenarioSnapshot } from '../domain/records';

export const encodeBuffer = (value: unknown): Buffer => gzipSync(serialize(packSparse(value)), { level: 1 });
/** Reads encodeBuffer's and encodePartial's output (a gzip stream starts with 1f 8b, V8's serialisation with ff). */
export const decodeBuffer = <T>(buf: Buffer): T => unpackSparse(deserialize(buf[0] === 0x1f && buf[1] === 0x8b ? gunzip(buf) : buf)) as T;
/**
 * A shard's partial, uncompressed: gzip cost its worker ~150 ms and the coordinator ~25 ms per
 * 313-run shard at 10,000 entities, for a buffer 2.3x smaller that crosses Redis once and is
 * deleted when read. decodeBuffer reads it.
 */
export const encodePartial = (value: unknown): Buffer => serialize(packSparse(value));

/**
 * gunzipSync into one buffer of the output's size, read from the gzip trailer (ISIZE, the size
 * mod 2^32): by default it gathers 16 KB chunks and then concatenates them, two copies of the
 * output at once (a 383 MB snapshot at 1M entities took the decoding worker 380 MB higher).
 * A wrong size (a larger output, several members) only costs that copy again.
 */
function gunzip(buf: Buffer): Buffer {
  const size = buf.length >= 18 && buf[0] === 0x1f && buf[1] === 0x8b ? buf.readUInt32LE(buf.length - 4) : 0;
  // Deflate shrinks at most 1032:1: a larger size is not this buffer's (nor worth allocating).
  return size > 64 * 1024 && size <= buf.length * 1032 ? gunzipSync(buf, { chunkSize: size }) : gunzipSync(buf);
}

type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
const NUMERIC_ARRAYS: Record<string, new (n: number) => NumericArray> = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array };
const SPARSE = 'spillover.sparse/1';
/** Shorter arrays are not worth a pass. */
const SPARSE_MIN_LENGTH = 4096;

interface SparseArray {
  format: typeof SPARSE;
  type: string;
  length: number;
  index: Int32Array;
  values: NumericArray;
}

/** A plain object, of this realm or another (deserialised values are built in Node's main realm). */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Object]' && Object.getPrototypeOf(v)?.constructor?.name === 'Object';

/**
 * A shard's partial holds per-entity and per-arc sums over its runs, and at a million entities
 * nearly all of them are zero (a run reaches a small part of the graph): 10 MB gzipped, but
 * gunzipping its hundreds of megabytes of zeros took the coordinator 1.4 s a shard. The top-level
 * typed arrays of an object that are mostly zeros travel as their non-zero entries (index and
 * value); -0 and NaN count as non-zero, so the decoded arrays equal the originals bit for bit.
 */
export function packSparse(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | null = null;
  for (const [key, a] of Object.entries(value)) {
    if (!ArrayBuffer.isView(a) || !(a.constructor.name in NUMERIC_ARRAYS) || (a as NumericArray).length < SPARSE_MIN_LENGTH) continue;
    const dense = a as NumericArray;
    let nonZero = 0;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== 0 || Object.is(dense[i], -0)) nonZero++;
    if (nonZero * (4 + dense.BYTES_PER_ELEMENT) >= dense.length * dense.BYTES_PER_ELEMENT) continue;
    const index = new Int32Array(nonZero);
    const values = new NUMERIC_ARRAYS[dense.constructor.name](nonZero);
    for (let i = 0, k = 0; i < dense.length; i++) {
      if (dense[i] !== 0 || Object.is(dense[i], -0)) {
        index[k] = i;
        values[k++] = dense[i];
      }
    }
    out ??= { ...value };
    out[key] = { format: SPARSE, type: dense.constructor.name, length: dense.length, index, values } satisfies SparseArray;
  }
  return out ?? value;
}

function unpackSparse(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  for (const [key, v] of Object.entries(value)) {
    if (!isPlainObject(v) || v.format !== SPARSE) continue;
    const sparse = v as unknown as SparseArray;
    const dense = new NUMERIC_ARRAYS[sparse.type](sparse.length);
    for (let k = 0; k < sparse.index.length; k++) dense[sparse.index[k]] = sparse.values[k];
    value[key] = dense;
  }
  return value;
}
export const encode = (value: unknown): string => encodeBuffer(value).toString('base64');
export const decode = <T>(text: string): T => decodeBuffer<T>(Buffer.from(text, 'base64'));

/**
 * A scenario snapshot for Redis and the shard workers. Ten million dependencies as objects cost
 * about 1.5 GB once deserialised (each object and each id string its own copy); as columns of
 * entity indexes they take 18 bytes each, and decoded they stay columns behind a view that
 * builds each record on access (sharing the entities' id strings). The records equal the
 * originals field for field, so the runs do too. A snapshot read from the database
 * (readGraph) already holds columns and travels as it is.
 * A snapshot with a dependency on an id outside its entities sends its dependencies as records.
 * Entities travel as columns too (entityColumns), and come back as records again.
 */
export function encodeSnapshot(snapshot: ScenarioSnapshot): Buffer {
  const entities = entityColumns(snapshot.entities) ?? snapshot.entities;
  const read = dependencyColumnsOf(snapshot.dependencies);
  if (read) return encodeBuffer({ ...snapshot, entities, dependencies: read });
  const index = new Map<string, number>();
  snapshot.entities.forEach((e, i) => index.set(e.id, i));
  const deps = snapshot.dependencies;
  const n = deps.length;
  const columns: DependencyColumns = {
    format: 'spillover.dependency-columns/1',
    source: new Int32Array(n),
    target: new Int32Array(n),
    kinds: [],
    kind: new Uint8Array(n),
    weight: new Float64Array(n),
    bidirectional: new Uint8Array(n),
  };
  const kindIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const d = deps[i];
    const s = index.get(d.sourceId);
    const t = index.get(d.targetId);
    if (s === undefined || t === undefined || Object.keys(d).length > 5) return encodeBuffer({ ...snapshot, entities });
    setDependency(columns, kindIndex, i, s, t, d.kind, d.weight, d.bidirectional);
  }
  return encodeBuffer({ ...snapshot, entities, dependencies: columns });
}

/** The snapshot with its dependencies as a view of the columns (records built on access, none kept). */
export function decodeSnapshot(buf: Buffer): ScenarioSnapshot {
  const raw = decodeBuffer<Omit<ScenarioSnapshot, 'dependencies' | 'entities'> & { entities: EntityRecord[] | EntityColumns; dependencies: ScenarioSnapshot['dependencies'] | DependencyColumns }>(buf);
  const entities = Array.isArray(raw.entities) ? raw.entities : entityRecords(raw.entities);
  const c = raw.dependencies;
  if (Array.isArray(c)) return { ...raw, entities, dependencies: c };
  return { ...raw, entities, dependencies: dependencyView(ownColumns(c as DependencyColumns), entities.map((e) => e.id)) };
}

/**
 * The columns in buffers of their own. v8.deserialize makes typed arrays views of the buffer it
 * reads, which holds the whole serialised snapshot, entity records included (490 MB at 1M
 * entities and 9M dependencies): kept as long as one column is, it stayed beside the decoded
 * entities while a shard worker prepared its model. Copies (160 MB) let it go at once.
 */
function ownColumns(c: DependencyColumns): DependencyColumns {
  return { ...c, source: c.source.slice(), target: c.target.slice(), kind: c.kind.slice(), weight: c.weight.slice(), bidirectional: c.bidirectional.slice() };
}

/**
 * Entities as columns, one per field: numbers as Float64Array, parentId as the index of its
 * entity, fields of few distinct values (kind, country, sector, tags, protected) as indexes into
 * those values, the others (id, name) as arrays. Deserialised as records, a million entities
 * took 480 MB (every kind, country, sector, tag and parentId string, and every tags array, a
 * copy of its own); from columns they share those (a decoded snapshot is read, never changed,
 * and its shared tag lists are frozen), and the serialised snapshot is half the size.
 */
interface EntityColumns {
  format: 'spillover.entity-columns/1';
  n: number;
  /** In the records' key order. */
  fields: EntityField[];
}

type EntityField = { key: string; present: Uint8Array | null } & (
  | { type: 'number'; values: Float64Array }
  /** Index of the entity whose id is the value; -1 null. */
  | { type: 'entity'; index: Int32Array }
  | { type: 'dictionary'; values: unknown[]; index: Uint8Array | Uint16Array | Int32Array }
  | { type: 'values'; values: unknown[] }
);

/** Distinct values a dictionary column may hold (its index fits a Uint16Array). */
const DICTIONARY_MAX = 65_535;

const NOT_POOLED = Symbol('not pooled');

/** A value's dictionary key: primitives as themselves, arrays of strings (tags) by their contents; NOT_POOLED for others. */
function poolKey(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `\u0000${JSON.stringify(v)}`;
  return NOT_POOLED;
}

/** The entities as columns, or undefined when they do not fit them (keys in different orders, a parentId outside the snapshot for the entity column, too few to gain). */
export function entityColumns(entities: readonly EntityRecord[]): EntityColumns | undefined {
  const n = entities.length;
  if (n < 2) return undefined;
  // The fullest record's keys first (a record lacking optional fields may come first), then any others.
  let fullest = entities[0];
  for (const e of entities) if (Object.keys(e).length > Object.keys(fullest).length) fullest = e;
  const keys = Object.keys(fullest);
  const at = new Map(keys.map((k, i) => [k, i]));
  for (const e of entities) {
    let last = -1;
    for (const k of Object.keys(e)) {
      let p = at.get(k);
      if (p === undefined) {
        at.set(k, (p = keys.length));
        keys.push(k);
      }
      // Records are rebuilt in `keys` order: each record's keys must come in that order.
      if (p < last) return undefined;
      last = p;
    }
  }
  const index = new Map<string, number>();
  entities.forEach((e, i) => index.set(e.id, i));
  const fields = keys.map((key) => entityField(entities, key, index));
  return { format: 'spillover.entity-columns/1', n, fields };
}

function entityField(entities: readonly EntityRecord[], key: string, ids: Map<string, number>): EntityField {
  const n = entities.length;
  const rec = (i: number) => entities[i] as unknown as Record<string, unknown>;
  let present: Uint8Array | null = null;
  let numbers = true;
  let refs = key === 'parentId';
  const pool = new Map<unknown, number>();
  let pooled = true;
  for (let i = 0; i < n; i++) {
    if (!(key in rec(i))) {
      present ??= new Uint8Array(n).fill(1);
      present[i] = 0;
      continue;
    }
    const v = rec(i)[key];
    if (typeof v !== 'number') numbers = false;
    if (refs && v !== null && !(typeof v === 'string' && ids.get(v) !== undefined && entities[ids.get(v)!].id === v)) refs = false;
    if (pooled) {
      const k = poolKey(v);
      if (k === NOT_POOLED || pool.size > DICTIONARY_MAX) pooled = false;
      else if (!pool.has(k)) pool.set(k, pool.size);
    }
  }
  const has = (i: number) => present === null || present[i] === 1;
  if (numbers) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) if (has(i)) values[i] = rec(i)[key] as number;
    return { key, present, type: 'number', values };
  }
  if (refs) {
    const index = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) if (has(i) && rec(i)[key] !== null) index[i] = ids.get(rec(i)[key] as string)!;
    return { key, present, type: 'entity', index };
  }
  if (pooled && pool.size <= DICTIONARY_MAX && pool.size * 4 <= n) {
    const values: unknown[] = new Array(pool.size);
    const index = pool.size <= 255 ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      if (!has(i)) continue;
      const v = rec(i)[key];
      const k = pool.get(poolKey(v))!;
      values[k] ??= v;
      index[i] = k;
    }
    return { key, present, type: 'dictionary', values, index };
  }
  const values: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) if (has(i)) values[i] = rec(i)[key];
  return { key, present, type: 'values', values };
}

/** The records again, field for field (shared values of a dictionary column: frozen, so no record's change reaches another). */
function entityRecords(c: EntityColumns): EntityRecord[] {
  for (const f of c.fields) if (f.type === 'dictionary') for (const v of f.values) if (v !== null && typeof v === 'object') Object.freeze(v);
  const idField = c.fields.find((f) => f.key === 'id');
  const ids: unknown[] = idField ? Array.from({ length: c.n }, (_, i) => valueAt(idField, i, [])) : [];
  const out: EntityRecord[] = new Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const e: Record<string, unknown> = {};
    for (const f of c.fields) if (f.present === null || f.present[i] === 1) e[f.key] = valueAt(f, i, ids);
    out[i] = e as unknown as EntityRecord;
  }
  return out;
}

function valueAt(f: EntityField, i: number, ids: readonly unknown[]): unknown {
  switch (f.type) {
    case 'number':
    case 'values':
      return f.values[i];
    case 'dictionary':
      return f.values[f.index[i]];
    case 'entity':
      return f.index[i] < 0 ? null : ids[f.index[i]];
  }
}
