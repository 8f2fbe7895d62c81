import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../common/http/principal';
import { conflict, ErrorDetail, foundOrFail, invalid } from '../common/errors/domain-error';
import { CursorCodec, Page } from '../common/http/pagination';
import { DatabaseService } from '../database/database.service';
import { readDate, selectIn } from '../database/bulk-sql';
import type { WeaponRecord } from '../domain/records';
import { checkWeapon, checkWeaponAcrossFields } from '../domain/rules/weapon';
import { DEPENDENCY_KINDS, type Payload } from '../domain/vocabulary';
import type { EntityNode } from '../graph/entity-node.entity';
import { EntitiesService } from '../graph/entities.service';
import { likeEscape } from '../common/http/query-filters';
import { CreateWeaponDto, UpdateWeaponDto } from './dto/weapon.dto';
import { designatesAny } from './targeting';
import { Weapon } from './weapon.entity';

const WEAPONS_CURSOR = new CursorCodec('weapons', ['id'] as const);
const TARGETS_CURSOR = new CursorCodec('targets', ['id'] as const);

/** Input of `createWithin`: the API's create body (DESIGN.md, Domain: Weapon). */
export type WeaponInput = WeaponRecord & { stixId?: string | null };

/** What a STIX import knows about malware it has not seen before. */
export interface WeaponSighting {
  id: string;
  name: string;
  aliases?: string[];
  payload?: Payload;
  firstSeenAt?: string | null;
  stixId?: string | null;
}

/**
 * Parameters of an uncharacterised weapon (`characterised: false`): deliberately wide 90%
 * ranges on every dependency kind, so an assessment of it reports wide, honest ranges
 * until an analyst characterises it with PATCH.
 */
export const UNCHARACTERISED_DEFAULTS = {
  vectors: Object.fromEntries(DEPENDENCY_KINDS.map((k) => [k, { transmissibility: { low: 0.01, high: 0.5 }, delayHours: { low: 1, high: 168 } }])),
  impact: { hostShare: { low: 0.05, high: 0.8 }, costPerHostUsd: { low: 100, high: 3000 }, downtimeDays: { low: 0.5, high: 21 } },
  payload: 'espionage' as Payload,
};

/** Fields PATCH may clear with null. */
const NULLABLE = new Set(['killSwitchAt', 'firstSeenAt', 'containmentHours', 'stixId']);

const toDate = (s: string | null | undefined) => (s ? new Date(s) : null);
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));

