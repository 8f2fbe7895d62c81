/**
 * Validation and normalisation of entity and dependency input, one record at a time, returning
 * every broken rule (never just the first). Used by the bulk import (JSON and CSV), by
 * `createWithin` (reports, scenario loading) and, through the DTO decorators, single creates.
 * Hand-written rather than class-validator: the bulk path checks 100,000 rows per request.
 */
import type { ErrorDetail } from '../common/errors/domain-error';
import { DEPENDENCY_KINDS, defaultProtection, ENTITY_KINDS, type DependencyKind } from '../domain/vocabulary';
import { normaliseCountry, normaliseSector, SLUG, TAG } from './leaf-rules';

/** What a client may send for an entity (DESIGN.md, Domain). */
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

/** PostgreSQL `integer` is 32-bit. */
export const MAX_INT = 2_147_483_647;

const ENTITY_FIELDS = new Set(['id', 'name', 'kind', 'parentId', 'country', 'sector', 'hosts', 'dailyValueUsd', 'populationServed', 'tags', 'protected', 'stixId']);
const DEPENDENCY_FIELDS = new Set(['sourceId', 'targetId', 'kind', 'weight', 'bidirectional']);
const STIX_IDENTITY = /^identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Errors = ErrorDetail[];
const add = (errors: Errors, row: number | undefined, field: string, rule: string, message: string) =>
  errors.push(row === undefined ? { field, rule, message } : { row, field, rule, message });

const isAbsent = (v: unknown) => v === undefined || v === null || v === '';

