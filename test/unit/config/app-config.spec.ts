import { ConfigError, loadConfig } from '../../../src/config/app-config';

describe('loadConfig', () => {
  it('gives safe defaults on an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      database: { type: 'sqlite', path: 'data/spillover.sqlite' },
      adminKey: undefined,
      logLevel: 'info',
      bodyLimit: '10mb',
      rateLimitPerMinute: 120000,
      dataDir: 'data',
      demoScenario: true,
      workerThreads: undefined,
    });
  });

  it('selects PostgreSQL from a postgres:// URL and another SQLite file from sqlite:<path>', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/test' }).database).toEqual({ type: 'postgres', url: 'postgres://root@127.0.0.1:5432/test', poolSize: 20 });
    expect(loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/test', DATABASE_POOL_SIZE: '8' }).database).toEqual({ type: 'postgres', url: 'postgres://root@127.0.0.1:5432/test', poolSize: 8 });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite' });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT', 'lots'],
    ['SPILLOVER_ADMIN_KEY', 'short'],
    ['RATE_LIMIT_PER_MINUTE', '0'],
    ['DATABASE_POOL_SIZE', '1'],
    ['JOB_SHARD_LOCK_SECONDS', '1'],
    ['WORKER_DRAIN_SECONDS', '-1'],
  ])('stops on a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });
});
