import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/http/principal';
import { DomainError, ErrorDetail, foundOrFail, invalid, unprocessable } from '../common/errors/domain-error';
import { IdempotencyContext, IdempotencyService } from '../common/idempotency/idempotency.service';
import { DatabaseService } from '../database/database.service';
import { TLP_LEVELS, type Payload, type Tlp } from '../domain/vocabulary';
import { EntitiesService } from '../graph/entities.service';
import { normaliseCountry } from '../domain/countries';
import type { Report } from '../reports/report.entity';
import { DEFAULT_TLP } from '../reports/report-rules';
import { ReportsService } from '../reports/reports.service';
import { ReportWriter } from '../reports/report-writer';
import { readDate, selectIn } from '../database/bulk-sql';
import { slugFrom } from '../domain/ids';
import { sectorFromStixList } from '../domain/sectors';
import { WeaponsService } from '../weapons/weapons.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { exportBundle, SightingContext, sightingOf } from './export';
import { STIX_ID, stixTypeOf, TLP_BY_MARKING_ID, uuidV5 } from '../domain/stix-ids';
import { StixVersion } from './stix-version.entity';
import { StixObject, tlpOfMarking, validateBundle } from './validate';

export interface StixImportResult {
  /** New reports (new chains and corrections). */
  created: number;
  /** Of those, corrections of a report imported earlier from the same sighting. */
  superseded: number;
  /**
   * Sightings already stored (the same STIX id, filed by any organisation) with the same facts,
   * or an older or equal `modified`: nothing written.
   */
  unchanged: number;
  ids: string[];
  entitiesCreated: string[];
  weaponsCreated: string[];
  warnings: ErrorDetail[];
  /** Objects the import did not use, each with the reason (sightings left out are in `warnings`). */
  skipped: SkippedObject[];
}

export interface SkippedObject {
  id: string;
  type: string;
  reason: string;
}

/** Report fields to the STIX property they come from, for error messages. */
const STIX_FIELD: Record<string, string> = {
  observedAt: 'first_seen', hostsAffected: 'count', confidence: 'confidence', status: 'x_spillover_status', tlp: 'object_marking_refs',
  downtimeHours: 'x_spillover_downtime_hours', lossUsd: 'x_spillover_loss_usd', source: 'x_spillover_source', externalReferences: 'external_references',
  weaponId: 'sighting_of_ref', entityId: 'where_sighted_refs',
};
const MALWARE_TYPE_TO_PAYLOAD: Record<string, Payload> = {
  wiper: 'wiper', ransomware: 'ransomware', bot: 'botnet', spyware: 'espionage', keylogger: 'espionage', 'remote-access-trojan': 'espionage', backdoor: 'espionage',
};


const mostRestrictive = (levels: Tlp[]): Tlp => levels.reduce((a, b) => (TLP_LEVELS.indexOf(b) > TLP_LEVELS.indexOf(a) ? b : a));

interface PlannedReport {
  objectIndex: number;
  sightingId: string;
  malwareId: string;
  identityId: string;
  stixId: string;
  created: Date;
  modified: Date;
  input: Record<string, unknown>;
}

/** STIX 2.1 import of sightings as reports, and export of a weapon's reports as a bundle. */
@Injectable()
export class StixService {
  constructor(
    private readonly db: DatabaseService,
    private readonly reports: ReportsService,
    private readonly writer: ReportWriter,
    private readonly entities: EntitiesService,
    private readonly weapons: WeaponsService,
    private readonly idempotency: IdempotencyService,
    private readonly keys: ApiKeysService,
  ) {}

  importBundle(body: unknown, actor: Principal, claim: IdempotencyContext | null): Promise<StixImportResult> {
    return this.db.write(async (m) => {
      const result = await this.importWithin(m, body, actor);
      await this.idempotency.remember(m, claim, 201, result);
      return result;
    });
  }

