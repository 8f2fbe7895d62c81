/**
 * Entity and dependency input as the API takes it, checked one record at a time with every
 * broken rule reported (never just the first). Used by single creates, the bulk import (JSON
 * and CSV) and `createWithin` (reports, scenario loading). The rules themselves live in
 * src/scenario/validate.ts, shared with scenario files; hand-written rather than
 * class-validator because the bulk path checks 100,000 rows per request.
 */
import type { ErrorDetail } from '../common/errors/domain-error';
import type { DependencyKind } from '../domain/vocabulary';
import { checkDependency as scenarioCheckDependency, checkEntity as scenarioCheckEntity } from '../scenario/validate';

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

/**
 * Checks one entity record; `row` (1-based) is put on each detail when given. With `text`, the
 * values are CSV cells (strings): numbers, booleans and `;`-separated tags are parsed from text.
 * The rules are src/scenario/validate.ts's (one copy for scenario files and the API); unknown
 * properties are refused. References (parent exists, no cycle, id not taken) are checked by
 * the caller against the batch and the database.
 */
export function checkEntity(input: unknown, row?: number, text = false): { value: NewEntity | null; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const e = scenarioCheckEntity(input, row, errors, text);
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

/** Checks one dependency record (JSON, or CSV cells with `text`); endpoints' existence is the caller's job. */
export function checkDependency(input: unknown, row?: number, text = false): { value: NewDependency | null; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const d = scenarioCheckDependency(input, row, errors, text);
  if (!d) return { value: null, errors };
  return { value: { sourceId: d.sourceId, targetId: d.targetId, kind: d.kind, weight: d.weight, bidirectional: d.bidirectional ?? false }, errors };
}
