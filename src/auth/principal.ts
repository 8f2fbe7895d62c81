/**
 * Moved to common/http/principal.ts (common and audit need it below auth). This re-export keeps
 * the folders other sessions are editing compiling while they move over; delete it once none imports it.
 */
export * from '../common/http/principal';