  /** The import inside the caller's transaction; all or nothing. */
  async importWithin(m: EntityManager, input: unknown, actor: Principal): Promise<StixImportResult> {
    const body = asBundle(input);
    // References out of the bundle may name entities or weapons stored earlier under their STIX id.
    const outside = new Set<string>();
    const inBundle = new Set<string>();
    const objects = Array.isArray((body as any)?.objects) ? ((body as any).objects as unknown[]) : [];
    for (const o of objects) if (o && typeof (o as any).id === 'string') inBundle.add((o as any).id);
    for (const o of objects) {
      if (!o || typeof o !== 'object') continue;
      for (const [k, v] of Object.entries(o)) {
        const refs = k.endsWith('_ref') ? [v] : k.endsWith('_refs') && Array.isArray(v) ? v : [];
        for (const r of refs) if (typeof r === 'string' && STIX_ID.test(r) && !inBundle.has(r)) outside.add(r);
      }
    }
    const storedEntities = await this.entities.idsByStixIdWithin(m, [...outside].filter((r) => r.startsWith('identity--')));
    const storedWeapons = await this.weapons.idsByStixIdWithin(m, [...outside].filter((r) => r.startsWith('malware--')));
    const { bundle, errors } = validateBundle(body, (id) => storedEntities.has(id) || storedWeapons.has(id));
    if (!bundle) throw invalid(`invalid STIX 2.1 bundle: ${errors.length} problem(s)`, errors);

    // The latest version of each object (STIX versions share an id and differ by `modified`).
    const byId = new Map<string, { o: StixObject; index: number }>();
    bundle.objects.forEach((o, index) => {
      const prev = byId.get(o.id);
      if (!prev || String(o.modified ?? '') > String(prev.o.modified ?? '')) byId.set(o.id, { o, index });
    });
    const markingTlp = new Map<string, string>();
    for (const { o } of byId.values()) if (o.type === 'marking-definition') {
      const t = tlpOfMarking(o);
      if (t) markingTlp.set(o.id, t);
    }
    const countryOf = new Map<string, { country: string | null; index: number; raw: unknown }>();
    for (const { o } of byId.values()) {
      if (o.type !== 'relationship' || o.relationship_type !== 'located-at') continue;
      const loc = byId.get(o.target_ref as string);
      if (!loc || loc.o.type !== 'location' || typeof loc.o.country !== 'string') continue;
      countryOf.set(o.source_ref as string, { country: normaliseCountry(loc.o.country), index: loc.index, raw: loc.o.country });
    }

    const errs: ErrorDetail[] = [];
    const warnings: ErrorDetail[] = [];
    const planned: PlannedReport[] = [];
    const malwareIds = new Set<string>();
    const identityIds = new Set<string>();
    for (const { o, index } of [...byId.values()].sort((a, b) => a.index - b.index)) {
      if (o.type !== 'sighting') continue;
      const at = `objects[${index}]`;
      const of = o.sighting_of_ref as string;
      if (stixTypeOf(of) !== 'malware') {
        warnings.push({ field: `${at}.sighting_of_ref`, rule: 'ignored', message: `${o.id}: a sighting of a ${stixTypeOf(of)} is not a spread report; skipped` });
        continue;
      }
      const where = ((o.where_sighted_refs as string[] | undefined) ?? []).filter((r) => stixTypeOf(r) === 'identity');
      if (where.length === 0) {
        errs.push({ field: `${at}.where_sighted_refs`, rule: 'required', message: `${o.id}: a sighting of malware needs at least one identity in where_sighted_refs to become a report` });
        continue;
      }
      const levels = ((o.object_marking_refs as string[] | undefined) ?? []).map((r) => markingTlp.get(r) ?? TLP_BY_MARKING_ID.get(r)).filter((t): t is Tlp => !!t && (TLP_LEVELS as readonly string[]).includes(t));
      malwareIds.add(of);
      for (const identityId of where) {
        identityIds.add(identityId);
        planned.push({
          objectIndex: index,
          sightingId: o.id,
          malwareId: of,
          identityId,
          stixId: where.length === 1 ? o.id : `sighting--${uuidV5(`${o.id}:${identityId}`)}`,
          created: new Date(String(o.created)),
          modified: new Date(String(o.modified)),
          input: stripUndefined({
            observedAt: o.first_seen ?? o.last_seen ?? o.created,
            status: o.x_spillover_status ?? 'confirmed',
            hostsAffected: o.count,
            confidence: o.confidence,
            tlp: levels.length ? mostRestrictive(levels) : DEFAULT_TLP,
            downtimeHours: o.x_spillover_downtime_hours,
            lossUsd: o.x_spillover_loss_usd,
            source: o.x_spillover_source,
            externalReferences: Array.isArray(o.external_references)
              ? (o.external_references as Record<string, unknown>[]).map((r) => stripUndefined({ source_name: r.source_name, url: r.url, external_id: r.external_id, description: r.description }))
              : undefined,
          }),
        });
      }
    }
    for (const identityId of identityIds) {
      const c = countryOf.get(identityId);
      if (c && c.country === null) errs.push({ field: `objects[${c.index}].country`, rule: 'isoCountry', message: `country ${JSON.stringify(c.raw)} is not an ISO 3166-1 alpha-2 code` });
    }
    if (errs.length) throw unprocessable(`the bundle cannot be imported: ${errs.length} problem(s)`, errs);

    const considered = planned.slice();
    // One STIX object, one piece of evidence: a sighting stored before, by any organisation,
    // is not filed again; only a newer version from its own organisation goes on below.
    const current = await this.reports.currentOfSightingsWithin(m, planned.map((p) => p.stixId));
    const stored = await this.storedVersions(m, current, actor.organizationId);
    let unchanged = 0;
    const fresh = planned.filter((p) => {
      const s = stored.get(p.stixId);
      if (!s) return true;
      if (p.modified.getTime() <= s.modified.getTime()) {
        unchanged++;
        return false;
      }
      if (s.organizationId === actor.organizationId) return true;
      // STIX 2.1 §3.6: only the object's creator may version it.
      warnings.push({ field: `objects[${p.objectIndex}].modified`, rule: 'notCreator', message: `${p.sightingId}: a newer version of a sighting another organisation filed; only its creator may version it; skipped` });
      return false;
    });
    planned.splice(0, planned.length, ...fresh);
    malwareIds.clear();
    identityIds.clear();
    for (const p of planned) {
      malwareIds.add(p.malwareId);
      identityIds.add(p.identityId);
    }

    // Weapons: by stored STIX id, then by id from the name; else a new uncharacterised weapon.
    const weaponsCreated: string[] = [];
    const weaponOf = await this.weapons.idsByStixIdWithin(m, malwareIds);
    for (const malwareId of malwareIds) {
      if (weaponOf.has(malwareId)) continue;
      const entry = byId.get(malwareId)!;
      const o = entry.o;
      const name = String(o.name ?? malwareId);
      const types = (o.malware_types as string[] | undefined) ?? [];
      const payload = types.map((t) => MALWARE_TYPE_TO_PAYLOAD[t]).find(Boolean);
      const { weapon, created } = await this.wrap(entry.index, () =>
        this.weapons.findOrCreateWithin(m, {
          id: slugFrom(name, `malware-${malwareId.slice(9, 17)}`), name, aliases: (o.aliases as string[] | undefined) ?? [],
          payload, firstSeenAt: (o.first_seen as string | undefined) ?? null, stixId: malwareId,
        }, actor),
      );
      weaponOf.set(malwareId, weapon.id);
      if (created) weaponsCreated.push(weapon.id);
    }

    // Entities: by stored STIX id, then by name; else a new entity from the identity.
    const entityOf = await this.entities.idsByStixIdWithin(m, identityIds);
    const toCreate: Record<string, unknown>[] = [];
    const takenIds = new Set<string>();
    for (const identityId of identityIds) {
      if (entityOf.has(identityId)) continue;
      const entry = byId.get(identityId)!;
      const name = String(entry.o.name).trim();
      const sameName = await this.entities.idsNamedWithin(m, name, 2);
      if (sameName.length === 1) {
        entityOf.set(identityId, sameName[0]);
        continue;
      }
      if (sameName.length > 1) {
        errs.push({ field: `objects[${entry.index}].name`, rule: 'ambiguous', message: `${identityId}: several entities are named "${name}"; give the identity the stixId of one of them` });
        continue;
      }
      let id = slugFrom(name, `identity-${identityId.slice(10, 18)}`);
      if (takenIds.has(id) || (await this.entities.existingIdsWithin(m, [id])).has(id)) id = `${id.slice(0, 110)}-${identityId.slice(10, 18)}`;
      takenIds.add(id);
      const country = countryOf.get(identityId)?.country ?? null;
      const sector = sectorFromStixList(entry.o.sectors as string[] | undefined);
      toCreate.push(stripUndefined({
        id, name, kind: 'organization', country: country ?? undefined, sector: sector ?? undefined, stixId: identityId,
      }));
      entityOf.set(identityId, id);
    }
    if (errs.length) throw unprocessable(`the bundle cannot be imported: ${errs.length} problem(s)`, errs);
    if (toCreate.length) await this.entities.createWithin(m, toCreate, actor);

    // Re-imports: the same sighting (same STIX id, same organisation) with the same facts writes
    // nothing; with other facts it supersedes the current report of that sighting.
    const existing = new Map(current.filter((r) => r.organizationId === actor.organizationId).map((r) => [r.stixId!, r]));
    const inputs: Record<string, unknown>[] = [];
    const stixIds: string[] = [];
    const rowObject: number[] = [];
    const versions: { created: Date; modified: Date }[] = [];
    let superseded = 0;
    for (const p of planned) {
      const input = { ...p.input, weaponId: weaponOf.get(p.malwareId)!, entityId: entityOf.get(p.identityId)! };
      const current = existing.get(p.stixId);
      if (current) {
        if (sameFacts(current, input)) {
          unchanged++;
          continue;
        }
        (input as Record<string, unknown>).supersedes = current.id;
        superseded++;
      }
      inputs.push(input);
      stixIds.push(p.stixId);
      rowObject.push(p.objectIndex);
      versions.push({ created: p.created, modified: p.modified });
    }
    let written: Report[] | { id: string }[] = [];
    let entitiesCreated: string[] = toCreate.map((e) => String(e.id));
    if (inputs.length) {
      try {
        const result = await this.writer.writeWithin(m, inputs, actor, { rows: true, stixIds, auditAction: 'import' });
        written = result.reports;
        warnings.push(...result.warnings.map((w) => toObjectDetail(w, rowObject)));
        entitiesCreated = [...entitiesCreated, ...result.entitiesCreated];
        await m.insert(StixVersion, result.reports.map((r, i) => ({ reportId: r.id, ...versions[i] })));
      } catch (err) {
        if (err instanceof DomainError) throw new DomainError(err.code, err.message, err.details.map((d) => toObjectDetail(d, rowObject)));
        throw err;
      }
    }
    return { created: written.length, superseded, unchanged, ids: written.map((r) => r.id), entitiesCreated, weaponsCreated, warnings, skipped: skippedObjects(byId, considered) };
  }

