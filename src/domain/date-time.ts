/** The one date-time grammar of client input: RFC 3339 (ISO 8601 profile) with an explicit offset. */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether a string is an RFC 3339 date-time with offset that names a real instant: a day the
 * month has (`Date.parse` rolls 30 February over to March) and an hour below 24.
 */
export function isDateTime(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_TIME.exec(s);
  if (!m || Number.isNaN(Date.parse(s))) return false;
  const [year, month, day, hour] = [m[1], m[2], m[3], m[4]].map(Number);
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate() && hour < 24;
}
