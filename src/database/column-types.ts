/**
 * Column types that differ between the two supported drivers. Entities and migrations both
 * use these, so the migrations produce exactly the entities' schema on SQLite and PostgreSQL
 * (checked by the schema-drift test). The driver is read from DATABASE_URL at load time.
 */
const url = process.env.DATABASE_URL ?? '';
export const IS_POSTGRES = /^postgres(ql)?:/.test(url);

export const COLUMN = {
  timestamp: IS_POSTGRES ? ('timestamp with time zone' as const) : ('datetime' as const),
  /** Default of CreateDateColumn, as each driver writes it. */
  now: IS_POSTGRES ? 'now()' : "datetime('now')",
  /** A boolean column default as each driver's schema reader reports it (SQLite stores 0/1). */
  bool: (value: boolean): boolean | number => (IS_POSTGRES ? value : value ? 1 : 0),
  float: IS_POSTGRES ? ('double precision' as const) : ('real' as const),
  /** JSON kept as text on both drivers (TypeORM simple-json). */
  json: 'simple-json' as const,
};