  /**
   * The current version of each stored sighting among `current` (the current reports of the
   * bundle's sightings, filed by any organisation): its organisation (the reader's own where it
   * has one) and its STIX `modified` (the imported one, else when it was filed).
   */
  private async storedVersions(m: EntityManager, current: readonly Report[], reader: string): Promise<Map<string, { organizationId: string; modified: Date }>> {
    const imported = await this.versionsOf(m, current.map((r) => r.id));
    const out = new Map<string, { organizationId: string; modified: Date }>();
    for (const r of current) {
      const modified = imported.get(r.id)?.modified ?? r.createdAt;
      const seen = out.get(r.stixId!);
      // Chains filed before ids were unique per object: the reader's own chain is the one it may version.
      const organizationId = seen?.organizationId === reader ? reader : r.organizationId;
      out.set(r.stixId!, { organizationId, modified: seen && seen.modified > modified ? seen.modified : modified });
    }
    return out;
  }

  /** Report versions as STIX sightings (the TAXII collections' objects), inside the caller's read. */
  async sightingsWithin(m: EntityManager, reports: readonly Report[]): Promise<Record<string, unknown>[]> {
    const weapons = await this.weapons.findManyWithin(m, reports.map((r) => r.weaponId));
    const entities = await this.entities.findManyWithin(m, [...new Set(reports.map((r) => r.entityId))]);
    const context: SightingContext = {
      weapons: new Map(weapons.map((w) => [w.id, w])), entities: new Map(entities.map((e) => [e.id, e])), versions: await this.versionsOf(m, reports.map((r) => r.id)),
    };
    return reports.map((r) => sightingOf(r, context));
  }

