/** The one date-time grammar of client input: RFC 3339 (ISO 8601 profile) with an explicit offset. */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether a string is an RFC 3339 date-time with offset that names a real instant. */
export function isDateTime(s: unknown): s is string {
  return typeof s === 'string' && DATE_TIME.test(s) && !Number.isNaN(Date.parse(s));
}
