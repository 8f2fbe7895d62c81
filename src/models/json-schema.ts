/**
 * The subset of JSON Schema (2020-12) the model parameter schemas use, checked without a
 * dependency: type (object, number, integer, boolean, string, array), properties, required,
 * additionalProperties: false, minimum, maximum, exclusiveMinimum, exclusiveMaximum, enum,
 * items, minItems, maxItems. Each violation comes back as an error detail with a dotted field.
 */
import type { ErrorDetail } from '../common/errors/domain-error';

export interface JsonSchema {
  type?: 'object' | 'number' | 'integer' | 'boolean' | 'string' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  examples?: unknown[];
  $schema?: string;
  title?: string;
}

export function validateJson(value: unknown, schema: JsonSchema, field: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const fail = (rule: string, message: string) => out.push({ field, rule, message: `${field} ${message}` });
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field, rule: 'type', message: `${field} must be an object` }];
      const obj = value as Record<string, unknown>;
      for (const name of schema.required ?? []) if (obj[name] === undefined) out.push({ field: `${field}.${name}`, rule: 'required', message: `${field}.${name} is required` });
      for (const [name, v] of Object.entries(obj)) {
        const sub = schema.properties?.[name];
        if (!sub) {
          if (schema.additionalProperties === false) out.push({ field: `${field}.${name}`, rule: 'unknownProperty', message: `property '${field}.${name}' is not allowed` });
          continue;
        }
        out.push(...validateJson(v, sub, `${field}.${name}`));
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return [{ field, rule: 'type', message: `${field} must be an array` }];
      if (schema.minItems !== undefined && value.length < schema.minItems) fail('minItems', `must have at least ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail('maxItems', `must have at most ${schema.maxItems} items`);
      if (schema.items) value.forEach((v, i) => out.push(...validateJson(v, schema.items!, `${field}[${i}]`)));
      return out;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [{ field, rule: 'type', message: `${field} must be a number` }];
      if (schema.type === 'integer' && !Number.isInteger(value)) fail('integer', 'must be an integer');
      if (schema.minimum !== undefined && value < schema.minimum) fail('minimum', `must be at least ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) fail('maximum', `must be at most ${schema.maximum}`);
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail('exclusiveMinimum', `must be greater than ${schema.exclusiveMinimum}`);
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) fail('exclusiveMaximum', `must be less than ${schema.exclusiveMaximum}`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return [{ field, rule: 'type', message: `${field} must be a boolean` }];
      break;
    case 'string':
      if (typeof value !== 'string') return [{ field, rule: 'type', message: `${field} must be a string` }];
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) fail('enum', `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  return out;
}
