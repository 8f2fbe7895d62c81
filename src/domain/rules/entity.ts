/**
 * Rules of one entity record and of a set of them (duplicate ids, dangling parents, cycles).
 * Hand-written rather than class-validator because the bulk path checks 100,000 rows per request.
 */
import type { EntityRecord } from '../records';
import { ENTITY_KINDS, defaultProtection } from '../vocabulary';
import {
  absent, booleanValue, clip, countryValue, countValue, objectOf, nameValue, push, sectorValue, slugOrNull, slugValue, tagsValue,
  type Errors, type RowError,
} from './fields';

/** The fields of an entity, in the column order of entities.csv (stixId has no column). */
export const ENTITY_COLUMNS = [
  'id', 'name', 'kind', 'parentId', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected',
] as const;
const ENTITY_FIELDS = new Set<string>([...ENTITY_COLUMNS, 'stixId']);
const KIND_SET = new Set<string>(ENTITY_KINDS);

/** `protected` as stored: the explicit value when given, else the default from sector and kind (norms 13(f), 13(k)). */
export function resolveProtected(sector: string | null | undefined, kind: string | null | undefined, explicit?: boolean | null): boolean {
  if (explicit === true || explicit === false) return explicit;
  return defaultProtection(sector, kind).length > 0;
}


/**
 * The rule of each entity field: appends what the value breaks to `errors` and returns it
 * normalised. `text` parses numbers and booleans from CSV cells; `record` is the whole input, for
 * the rules across fields. The API's request DTO applies the same rules field by field.
 */
export const ENTITY_FIELD_RULES = {
  id: (v: unknown, errors: Errors, row?: number) => slugValue(v, 'id', true, errors, row),
  name: (v: unknown, errors: Errors, row?: number) => nameValue(v, 'name', true, errors, row),
  kind: (v: unknown, errors: Errors, row?: number): string => {
    if (absent(v)) return 'organization';
    if (typeof v === 'string' && KIND_SET.has(v.trim().toLowerCase())) return v.trim().toLowerCase();
    push(errors, row, 'kind', 'isIn', `kind '${clip(String(v))}' must be one of ${ENTITY_KINDS.join(', ')}`);
    return 'organization';
  },
  parentId: (v: unknown, errors: Errors, row?: number, _text = false, record?: Record<string, unknown>) => {
    const parentId = slugValue(v, 'parentId', false, errors, row);
    if (parentId !== null && parentId === record?.id) push(errors, row, 'parentId', 'cycle', 'an entity cannot be its own parent');
    return parentId;
  },
  country: (v: unknown, errors: Errors, row?: number) => countryValue(v, 'country', errors, row),
  sector: (v: unknown, errors: Errors, row?: number) => sectorValue(v, 'sector', errors, row),
  hosts: (v: unknown, errors: Errors, row?: number, text = false) => countValue(v, 'hosts', true, text, errors, row),
  dailyValueUsd: (v: unknown, errors: Errors, row?: number, text = false) => countValue(v, 'dailyValueUsd', false, text, errors, row),
  populationServed: (v: unknown, errors: Errors, row?: number, text = false) => countValue(v, 'populationServed', true, text, errors, row),
  tags: (v: unknown, errors: Errors, row?: number) => tagsValue(v, 'tags', errors, row),
  protected: (v: unknown, errors: Errors, row?: number, text = false) => booleanValue(v, 'protected', text, errors, row),
  stixId: (v: unknown, errors: Errors, row?: number): string | null => {
    if (absent(v)) return null;
    if (typeof v === 'string' && /^identity--[0-9a-f-]{36}$/.test(v)) return v;
    push(errors, row, 'stixId', 'stixId', 'stixId must be identity--<uuid>');
    return null;
  },
};

/**
 * Checks and normalises one entity. `raw` is a JSON object, or (with `text`) an object of CSV
 * cells as strings: then numbers, booleans and `;`-separated tags are parsed from text.
 * Returns null (with errors appended) when the row is bad. References are checked by
 * {@link checkEntitySet}.
 */
export function checkEntity(raw: unknown, row: number | undefined, errors: Errors, text = false): EntityRecord | null {
  const before = errors.length;
  const o = objectOf(raw, 'entity', ENTITY_FIELDS, errors, row);
  if (!o) return null;
  const r = ENTITY_FIELD_RULES;
  const id = r.id(o.id, errors, row);
  const name = r.name(o.name, errors, row);
  const kind = r.kind(o.kind, errors, row);
  const parentId = r.parentId(o.parentId, errors, row, text, o);
  const country = r.country(o.country, errors, row);
  const sector = r.sector(o.sector, errors, row);
  const hosts = r.hosts(o.hosts, errors, row, text);
  const dailyValueUsd = r.dailyValueUsd(o.dailyValueUsd, errors, row, text);
  const populationServed = r.populationServed(o.populationServed, errors, row, text);
  const tags = r.tags(o.tags, errors, row);
  const explicit = r.protected(o.protected, errors, row, text);
  const stixId = r.stixId(o.stixId, errors, row);
  if (errors.length > before) return null;
  const e: EntityRecord = {
    id: id!,
    name: name!,
    kind,
    parentId,
    country,
    sector,
    hosts,
    dailyValueUsd,
    populationServed,
    tags,
    protected: resolveProtected(sector, kind, explicit),
  };
  if (stixId) e.stixId = stixId;
  return e;
}

