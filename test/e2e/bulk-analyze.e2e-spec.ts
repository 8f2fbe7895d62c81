/**
 * Planner statistics after bulk imports: on PostgreSQL a bulk request that grows a table by more
 * than a fifth ANALYZEs it (pg_class.reltuples then counts the rows; a table never analysed
 * counts none, and the planner would take it for empty); a small addition to a large table does
 * not. On SQLite there are no statistics to keep and nothing is run.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseService } from '../../src/database/database.service';
import { auth, createTestApp, Keys, request, seedKeys } from './support/app';

const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

describe(`bulk imports keep planner statistics current (${postgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  let app: INestApplication;
  let keys: Keys;
  let ds: DataSource;

  beforeAll(async () => {
    app = await createTestApp({ logLevel: 'error' });
    keys = await seedKeys(app);
    ds = app.get(DataSource);
  });
  afterAll(() => app?.close());

  const csv = (from: number, to: number) => ['id,name,kind,country,sector,hosts', ...Array.from({ length: to - from }, (_, i) => `bulk-${from + i},Bulk ${from + i},organization,DE,energy,10`)].join('\n');
  const counted = async () => Number((await ds.query(`SELECT reltuples FROM pg_class WHERE oid = to_regclass('"entities"')`))[0].reltuples);
  const post = (from: number, to: number) => request(app.getHttpServer()).post('/v1/entities/bulk').set(auth(keys.admin)).set('Content-Type', 'text/csv').send(csv(from, to)).expect(201);

  it('ANALYZEs a table a bulk request grew by more than a fifth, and not after a small addition', async () => {
    const queries = jest.spyOn(ds, 'query');
    await post(0, 3000);
    const analyzed = queries.mock.calls.filter(([sql]) => /^ANALYZE "entities"$/.test(sql));
    if (postgres) {
      expect(analyzed).toHaveLength(1);
      const total = Number((await ds.query('SELECT COUNT(*) AS n FROM entities'))[0].n);
      expect(await counted()).toBe(total);
      queries.mockClear();
      await post(3000, 3100);
      expect(queries.mock.calls.filter(([sql]) => /^ANALYZE/.test(sql))).toHaveLength(0);
      expect(await counted()).toBe(total);
    } else {
      expect(analyzed).toHaveLength(0);
      expect(app.get(DatabaseService).serialised).toBe(true);
    }
    queries.mockRestore();
  });
});
