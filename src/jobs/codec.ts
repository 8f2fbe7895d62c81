/**
 * Binary-safe encoding of partial aggregates and snapshots for Redis: V8's structured
 * serialisation (keeps typed arrays, Maps, -0, NaN exactly) compressed with gzip.
 */
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dependencyColumnsOf, dependencyView, setDependency, type DependencyColumns } from '../engine/dependency-columns';
import { type ScenarioSnapshot } from '../domain/records';

export const encodeBuffer = (value: unknown): Buffer => gzipSync(serialize(packSparse(value)), { level: 1 });
export const decodeBuffer = <T>(buf: Buffer): T => unpackSparse(deserialize(gunzip(buf))) as T;

/**
 * gunzipSync into one buffer of the output's size, read from the gzip trailer (ISIZE, the size
 * mod 2^32): by default it gathers 16 KB chunks and then concatenates them, two copies of the
 * output at once (a 383 MB snapshot at 1M entities took the decoding worker 380 MB higher).
 * A wrong size (a larger output, several members) only costs that copy again.
 */
function gunzip(buf: Buffer): Buffer {
  const size = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  return size > 64 * 1024 ? gunzipSync(buf, { chunkSize: size }) : gunzipSync(buf);
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
 * A snapshot with a dependency on an id outside its entities travels as it is.
 */
export function encodeSnapshot(snapshot: ScenarioSnapshot): Buffer {
  const read = dependencyColumnsOf(snapshot.dependencies);
  if (read) return encodeBuffer({ ...snapshot, dependencies: read });
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
    if (s === undefined || t === undefined || Object.keys(d).length > 5) return encodeBuffer(snapshot);
    setDependency(columns, kindIndex, i, s, t, d.kind, d.weight, d.bidirectional);
  }
  return encodeBuffer({ ...snapshot, dependencies: columns });
}

/** The snapshot with its dependencies as a view of the columns (records built on access, none kept). */
export function decodeSnapshot(buf: Buffer): ScenarioSnapshot {
  const raw = decodeBuffer<Omit<ScenarioSnapshot, 'dependencies'> & { dependencies: ScenarioSnapshot['dependencies'] | DependencyColumns }>(buf);
  const c = raw.dependencies;
  if (Array.isArray(c)) return raw as ScenarioSnapshot;
  return { ...raw, dependencies: dependencyView(ownColumns(c as DependencyColumns), raw.entities.map((e) => e.id)) };
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
