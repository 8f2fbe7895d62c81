/**
 * Jest global setup/teardown: when DATABASE_URL names PostgreSQL, the run gets a database of its
 * own (created here, dropped at the end), so two copies of the suite on one server never drop
 * each other's schema. Databases left by a killed run are dropped after a day.
 */
const { Client } = require('pg');
const { randomBytes } = require('node:crypto');

const PREFIX = 'spillover_test_';
const STALE_SECONDS = 24 * 3600;

async function withClient(url, fn) {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is required by DATABASE_URL=${url} and is not reachable (${err.message})`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) return;
  const now = Math.floor(Date.now() / 1000);
  const name = `${PREFIX}${now}_${randomBytes(4).toString('hex')}`;
  await withClient(url, async (client) => {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
    for (const { datname } of rows) {
      const started = Number(datname.slice(PREFIX.length).split('_')[0]);
      if (now - started > STALE_SECONDS) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const own = new URL(url);
  own.pathname = `/${name}`;
  process.env.SPILLOVER_TEST_SERVER_URL = url;
  process.env.DATABASE_URL = own.toString();
}

async function teardown() {
  const server = process.env.SPILLOVER_TEST_SERVER_URL;
  const url = process.env.DATABASE_URL;
  if (!server || !url) return;
  const name = new URL(url).pathname.slice(1);
  if (!name.startsWith(PREFIX)) return;
  await withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

module.exports = { setup, teardown };
