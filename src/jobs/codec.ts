/**
 * Binary-safe encoding of partial aggregates and snapshots for Redis: V8's structured
 * serialisation (keeps typed arrays, Maps, -0, NaN exactly) compressed with gzip.
 */
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dependencyColumnsOf, dependencyView, setDependency, type DependencyColumns } from '../engine/dependency-columns';
import { type ScenarioSnapshot } from '../domain/records';

export const encodeBuffer = (value: unknown): Buffer => gzipSync(serialize(value), { level: 1 });
export const decodeBuffer = <T>(buf: Buffer): T => deserialize(gunzipSync(buf)) as T;
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
  return { ...raw, dependencies: dependencyView(c as DependencyColumns, raw.entities.map((e) => e.id)) };
}