@Injectable()
export class WeaponsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly entities: EntitiesService,
  ) {}

  // ---- for other services: inside the caller's transaction ----

  /**
   * Validates (the weapon rules of src/domain/rules/weapon.ts, as for weapon.json) and stores a
   * weapon inside the caller's transaction (400 listing every broken rule, 409 when the id or stixId is taken) and audits it. Stable signature: reports (STIX
   * import) and the scenario loader call it.
   */
  async createWithin(m: EntityManager, input: WeaponInput | Record<string, unknown>, actor: Principal | null): Promise<Weapon> {
    const errors: ErrorDetail[] = [];
    const value = checkWeapon(input, errors, { stixId: true });
    if (!value) throw invalid(`invalid weapon: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
    if (await m.existsBy(Weapon, { id: value.id })) {
      throw conflict(`weapon '${value.id}' already exists`, [{ field: 'id', rule: 'unique', message: `'${value.id}' is taken` }]);
    }
    if (value.stixId && (await m.existsBy(Weapon, { stixId: value.stixId }))) {
      throw conflict(`stixId '${value.stixId}' already belongs to a weapon`, [{ field: 'stixId', rule: 'unique', message: 'stixId is taken' }]);
    }
    const weapon = m.create(Weapon, {
      id: value.id,
      name: value.name,
      aliases: value.aliases ?? [],
      payload: value.payload,
      vectors: plain(value.vectors),
      requiredTags: value.requiredTags ?? [],
      targeting: plain(value.targeting ?? {}),
      impact: plain(value.impact),
      containmentHours: value.containmentHours ? plain(value.containmentHours) : null,
      killSwitchAt: toDate(value.killSwitchAt),
      firstSeenAt: toDate(value.firstSeenAt),
      characterised: value.characterised ?? true,
      stixId: value.stixId ?? null,
    });
    // insert, not save: save would update a weapon a concurrent request stored after the check above.
    await m.insert(Weapon, weapon);
    await this.audit.record(m, actor, 'create', 'weapon', weapon.id, { characterised: weapon.characterised });
    return weapon;
  }

  /**
   * The weapon with `sighted.id` (or `sighted.stixId`), or a new uncharacterised one with the wide
   * placeholder parameters of UNCHARACTERISED_DEFAULTS, inside the caller's transaction.
   * An existing weapon is never modified.
   */
  async findOrCreateWithin(m: EntityManager, sighted: WeaponSighting, actor: Principal | null): Promise<{ weapon: Weapon; created: boolean }> {
    const existing =
      (await m.findOneBy(Weapon, { id: sighted.id })) ?? (sighted.stixId ? await m.findOneBy(Weapon, { stixId: sighted.stixId }) : null);
    if (existing) return { weapon: existing, created: false };
    const weapon = await this.createWithin(
      m,
      {
        id: sighted.id,
        name: sighted.name,
        aliases: sighted.aliases ?? [],
        payload: sighted.payload ?? UNCHARACTERISED_DEFAULTS.payload,
        vectors: UNCHARACTERISED_DEFAULTS.vectors,
        impact: UNCHARACTERISED_DEFAULTS.impact,
        firstSeenAt: sighted.firstSeenAt ?? null,
        characterised: false,
        stixId: sighted.stixId ?? null,
      },
      actor,
    );
    return { weapon, created: true };
  }

  /** The stored weapons among `ids` (missing ones are simply absent). */
  async findManyWithin(m: EntityManager, ids: Iterable<string>): Promise<Weapon[]> {
    const unique = [...new Set(ids)];
    const out: Weapon[] = [];
    for (let start = 0; start < unique.length; start += 5000) out.push(...(await m.findBy(Weapon, { id: In(unique.slice(start, start + 5000)) })));
    return out;
  }

  /** The ids of the stored weapons with these STIX ids, by STIX id. */
  async idsByStixIdWithin(m: EntityManager, stixIds: Iterable<string>): Promise<Map<string, string>> {
    return new Map((await selectIn<{ id: string; stixId: string }>(m, 'weapons', ['id', 'stixId'], 'stixId', stixIds)).map((w) => [w.stixId, w.id]));
  }

  /** The first sighting of each of `ids` that names a stored weapon (null when unknown); missing ones are absent. */
  async firstSeenWithin(m: EntityManager, ids: Iterable<string>): Promise<Map<string, Date | null>> {
    return new Map((await selectIn<{ id: string; firstSeenAt: unknown }>(m, 'weapons', ['id', 'firstSeenAt'], 'id', ids)).map((w) => [w.id, readDate(w.firstSeenAt)]));
  }

  // ---- HTTP operations ----

  create(dto: CreateWeaponDto, actor: Principal): Promise<Weapon> {
    // As plain JSON: the rules see the body as sent, not the DTO's class instances.
    return this.db.write((m) => this.createWithin(m, plain(dto) as unknown as Record<string, unknown>, actor));
  }

  get(id: string): Promise<Weapon> {
    return this.db.read(async (m) => foundOrFail(await m.findOneBy(Weapon, { id }), 'weapon', id));
  }

  list(query: { limit: number; cursor?: string; q?: string }): Promise<Page<Weapon>> {
    return this.db.read(async (m) => {
      const qb = m.getRepository(Weapon).createQueryBuilder('w').orderBy('w.id', 'ASC').take(query.limit + 1);
      if (query.q) {
        qb.andWhere(`(LOWER(w.name) LIKE :q ESCAPE '\\' OR LOWER(w.aliases) LIKE :q ESCAPE '\\')`, { q: `%${likeEscape(query.q.toLowerCase())}%` });
      }
      if (query.cursor) qb.andWhere('w.id > :after', { after: WEAPONS_CURSOR.decode(query.cursor)[0] });
      const rows = await qb.getMany();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: more ? WEAPONS_CURSOR.encode(items[items.length - 1].id) : null };
    });
  }

  /** Replaces each given top-level field; cross-field rules are checked on the result. */
  update(id: string, patch: UpdateWeaponDto, actor: Principal): Promise<Weapon> {
    return this.db.write(async (m) => {
      const weapon = foundOrFail(await m.findOneBy(Weapon, { id }), 'weapon', id);
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<CreateWeaponDto>;
      const merged = {
        killSwitchAt: weapon.killSwitchAt?.toISOString() ?? null,
        firstSeenAt: weapon.firstSeenAt?.toISOString() ?? null,
        vectors: weapon.vectors,
        ...given,
      };
      const errors: ErrorDetail[] = [];
      checkWeaponAcrossFields(merged, errors);
      for (const [key, value] of Object.entries(given)) {
        if (value === null && !NULLABLE.has(key)) errors.push({ field: key, rule: 'notNull', message: `${key} cannot be null` });
      }
      if ('stixId' in given && given.stixId && given.stixId !== weapon.stixId && (await m.existsBy(Weapon, { stixId: given.stixId }))) {
        throw conflict(`stixId '${given.stixId}' already belongs to a weapon`, [{ field: 'stixId', rule: 'unique', message: 'stixId is taken' }]);
      }
      if (errors.length) throw invalid(`invalid input: ${errors.map((e) => e.field).join(', ')}`, errors);
      for (const [key, value] of Object.entries(given)) {
        if (key === 'killSwitchAt' || key === 'firstSeenAt') (weapon as any)[key] = toDate(value as string | null);
        else (weapon as any)[key] = value === null ? null : typeof value === 'object' ? plain(value) : value;
      }
      await m.save(weapon);
      await this.audit.record(m, actor, 'update', 'weapon', id, { changed: Object.keys(given) });
      return weapon;
    });
  }

  /** Entities the weapon's targeting designates (see targeting.ts), in id order, a page at a time. */
  targets(id: string, page: { limit: number; cursor?: string }): Promise<Page<EntityNode>> {
    return this.db.read(async (m) => {
      const weapon = foundOrFail(await m.findOneBy(Weapon, { id }), 'weapon', id);
      const t = weapon.targeting ?? {};
      // Nothing designated: an empty page, whatever the cursor.
      if (!designatesAny(t)) return { items: [], nextCursor: null };
      const afterId = page.cursor ? TARGETS_CURSOR.decode(page.cursor)[0] : undefined;
      const { items, more } = await this.entities.targetedWithin(m, t, { limit: page.limit, afterId });
      return { items, nextCursor: more ? TARGETS_CURSOR.encode(items[items.length - 1].id) : null };
    });
  }
}
