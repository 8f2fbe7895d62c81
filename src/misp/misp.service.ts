import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../auth/api-keys.service';
import type { Principal } from '../common/http/principal';
import { invalid, notFound } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import { EntitiesService } from '../graph/entities.service';
import { ReportsService } from '../reports/reports.service';
import { sightingIdOfChain } from '../domain/stix-ids';
import { StixImportResult, StixService } from '../stix/stix.service';
import { WeaponsService } from '../weapons/weapons.service';
import { eventOf, eventToBundle, reportsToEvent } from './misp-format';

/** MISP events in (as reports, through the STIX import) and a weapon's visible reports out as a MISP feed. */
@Injectable()
export class MispService {
  constructor(
    private readonly db: DatabaseService,
    private readonly stix: StixService,
    private readonly reports: ReportsService,
    private readonly entities: EntitiesService,
    private readonly weapons: WeaponsService,
    private readonly keys: ApiKeysService,
  ) {}

  importEvent(body: unknown, actor: Principal): Promise<StixImportResult> {
    const event = eventOf(body);
    if (!event) {
      throw invalid('the body must be a MISP event {"Event": {..., "Attribute": [...]}}', [{ field: 'Event', rule: 'mispEvent', message: 'send a MISP event as MISP exports it (with Attribute or Object)' }]);
    }
    const { bundle, skipped } = eventToBundle(event);
    return this.db.write(async (m) => {
      // What was left out is said in MISP terms (attributes and sightings), not in those of the bundle built from them.
      return { ...(await this.stix.importWithin(m, bundle, actor)), skipped };
    });
  }

  /** The feed of a weapon as the reader may see it: the manifest and its one event. */
  async feed(weaponId: string, reader: Principal): Promise<{ uuid: string; event: Record<string, unknown>; manifest: Record<string, unknown> }> {
    const weapon = await this.weapons.get(weaponId);
    const reports = await this.reports.visibleCurrentFor(weaponId, reader);
    const { entities, organizations } = await this.db.read(async (m) => ({
      entities: new Map((await this.entities.findManyWithin(m, [...new Set(reports.map((r) => r.entityId))])).map((e) => [e.id, e])),
      organizations: new Map((await this.keys.organizationsWithin(m, reports.map((r) => r.organizationId))).map((o) => [o.id, o.name])),
    }));
    return reportsToEvent(weapon, reports.map((r) => ({
      stixId: r.stixId ?? sightingIdOfChain(r.chainId), entityName: entities.get(r.entityId)?.name ?? r.entityId, entityCountry: entities.get(r.entityId)?.country ?? null,
      organizationName: organizations.get(r.organizationId) ?? r.organizationId, tlp: r.tlp, observedAt: r.observedAt, createdAt: r.createdAt, source: r.source,
    })));
  }

  async manifest(weaponId: string, reader: Principal): Promise<Record<string, unknown>> {
    const { uuid, manifest } = await this.feed(weaponId, reader);
    return { [uuid]: manifest };
  }

  async event(weaponId: string, file: string, reader: Principal): Promise<Record<string, unknown>> {
    const { uuid, event } = await this.feed(weaponId, reader);
    if (file !== `${uuid}.json`) throw notFound('feed file', file, 'file');
    return event;
  }
}