/** The id and parentId of a bad entity row, for set-level checks; null when its id is unusable. */
export function entitySkeleton(o: Record<string, unknown>): EntityRecord | null {
  const id = slugOrNull(o.id);
  if (!id) return null;
  return { id, name: '', kind: 'organization', parentId: slugOrNull(o.parentId), hosts: 0, dailyValueUsd: 0, populationServed: 0, tags: [] };
}


/** The ids of a checked entity set, with their rows; built by {@link checkEntitySet}. */
export interface EntityIndex {
  /** id -> position in the entity list. */
  position: Map<string, number>;
  has(id: string): boolean;
}

/**
 * Duplicate ids, dangling parentIds and parentId cycles over a list of checked entities (null for
 * rows that failed their own checks). `rows[i]` is the row number of `entities[i]` (default i+1).
 * `known(id)` may accept parents that exist outside the batch (the database).
 */
export function checkEntitySet(
  entities: readonly (EntityRecord | null)[],
  errors: Errors,
  opts: { rows?: readonly number[]; known?: (id: string) => boolean } = {},
): EntityIndex {
  const rowOf = (i: number) => (opts.rows ? opts.rows[i] : i + 1);
  const position = new Map<string, number>();
  entities.forEach((e, i) => {
    if (!e) return;
    const first = position.get(e.id);
    if (first !== undefined) push(errors, rowOf(i), 'id', 'duplicate', `id '${e.id}' is already used on row ${rowOf(first)}`);
    else position.set(e.id, i);
  });
  const n = entities.length;
  const parent = new Int32Array(n).fill(-1);
  entities.forEach((e, i) => {
    if (!e || !e.parentId) return;
    const p = position.get(e.parentId);
    if (p !== undefined) parent[i] = p;
    else if (!opts.known?.(e.parentId)) push(errors, rowOf(i), 'parentId', 'reference', `parentId '${e.parentId}' names no entity`);
  });
  // Cycles: walk up from each node; 1 = on the current path, 2 = known to end at a root or cycle.
  const state = new Uint8Array(n);
  const path: number[] = [];
  for (let s = 0; s < n; s++) {
    if (state[s]) continue;
    path.length = 0;
    let v = s;
    while (v !== -1 && state[v] === 0) {
      state[v] = 1;
      path.push(v);
      v = parent[v];
    }
    if (v !== -1 && state[v] === 1) {
      const cycle = path.slice(path.indexOf(v));
      const ids = cycle.map((i) => entities[i]!.id);
      const shown = ids.length > 6 ? [...ids.slice(0, 6), '...'] : ids;
      for (const i of cycle) {
        if (parent[i] === i) continue; // self-parent already reported by checkEntity
        push(errors, rowOf(i), 'parentId', 'cycle', `parentId chain forms a cycle: ${[...shown, ids[0]].join(' -> ')}`);
      }
    }
    for (const u of path) state[u] = 2;
  }
  return { position, has: (id) => position.has(id) || (opts.known?.(id) ?? false) };
}

/** What a client may send for an entity. */
export interface EntityInput {
  id: string;
  name: string;
  /** Defaults to `organization`. */
  kind?: string;
  parentId?: string | null;
  country?: string | null;
  sector?: string | null;
  hosts?: number;
  dailyValueUsd?: number;
  populationServed?: number;
  tags?: string[];
  /** Defaults from sector and kind (`defaultProtection`). */
  protected?: boolean;
  stixId?: string | null;
}

/** An entity ready to insert: every column filled, country and sector normalised. */
export interface NewEntity {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  hosts: number;
  dailyValueUsd: number;
  populationServed: number;
  tags: string[];
  protected: boolean;
  stixId: string | null;
}

/**
 * Checks one entity as the API takes it, every column filled; `row` (1-based) is put on each detail when given. With `text`, the
 * values are CSV cells (strings): numbers, booleans and `;`-separated tags are parsed from text.
 * Unknown properties are refused. References (parent exists, no cycle, id not taken) are checked by
 * the caller against the batch and the database.
 */
export function checkNewEntity(input: unknown, row?: number, text = false): { value: NewEntity | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const e = checkEntity(input, row, errors, text);
  if (!e) return { value: null, errors };
  return {
    value: {
      id: e.id, name: e.name, kind: e.kind, parentId: e.parentId ?? null, country: e.country ?? null, sector: e.sector ?? null,
      hosts: e.hosts, dailyValueUsd: e.dailyValueUsd, populationServed: e.populationServed, tags: e.tags,
      protected: e.protected ?? false, stixId: e.stixId ?? null,
    },
    errors,
  };
}
