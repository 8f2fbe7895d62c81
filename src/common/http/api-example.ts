/**
 * OpenAPI responses documented by an example taken from the demo data (the NotPetya scenario a
 * first start loads), with the response schema inferred from that example, so a route whose body
 * has no DTO class still tells a client the shape it answers with, and the two cannot disagree.
 */
import { ApiParam, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** A JSON Schema for a value, inferred from an example of it: types, array items and object properties. */
export function schemaOf(example: unknown): SchemaObject {
  if (example === null || example === undefined) return { nullable: true };
  if (Array.isArray(example)) return { type: 'array', items: example.length ? schemaOf(example[0]) : {} };
  if (typeof example === 'object') {
    return { type: 'object', properties: Object.fromEntries(Object.entries(example).map(([k, v]) => [k, schemaOf(v)])) };
  }
  if (typeof example === 'number') return { type: 'number' };
  if (typeof example === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

/**
 * A 2xx response with its example; the schema is inferred from the example unless given (for
 * maps keyed by ids, say). A string example documents a text body (CSV, HTML).
 */
export const ApiExampleResponse = (status: number, example: unknown, description?: string, schema?: SchemaObject) =>
  ApiResponse({ status, description, schema: { ...(schema ?? schemaOf(example)), example } });

/** A path parameter with an example that names something in the demo data. */
export const ApiPathExample = (name: string, example: string | number, description?: string) =>
  ApiParam({ name, example, description, type: typeof example === 'number' ? Number : String });

/**
 * Ids of the demo data that examples name: the NotPetya scenario's entities, weapon and reports
 * (whose ids follow from the scenario's), and the demo assessment, whose id is fixed so that the
 * examples of its routes answer.
 */
export const DEMO = {
  entityId: 'maersk',
  weaponId: 'notpetya',
  dependencyId: 1,
  assessmentId: '6a0e2017-0627-4000-8000-000000000001',
  /** The M.E.Doc update server's report (`np-001`): scenarioReportId('notpetya-2017', 'np-001'). */
  reportId: 'a77ae91b-abf3-5e05-982d-c27f12acd40d',
} as const;
