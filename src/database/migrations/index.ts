/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * compiled JS, from TypeScript under jest, and from the TypeORM CLI via ormconfig.ts.
 * A feature that changes the schema adds its migration class here.
 */
import { Foundation1764201600000 } from './1764201600000-foundation';

export const MIGRATIONS = [Foundation1764201600000];
