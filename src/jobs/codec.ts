/**
 * Binary-safe encoding of partial aggregates and snapshots for Redis: V8's structured
 * serialisation (keeps typed arrays, Maps, -0, NaN exactly) compressed with gzip.
 */
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ScenarioSnapshot } from '../assessments/scenario-snapshot';
import type { DependencyRecord } from '../domain/records';
import type { DependencyKind } from '../domain/vocabulary';

export const encodeBuffer = (value: unknown): Buffer => gzipSync(serialize(value), { level: 1 });
export const decodeBuffer = <T>(buf: Buffer): T => deserialize(gunzipSync(buf)) as T;
export const encode = (value: unknown): string => encodeBuffer(value).toString('base64');
export const decode = <T>(text: string): T => decodeBuffer<T>(Buffer.from(text, 'base64'));

/** Dependencies as they travel: entity indexes and values in typed arrays, kinds by index. */
interface DependencyColumns {
  format: 'spillover.dependency-columns/1';
  source: Int32Array;
  target: Int32Array;
  kinds: string[];
  kind: Uint8Array;
  weight: Float64Array;
  /** 0 false, 1 true, 2 absent */
  bidirectional: Uint8Array;
}

/**
 * A scenario snapshot for Redis and the shard workers. Ten million dependencies as objects cost
 * about 1.5 GB once deserialised (each object and each id string its own copy); as columns of
 * entity indexes they take 18 bytes each, and the objects rebuilt from them share the entities'
 * id strings. The rebuilt records equal the originals field for field, so the runs do too.
 * A snapshot with a dependency on an id outside its entities travels as it is.
 */
export function encodeSnapshot(snapshot: ScenarioSnapshot): Buffer {
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
    let k = kindIndex.get(d.kind);
    if (k === undefined) {
      kindIndex.set(d.kind, (k = columns.kinds.length));
      columns.kinds.push(d.kind);
    }
    columns.source[i] = s;
    columns.target[i] = t;
    columns.kind[i] = k;
    columns.weight[i] = d.weight;
    columns.bidirectional[i] = d.bidirectional === undefined ? 2 : d.bidirectional ? 1 : 0;
  }
  return encodeBuffer({ ...snapshot, dependencies: columns });
}

export function decodeSnapshot(buf: Buffer): ScenarioSnapshot {
  const raw = decodeBuffer<Omit<ScenarioSnapshot, 'dependencies'> & { dependencies: ScenarioSnapshot['dependencies'] | DependencyColumns }>(buf);
  const c = raw.dependencies;
  if (Array.isArray(c)) return raw as ScenarioSnapshot;
  const ids = raw.entities.map((e) => e.id);
  const dependencies: DependencyRecord[] = new Array(c.source.length);
  for (let i = 0; i < dependencies.length; i++) {
    const b = c.bidirectional[i];
    const kind = c.kinds[c.kind[i]] as DependencyKind;
    dependencies[i] = b === 2
      ? { sourceId: ids[c.source[i]], targetId: ids[c.target[i]], kind, weight: c.weight[i] }
      : { sourceId: ids[c.source[i]], targetId: ids[c.target[i]], kind, weight: c.weight[i], bidirectional: b === 1 };
  }
  return { ...raw, dependencies };
}