  /** The STIX versions of imported reports among `reportIds`, by report id. */
  async versionsOf(m: EntityManager, reportIds: readonly string[]): Promise<Map<string, StixVersion>> {
    const rows = await selectIn<{ reportId: string; created: unknown; modified: unknown }>(m, 'stix_versions', ['reportId', 'created', 'modified'], 'reportId', reportIds);
    return new Map(rows.map((v) => [v.reportId, { reportId: v.reportId, created: readDate(v.created)!, modified: readDate(v.modified)! }]));
  }

  /** The current reports of a weapon the reader may see, as a STIX 2.1 bundle (404 for an unknown weapon). */
  async exportBundle(weaponId: string, reader: Principal): Promise<Record<string, unknown>> {
    const weapon = await this.db.read(async (m) => foundOrFail((await this.weapons.findManyWithin(m, [weaponId]))[0], 'weapon', weaponId, 'weaponId'));
    const reports = await this.reports.visibleCurrentFor(weaponId, reader);
    const { entities, versions, organizations } = await this.db.read(async (m) => ({
      entities: await this.entities.findManyWithin(m, reports.map((r) => r.entityId)),
      versions: await this.versionsOf(m, reports.map((r) => r.id)),
      organizations: await this.keys.organizationsWithin(m, reports.map((r) => r.organizationId)),
    }));
    return exportBundle(weapon, reports, new Map(entities.map((e) => [e.id, e])), versions, organizations);
  }

