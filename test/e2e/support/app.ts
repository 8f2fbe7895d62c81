/**
 * Builds the real application (AppModule + configureApp) for e2e tests, on a fresh database:
 * a temporary SQLite file by default, or PostgreSQL when DATABASE_URL says postgres:// (the
 * schema is dropped and migrated from empty). A missing PostgreSQL fails the test loudly.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DiscoveryModule } from '@nestjs/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { configureApp } from '../../../src/app.setup';
import { ApiKeysService } from '../../../src/auth/api-keys.service';
import { APP_CONFIG, AppConfig, loadConfig } from '../../../src/config/app-config';
import { createAppLogger } from '../../../src/common/logging/logger';
import type { Role } from '../../../src/domain/vocabulary';
import { ROLES } from '../../../src/domain/vocabulary';

export const ADMIN_KEY = 'spo_test_admin_key_0123456789abcdefghijklmnop';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'spillover-e2e-'));
  const base = loadConfig({ ...process.env, DATA_DIR: dataDir, SPILLOVER_ADMIN_KEY: ADMIN_KEY, DEMO_SCENARIO: 'false' });
  return { ...base, logLevel: 'error', demoScenario: false, ...overrides };
}

/** Empties the PostgreSQL database so migrations run from nothing. */
export async function resetPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

export async function createTestApp(overrides: Partial<AppConfig> = {}): Promise<INestApplication> {
  const config = testConfig(overrides);
  if (config.database.type === 'postgres') await resetPostgres(config.database.url);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule, DiscoveryModule] })
    .overrideProvider(APP_CONFIG)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication({ logger: createAppLogger(config.logLevel), bodyParser: false });
  configureApp(app, config);
  await app.init();
  return app;
}

export const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

export type Keys = Record<'a' | 'b', Record<Role, string>> & { admin: string };

/**
 * Two member organisations, `org-a` and `org-b`, with one key per role each, plus the bootstrap admin.
 */
export async function seedKeys(app: INestApplication): Promise<Keys> {
  const keys = app.get(ApiKeysService);
  const admin = { keyId: 'test', organizationId: 'spillover', role: 'admin' as const };
  const result = { admin: ADMIN_KEY } as Keys;
  for (const org of ['a', 'b'] as const) {
    await keys.createOrganization({ id: `org-${org}`, name: `Organisation ${org.toUpperCase()}` }, admin);
    result[org] = {} as Record<Role, string>;
    for (const role of ROLES) {
      result[org][role] = (await keys.create({ name: `${role}-${org}`, organizationId: `org-${org}`, role }, admin)).secret;
    }
  }
  return result;
}

export { request };
