/**
 * Errors the services raise, each with a code; the exception filter maps codes to HTTP
 * statuses in one place (Twenty/Vendure style), so services never speak HTTP.
 */
export interface ErrorDetail {
  /** Dotted path of the offending field (`vectors.network.transmissibility.low`), or `row[12].country`. */
  field: string;
  /** The rule it broke, e.g. `isIn`, `required`, `reference`, `cycle`. */
  rule: string;
  message: string;
  /** 1-based data row of a bulk request, when the error belongs to one row. */
  row?: number;
}

export const ERROR_STATUS = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const invalid = (message: string, details: ErrorDetail[] = []) => new DomainError('INVALID_INPUT', message, details);
export const notFound = (what: string, id: string, field = 'id') =>
  new DomainError('NOT_FOUND', `${what} '${id}' not found`, [{ field, rule: 'exists', message: `no ${what} with id '${id}'` }]);
export const conflict = (message: string, details: ErrorDetail[] = []) => new DomainError('CONFLICT', message, details);
export const unprocessable = (message: string, details: ErrorDetail[] = []) =>
  new DomainError('UNPROCESSABLE', message, details);

/** Returns the value or throws NOT_FOUND: replaces repeated null checks. */
export function foundOrFail<T>(value: T | null | undefined, what: string, id: string, field = 'id'): T {
  if (value === null || value === undefined) throw notFound(what, id, field);
  return value;
}
