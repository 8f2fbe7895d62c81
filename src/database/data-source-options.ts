import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

/**
 * DataSource options for the configured database. Schema comes from migrations only;
 * `synchronize` is never set here (tests that want it set it themselves).
 */
export function dataSourceOptions(config: Pick<AppConfig, 'database'>, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  const common = { entities, migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false } as const;
  if (config.database.type === 'sqlite') {
    const path = config.database.path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // WAL lets readers proceed during a write; foreign keys are switched on by the driver.
    return { ...common, type: 'sqlite', database: path, enableWAL: true, busyTimeout: 10_000 };
  }
  // One pool per API process: requests and jobs (snapshot reads, result storing) share it.
  return { ...common, type: 'postgres', url: config.database.url, extra: { max: config.database.poolSize ?? 20 } };
}
