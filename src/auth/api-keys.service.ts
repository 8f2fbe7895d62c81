import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EntityManager, In, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { conflict, foundOrFail } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { selectIn } from '../database/bulk-sql';
import { slugFrom } from '../domain/ids';
import type { Role } from '../domain/vocabulary';
import { ApiKey } from './api-key.entity';
import type { ApiKeyDto, CreateApiKeyDto, CreateOrganizationDto, CreatedApiKeyDto } from './dto/auth.dto';
import { Organization } from './organization.entity';
import type { Principal } from '../common/http/principal';

/**
 * Keys are 32 random bytes; a single SHA-256 is enough to store them (unlike passwords they
 * have full entropy, so a slow hash buys nothing) and lets a key be found by its hash.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const newSecret = () => `spo_${randomBytes(32).toString('base64url')}`;

/** How long an authenticated key is remembered in this process. Revocation here clears it at once. */
const CACHE_MS = 5_000;

export const ADMIN_ORGANIZATION_ID = 'spillover';

const slugify = (name: string) => slugFrom(name, `org-${randomUUID().slice(0, 8)}`);

const toDto = ({ secretHash: _hash, organization: _org, ...key }: ApiKey): ApiKeyDto => key;

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The principal of a key authenticated moments ago, from memory only (no database work). */
  remembered(secret: string): Principal | null {
    const cached = this.cache.get(hashSecret(secret));
    return cached && cached.until > Date.now() ? cached.principal : null;
  }

  async authenticate(secret: string): Promise<Principal | null> {
    const remembered = this.remembered(secret);
    if (remembered) return remembered;
    const hash = hashSecret(secret);
    const key = await this.db.read((m) => m.findOneBy(ApiKey, { secretHash: hash, revokedAt: IsNull() }));
    if (!key) {
      this.cache.delete(hash);
      return null;
    }
    const principal: Principal = { keyId: key.id, organizationId: key.organizationId, role: key.role };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  createOrganization(dto: CreateOrganizationDto, actor: Principal): Promise<Organization> {
    return this.db.write(async (m) => {
      const id = dto.id ?? slugify(dto.name);
      if (await m.existsBy(Organization, { id })) {
        throw conflict(`organization '${id}' already exists`, [{ field: 'id', rule: 'unique', message: `'${id}' is taken` }]);
      }
      // insert, not save: save would overwrite an organisation a concurrent request stored after the check.
      const org = m.create(Organization, { id, name: dto.name });
      await m.insert(Organization, org);
      await this.audit.record(m, actor, 'create', 'organization', id, { name: dto.name });
      return org;
    });
  }

  /** Stores the organisation unless one with this id is; whether it did, inside the caller's transaction. */
  async ensureOrganizationWithin(m: EntityManager, id: string, name: string): Promise<boolean> {
    if (await m.existsBy(Organization, { id })) return false;
    await m.insert(Organization, { id, name });
    return true;
  }

  /** Which of `ids` name stored organisations, inside the caller's transaction. */
  async existingOrganizationsWithin(m: EntityManager, ids: Iterable<string>): Promise<Set<string>> {
    return new Set((await selectIn<{ id: string }>(m, 'organizations', ['id'], 'id', ids)).map((o) => o.id));
  }

  /** The stored organisations among `ids` (missing ones are simply absent), inside the caller's transaction. */
  organizationsWithin(m: EntityManager, ids: Iterable<string>): Promise<Organization[]> {
    return m.findBy(Organization, { id: In([...new Set(ids)]) });
  }

  listOrganizations(): Promise<Organization[]> {
    return this.db.read((m) => m.find(Organization, { order: { id: 'ASC' } }));
  }

  async create(dto: CreateApiKeyDto, actor: Principal | null): Promise<CreatedApiKeyDto> {
    return this.db.write(async (m) => {
      foundOrFail(await m.findOneBy(Organization, { id: dto.organizationId }), 'organization', dto.organizationId, 'organizationId');
      return this.insertKey(m, dto.name, dto.organizationId, dto.role, newSecret(), actor);
    });
  }

  list(organizationId?: string): Promise<ApiKeyDto[]> {
    return this.db.read(async (m) =>
      (await m.find(ApiKey, { where: organizationId ? { organizationId } : {}, order: { createdAt: 'ASC' } })).map(toDto),
    );
  }

  async revoke(id: string, actor: Principal): Promise<ApiKeyDto> {
    const key = await this.db.write(async (m) => {
      const key = foundOrFail(await m.findOneBy(ApiKey, { id }), 'api key', id);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await m.save(key);
        await this.audit.record(m, actor, 'revoke', 'api-key', id);
      }
      return key;
    });
    this.cache.delete(key.secretHash);
    return toDto(key);
  }

  /** On first start with no keys: an admin key from SPILLOVER_ADMIN_KEY or a new one, written to data/admin.key. */
  async onApplicationBootstrap(): Promise<void> {
    const created = await this.db.write(async (m) => {
      if ((await m.count(ApiKey)) > 0) return null;
      await this.ensureOrganizationWithin(m, ADMIN_ORGANIZATION_ID, 'Spillover operators');
      const secret = this.config.adminKey ?? newSecret();
      await this.insertKey(m, 'bootstrap admin', ADMIN_ORGANIZATION_ID, 'admin', secret, null);
      return { secret, fromEnv: !!this.config.adminKey };
    });
    if (!created) return;
    if (created.fromEnv) {
      this.logger.log({ msg: 'created the admin key from SPILLOVER_ADMIN_KEY' });
      return;
    }
    const path = resolve(join(this.config.dataDir, 'admin.key'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, created.secret + '\n', { mode: 0o600 });
    chmodSync(path, 0o600);
    this.logger.log({ msg: 'created an admin API key; read it from the file (it is not logged)', path });
  }

  private async insertKey(m: EntityManager, name: string, organizationId: string, role: Role, secret: string, actor: Principal | null) {
    const key = m.create(ApiKey, { id: randomUUID(), name, organizationId, role, secretHash: hashSecret(secret), revokedAt: null });
    await m.insert(ApiKey, key);
    await this.audit.record(m, actor, 'create', 'api-key', key.id, { name, organizationId, role });
    return { ...toDto(key), secret };
  }
}
