/** The shapes of client-supplied ids and tags, written once for every path that accepts them. */

/** Client-supplied ids (entities, weapons, organisations, reports' weaponId): a lowercase slug of 1-128 characters. */
export const SLUG = /^[a-z0-9][a-z0-9._:-]{0,127}$/;
/** The class-validator message for SLUG (`$property` is the field). */
export const SLUG_MESSAGE = '$property must be a slug: lowercase letters, digits and . _ : - (1-128 chars, starting with a letter or digit)';
/** Exposure tags (`windows`, `smbv1`, `medoc`, `step7`). */
export const TAG = /^[a-z0-9][a-z0-9._+:-]{0,63}$/;
/** Largest count accepted (PostgreSQL `integer` is 32-bit). */
export const MAX_INT = 2_147_483_647;

/** A slug derived from a display name (organisations, imported STIX identities); `fallback` when nothing of the name is left. */
export function slugFrom(name: string, fallback: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return slug || fallback;
}
