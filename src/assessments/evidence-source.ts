import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { EvidenceReport } from './scenario-snapshot';

type Listener = (weaponId: string) => void;

/**
 * The reports an assessment rests on: every current (not superseded) report of the weapon
 * observed at or before `asOf`, at every TLP level (restricted reports count in aggregates;
 * entity-level views hide what rests on them).
 */
@Injectable()
export class EvidenceSource {
  private readonly logger = new Logger('EvidenceSource');
  private readonly listeners: Listener[] = [];

  constructor(private readonly db: DatabaseService) {}

  onEvidenceChanged(listener: Listener): void {
    this.listeners.push(listener);
  }

  emit(weaponId: string): void {
    for (const l of this.listeners) l(weaponId);
  }

  /**
   * Read directly from the `reports` table: the current version of each report chain (no
   * report supersedes it) observed at or before `asOf`.
   */
  async evidenceFor(weaponId: string, asOf: string): Promise<EvidenceReport[]> {
    const rows: any[] = await this.db
      .read((m) => {
        const p = m.connection.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
        return m.query(
          `SELECT r.* FROM "reports" r WHERE r."weaponId" = ${p[0]} AND r."observedAt" <= ${p[1]}
             AND NOT EXISTS (SELECT 1 FROM "reports" s WHERE s."supersedesId" = r."id") ORDER BY r."observedAt", r."id"`,
          [weaponId, m.connection.options.type === 'postgres' ? new Date(asOf) : sqliteTime(asOf)],
        );
      })
      .catch((err) => {
        this.logger.warn({ msg: 'reports not readable', error: String(err) });
        return [];
      });
    return rows.map((r) => ({
      id: String(r.id),
      weaponId: r.weaponId,
      entityId: r.entityId,
      observedAt: toIso(r.observedAt),
      status: r.status,
      hostsAffected: r.hostsAffected ?? null,
      downtimeHours: r.downtimeHours === null || r.downtimeHours === undefined ? null : Number(r.downtimeHours),
      lossUsd: r.lossLowUsd !== null && r.lossLowUsd !== undefined && r.lossHighUsd !== null && r.lossHighUsd !== undefined
        ? { low: Number(r.lossLowUsd), high: Number(r.lossHighUsd) } : null,
      confidence: r.confidence ?? null,
      tlp: r.tlp,
      source: r.source ?? null,
      organizationId: r.organizationId ?? null,
    }));
  }
}

/** TypeORM writes SQLite datetimes as `YYYY-MM-DD HH:MM:SS.SSS` (UTC). */
const sqliteTime = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
const toIso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v).includes('T') ? String(v) : String(v).replace(' ', 'T') + 'Z').toISOString());