function slugField(v: unknown, field: string, required: boolean, errors: Errors, row?: number): string | null {
  if (isAbsent(v)) {
    if (required) add(errors, row, field, 'required', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') return add(errors, row, field, 'isString', `${field} must be a string`), null;
  if (!SLUG.test(v)) return add(errors, row, field, 'slug', `${field} must be a slug: lowercase letters, digits and . _ : - (1-128 chars)`), null;
  return v;
}

function countField(v: unknown, field: string, integer: boolean, errors: Errors, row?: number): number {
  if (isAbsent(v)) return 0;
  if (typeof v !== 'number' || Number.isNaN(v)) return add(errors, row, field, 'isNumber', `${field} must be a number`), 0;
  if (!Number.isFinite(v)) return add(errors, row, field, 'isFinite', `${field} must be finite`), 0;
  if (v < 0) return add(errors, row, field, 'min', `${field} must not be negative`), 0;
  if (integer && !Number.isInteger(v)) return add(errors, row, field, 'isInt', `${field} must be an integer`), 0;
  if (integer && v > MAX_INT) return add(errors, row, field, 'max', `${field} must be at most ${MAX_INT}`), 0;
  return v;
}

/**
 * Checks one entity record (JSON-typed values); `row` (1-based) is put on each detail when given.
 * Unknown properties are refused, as everywhere in the API. References (parent exists, no
 * cycle, id not taken) are checked by the caller against the batch and the database.
 */
export function checkEntity(input: unknown, row?: number): { value: NewEntity | null; errors: ErrorDetail[] } {
  const errors: Errors = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    add(errors, row, row === undefined ? 'body' : 'row', 'isObject', 'each entity must be a JSON object');
    return { value: null, errors };
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!ENTITY_FIELDS.has(key)) add(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);

  const id = slugField(o.id, 'id', true, errors, row);
  let name: string | null = null;
  if (isAbsent(o.name)) add(errors, row, 'name', 'required', 'name is required');
  else if (typeof o.name !== 'string') add(errors, row, 'name', 'isString', 'name must be a string');
  else if (o.name.trim().length === 0 || o.name.length > 300) add(errors, row, 'name', 'length', 'name must be 1-300 characters');
  else name = o.name.trim();

  let kind = 'organization';
  if (!isAbsent(o.kind)) {
    if (typeof o.kind !== 'string' || !(ENTITY_KINDS as readonly string[]).includes(o.kind)) {
      add(errors, row, 'kind', 'isIn', `kind must be one of ${ENTITY_KINDS.join(', ')}`);
    } else kind = o.kind;
  }
  const parentId = slugField(o.parentId, 'parentId', false, errors, row);
  if (parentId !== null && parentId === id) add(errors, row, 'parentId', 'cycle', 'an entity cannot be its own parent');

  let country: string | null = null;
  if (!isAbsent(o.country)) {
    if (typeof o.country !== 'string') add(errors, row, 'country', 'isString', 'country must be a string');
    else if ((country = normaliseCountry(o.country)) === null) {
      add(errors, row, 'country', 'isoCountry', `country '${o.country}' is not an ISO 3166-1 alpha-2 code`);
    }
  }
  let sector: string | null = null;
  if (!isAbsent(o.sector)) {
    if (typeof o.sector !== 'string') add(errors, row, 'sector', 'isString', 'sector must be a string');
    else if ((sector = normaliseSector(o.sector)) === null) add(errors, row, 'sector', 'isIn', `sector '${o.sector}' is not one of the 16 CISA sectors`);
  }
  const hosts = countField(o.hosts, 'hosts', true, errors, row);
  const dailyValueUsd = countField(o.dailyValueUsd, 'dailyValueUsd', false, errors, row);
  const populationServed = countField(o.populationServed, 'populationServed', true, errors, row);

  let tags: string[] = [];
  if (!isAbsent(o.tags)) {
    if (!Array.isArray(o.tags)) add(errors, row, 'tags', 'isArray', 'tags must be an array of strings');
    else if (o.tags.length > 100) add(errors, row, 'tags', 'maxSize', 'at most 100 tags');
    else {
      const clean = new Set<string>();
      o.tags.forEach((t, i) => {
        if (typeof t !== 'string' || !TAG.test(t.trim().toLowerCase())) add(errors, row, `tags[${i}]`, 'tag', 'a tag is 1-64 characters: lowercase letters, digits and . _ + : -');
        else clean.add(t.trim().toLowerCase());
      });
      tags = [...clean];
    }
  }
  let isProtected = defaultProtection(sector, kind).length > 0;
  if (!isAbsent(o.protected)) {
    if (typeof o.protected !== 'boolean') add(errors, row, 'protected', 'isBoolean', 'protected must be true or false');
    else isProtected = o.protected;
  }
  let stixId: string | null = null;
  if (!isAbsent(o.stixId)) {
    if (typeof o.stixId !== 'string' || !STIX_IDENTITY.test(o.stixId)) add(errors, row, 'stixId', 'stixId', 'stixId must be identity--<uuid>');
    else stixId = o.stixId;
  }
  if (errors.length) return { value: null, errors };
  return {
    value: { id: id!, name: name!, kind, parentId, country, sector, hosts, dailyValueUsd, populationServed, tags, protected: isProtected, stixId },
    errors,
  };
}

/** Checks one dependency record; endpoints' existence is the caller's job. */
export function checkDependency(input: unknown, row?: number): { value: NewDependency | null; errors: ErrorDetail[] } {
  const errors: Errors = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    add(errors, row, row === undefined ? 'body' : 'row', 'isObject', 'each dependency must be a JSON object');
    return { value: null, errors };
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!DEPENDENCY_FIELDS.has(key)) add(errors, row, key, 'unknownProperty', `property '${key}' is not allowed`);
  const sourceId = slugField(o.sourceId, 'sourceId', true, errors, row);
  const targetId = slugField(o.targetId, 'targetId', true, errors, row);
  if (sourceId !== null && sourceId === targetId) add(errors, row, 'targetId', 'selfLoop', 'a dependency must join two different entities');
  let kind: DependencyKind | null = null;
  if (isAbsent(o.kind)) add(errors, row, 'kind', 'required', 'kind is required');
  else if (typeof o.kind !== 'string' || !(DEPENDENCY_KINDS as readonly string[]).includes(o.kind)) {
    add(errors, row, 'kind', 'isIn', `kind must be one of ${DEPENDENCY_KINDS.join(', ')}`);
  } else kind = o.kind as DependencyKind;
  let weight = NaN;
  if (isAbsent(o.weight)) add(errors, row, 'weight', 'required', 'weight is required');
  else if (typeof o.weight !== 'number' || !Number.isFinite(o.weight)) add(errors, row, 'weight', 'isNumber', 'weight must be a finite number');
  else if (o.weight < 0 || o.weight > 1) add(errors, row, 'weight', 'range', 'weight must be in [0,1]');
  else weight = o.weight;
  let bidirectional = false;
  if (!isAbsent(o.bidirectional)) {
    if (typeof o.bidirectional !== 'boolean') add(errors, row, 'bidirectional', 'isBoolean', 'bidirectional must be true or false');
    else bidirectional = o.bidirectional;
  }
  if (errors.length) return { value: null, errors };
  return { value: { sourceId: sourceId!, targetId: targetId!, kind: kind!, weight, bidirectional }, errors };
}
