/** Rules of one dependency record and of a set of them (dangling endpoints, duplicate edges). */
import type { DependencyRecord } from '../records';
import { DEPENDENCY_KINDS, type DependencyKind } from '../vocabulary';
import type { EntityIndex } from './entity';
import { absent, booleanValue, clip, numberValue, objectOf, push, slugOrNull, slugValue, type Errors, type RowError } from './fields';

/** The fields of a dependency, in the column order of dependencies.csv. */
export const DEPENDENCY_COLUMNS = ['sourceId', 'targetId', 'kind', 'weight', 'bidirectional'] as const;
const DEPENDENCY_FIELDS = new Set<string>(DEPENDENCY_COLUMNS);
const DEP_KIND_SET = new Set<string>(DEPENDENCY_KINDS);

/** The rule of each dependency field, as ENTITY_FIELD_RULES (entity.ts) for entities. */
export const DEPENDENCY_FIELD_RULES = {
  sourceId: (v: unknown, errors: Errors, row?: number) => slugValue(v, 'sourceId', true, errors, row),
  targetId: (v: unknown, errors: Errors, row?: number, _text = false, record?: Record<string, unknown>) => {
    const targetId = slugValue(v, 'targetId', true, errors, row);
    if (targetId !== null && targetId === record?.sourceId) push(errors, row, 'targetId', 'selfLoop', `a dependency must join two different entities ('${targetId}' twice)`);
    return targetId;
  },
  kind: (v: unknown, errors: Errors, row?: number): DependencyKind | null => {
    if (absent(v)) return push(errors, row, 'kind', 'required', 'kind is required'), null;
    if (typeof v === 'string' && DEP_KIND_SET.has(v.trim().toLowerCase())) return v.trim().toLowerCase() as DependencyKind;
    push(errors, row, 'kind', 'isIn', `kind '${clip(String(v))}' must be one of ${DEPENDENCY_KINDS.join(', ')}`);
    return null;
  },
  weight: (v: unknown, errors: Errors, row?: number, text = false): number => {
    const w = numberValue(v, text);
    if (w === undefined) push(errors, row, 'weight', 'required', 'weight is required');
    else if (w === 'bad') push(errors, row, 'weight', 'isNumber', `weight must be a finite number, got '${clip(String(v))}'`);
    else if (w < 0 || w > 1) push(errors, row, 'weight', 'range', `weight must be in [0,1], got ${w}`);
    else return w;
    return 0;
  },
  bidirectional: (v: unknown, errors: Errors, row?: number, text = false) => booleanValue(v, 'bidirectional', text, errors, row),
};

/** Checks and normalises one dependency (JSON, or CSV cells with `text`). Endpoints: {@link checkDependencySet}. */
export function checkDependency(raw: unknown, row: number | undefined, errors: Errors, text = false): DependencyRecord | null {
  const before = errors.length;
  const o = objectOf(raw, 'dependency', DEPENDENCY_FIELDS, errors, row);
  if (!o) return null;
  const r = DEPENDENCY_FIELD_RULES;
  const sourceId = r.sourceId(o.sourceId, errors, row);
  const targetId = r.targetId(o.targetId, errors, row, text, o);
  const kind = r.kind(o.kind, errors, row);
  const weight = r.weight(o.weight, errors, row, text);
  const bidirectional = r.bidirectional(o.bidirectional, errors, row, text) ?? false;
  if (errors.length > before) return null;
  return { sourceId: sourceId!, targetId: targetId!, kind: kind!, weight, bidirectional };
}

/** The endpoints of a bad dependency row, for reference checks; null when unusable or a self-loop. */
export function dependencySkeleton(o: Record<string, unknown>): DependencyRecord | null {
  const sourceId = slugOrNull(o.sourceId);
  const targetId = slugOrNull(o.targetId);
  if (!sourceId || !targetId || sourceId === targetId) return null;
  const k = typeof o.kind === 'string' ? o.kind.trim().toLowerCase() : '';
  return { sourceId, targetId, kind: (DEP_KIND_SET.has(k) ? k : 'x-unknown') as DependencyKind, weight: 0 };
}

/**
 * Dangling endpoints and duplicate edges (same sourceId, targetId and kind) over checked
 * dependencies. Linear time and memory (edges grouped by source), so it copes with 10^7 rows.
 */
export function checkDependencySet(
  deps: readonly (DependencyRecord | null)[],
  entities: EntityIndex,
  errors: Errors,
  opts: { rows?: readonly number[] } = {},
): void {
  const rowOf = (i: number) => (opts.rows ? opts.rows[i] : i + 1);
  const m = deps.length;
  const src = new Int32Array(m).fill(-1);
  const key = new Float64Array(m);
  const kinds = new Map<string, number>(DEPENDENCY_KINDS.map((k, i) => [k, i]));
  let nextExternal = entities.position.size;
  const external = new Map<string, number>();
  const idx = (id: string): number => {
    const p = entities.position.get(id);
    if (p !== undefined) return p;
    let x = external.get(id);
    if (x === undefined) external.set(id, (x = nextExternal++));
    return x;
  };
  for (let i = 0; i < m; i++) {
    const d = deps[i];
    if (!d) continue;
    let ok = true;
    if (!entities.has(d.sourceId)) {
      push(errors, rowOf(i), 'sourceId', 'reference', `sourceId '${d.sourceId}' names no entity`);
      ok = false;
    }
    if (!entities.has(d.targetId)) {
      push(errors, rowOf(i), 'targetId', 'reference', `targetId '${d.targetId}' names no entity`);
      ok = false;
    }
    if (!ok) continue;
    src[i] = idx(d.sourceId);
    key[i] = idx(d.targetId) * 8 + (kinds.get(d.kind) ?? 7);
  }
  // Group by source (counting sort), then look for repeated (target, kind) within each group.
  const nodes = nextExternal;
  const start = new Int32Array(nodes + 1);
  for (let i = 0; i < m; i++) if (src[i] >= 0) start[src[i] + 1]++;
  for (let v = 0; v < nodes; v++) start[v + 1] += start[v];
  const fill = start.slice(0, nodes);
  const order = new Int32Array(start[nodes]);
  for (let i = 0; i < m; i++) if (src[i] >= 0) order[fill[src[i]]++] = i;
  const seen = new Map<number, number>();
  for (let v = 0; v < nodes; v++) {
    const a = start[v];
    const b = start[v + 1];
    if (b - a < 2) continue;
    seen.clear();
    for (let j = a; j < b; j++) {
      const i = order[j];
      const first = seen.get(key[i]);
      if (first === undefined) seen.set(key[i], i);
      else {
        const d = deps[i]!;
        push(errors, rowOf(i), 'targetId', 'duplicate', `dependency ${d.sourceId} -> ${d.targetId} (${d.kind}) is already given on row ${rowOf(first)}`);
      }
    }
  }
}

export interface DependencyInput {
  sourceId: string;
  targetId: string;
  kind: string;
  weight: number;
  bidirectional?: boolean;
}

export interface NewDependency {
  sourceId: string;
  targetId: string;
  kind: DependencyKind;
  weight: number;
  bidirectional: boolean;
}

/** Checks one dependency record (JSON, or CSV cells with `text`); endpoints' existence is the caller's job. */
export function checkNewDependency(input: unknown, row?: number, text = false): { value: NewDependency | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const d = checkDependency(input, row, errors, text);
  if (!d) return { value: null, errors };
  return { value: { sourceId: d.sourceId, targetId: d.targetId, kind: d.kind, weight: d.weight, bidirectional: d.bidirectional ?? false }, errors };
}
