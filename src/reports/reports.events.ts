import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What changed in the evidence: the weapons whose reports changed and the new reports. */
export interface EvidenceChange {
  weaponIds: string[];
  reportIds: string[];
  /**
   * The new reports as the writer has them (in reportIds order), with the observation time of
   * the report each supersedes: listeners need not read back what was just written. Absent:
   * listeners read them by id.
   */
  reports?: EvidenceChangeReport[];
}

export interface EvidenceChangeReport {
  weaponId: string;
  tlp: string;
  organizationId: string | null;
  observedAt: Date;
  /** observedAt of the superseded report; null for a new chain. */
  supersededAt: Date | null;
}

/** Runs inside the writing transaction, so its own writes (e.g. `assessments.stale = true`) commit with the reports. */
export type EvidenceListener = (manager: EntityManager, change: EvidenceChange) => Promise<void> | void;

/**
 * The hook other features subscribe to when new or superseding reports arrive, without the
 * reports module depending on them: the assessments module calls
 * `events.onEvidenceChanged((m, { weaponIds }) => markStale(m, weaponIds))` at start-up.
 */
@Injectable()
export class ReportsEvents {
  private readonly listeners: EvidenceListener[] = [];

  /** Subscribes; returns the function that unsubscribes. */
  onEvidenceChanged(listener: EvidenceListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Called by the write path inside its transaction; a listener's error rolls the write back. */
  async evidenceChangedWithin(manager: EntityManager, change: EvidenceChange): Promise<void> {
    for (const listener of this.listeners) await listener(manager, change);
  }
}
