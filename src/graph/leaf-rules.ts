/**
 * Leaf rules for one field value, as the graph and weapons features use them. They live in
 * src/scenario/ (countries.ts, sectors.ts) and src/domain/ids.ts, shared with scenario files.
 */
export { normaliseCountry } from '../scenario/countries';
export { normaliseSector } from '../scenario/sectors';
export { SLUG, TAG, MAX_INT } from '../domain/ids';