  private async wrap<T>(index: number, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DomainError) throw new DomainError(err.code, err.message, err.details.map((d) => ({ ...d, field: `objects[${index}].${d.field}` })));
      throw err;
    }
  }
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}

/** A report-row detail re-addressed to the sighting object it came from. */
function toObjectDetail(d: ErrorDetail, rowObject: readonly number[]): ErrorDetail {
  if (d.row === undefined) return d;
  const { row, ...rest } = d;
  const top = d.field.split(/[.[]/)[0];
  const prop = STIX_FIELD[top] ? d.field.replace(top, STIX_FIELD[top]) : d.field;
  return { ...rest, field: `objects[${rowObject[row - 1]}].${prop}` };
}

function sameFacts(r: Report, input: Record<string, unknown>): boolean {
  const loss = input.lossUsd as { low: number; high: number } | undefined;
  return (
    r.weaponId === input.weaponId &&
    r.entityId === input.entityId &&
    r.observedAt.getTime() === Date.parse(String(input.observedAt)) &&
    r.status === input.status &&
    (r.hostsAffected ?? undefined) === input.hostsAffected &&
    (r.confidence ?? undefined) === input.confidence &&
    r.tlp === input.tlp &&
    (r.downtimeHours ?? undefined) === input.downtimeHours &&
    (r.lossLowUsd ?? undefined) === loss?.low &&
    (r.lossHighUsd ?? undefined) === loss?.high &&
    (r.source ?? undefined) === input.source
  );
}

/**
 * A TAXII 2.1 envelope (`{more, next, objects}`, no `type`) as the bundle of its objects, so the
 * import takes what TAXII clients send; anything else as it is.
 */
export function asBundle(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  return b.type === undefined && Array.isArray(b.objects) ? { type: 'bundle', id: `bundle--${randomUUID()}`, objects: b.objects } : body;
}

/**
 * The objects of a bundle that none of the considered sightings used, with the reason: only
 * sightings of malware at identities are evidence of spread; their malware, identities (with
 * their located-at locations), creators and markings are used with them.
 */
function skippedObjects(byId: ReadonlyMap<string, { o: StixObject }>, considered: readonly PlannedReport[]): SkippedObject[] {
  const used = new Set<string>();
  for (const p of considered) {
    const sighting = byId.get(p.sightingId)!.o;
    for (const id of [p.sightingId, p.malwareId, p.identityId, sighting.created_by_ref, ...((sighting.object_marking_refs as string[] | undefined) ?? [])]) {
      if (typeof id === 'string') used.add(id);
    }
  }
  for (const { o } of byId.values()) {
    if (o.type === 'relationship' && o.relationship_type === 'located-at' && used.has(o.source_ref as string)) used.add(o.id).add(o.target_ref as string);
  }
  const skipped: SkippedObject[] = [];
  for (const { o } of byId.values()) {
    if (used.has(o.id) || o.type === 'sighting') continue;
    const reason = ['malware', 'identity', 'location', 'marking-definition', 'relationship'].includes(o.type)
      ? `no sighting of malware at an identity in the bundle uses this ${o.type}`
      : `a ${o.type} is not evidence of spread: only sightings of malware at identities become reports`;
    skipped.push({ id: o.id, type: o.type, reason });
  }
  return skipped;
}
