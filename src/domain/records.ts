/**
 * Plain records of the domain, as they travel between the scenario files, the engine
 * and the database. Field meanings: see README, "Domain".
 */
import type { DependencyKind, Payload, ReportStatus, Tlp } from './vocabulary';

/** A 90% range: the 5th and 95th percentiles of an uncertain quantity. */
export interface Range90 {
  low: number;
  high: number;
}

export interface EntityRecord {
  id: string;
  name: string;
  kind: string;
  parentId?: string | null;
  country?: string | null;
  sector?: string | null;
  hosts: number;
  dailyValueUsd: number;
  populationServed: number;
  tags: string[];
  protected?: boolean;
  stixId?: string | null;
}

export interface DependencyRecord {
  sourceId: string;
  targetId: string;
  kind: DependencyKind;
  weight: number;
  bidirectional?: boolean;
}

export interface WeaponVector {
  /** Probability that an infected source infects a susceptible target along an arc of weight 1. */
  transmissibility: Range90;
  /** Hours from the source's infection to the target's. */
  delayHours: Range90;
}

export interface WeaponTargeting {
  entityIds?: string[];
  countries?: string[];
  sectors?: string[];
  tags?: string[];
}

export interface WeaponImpact {
  /** Share of an infected entity's hosts hit, in (0,1]. */
  hostShare: Range90;
  costPerHostUsd: Range90;
  downtimeDays: Range90;
  /** Inoperability c of an infected entity, in [0,1]. */
  inoperability?: Range90;
}

export interface WeaponRecord {
  id: string;
  name: string;
  aliases?: string[];
  payload: Payload;
  vectors: Partial<Record<DependencyKind, WeaponVector>>;
  /** An entity is susceptible only if it carries every one of these tags. */
  requiredTags?: string[];
  targeting?: WeaponTargeting;
  impact: WeaponImpact;
  killSwitchAt?: string | null;
  firstSeenAt?: string | null;
  /** Hours an infected entity keeps spreading before containment (90% range). */
  containmentHours?: Range90;
  characterised?: boolean;
}

/** A STIX-style external reference kept with a report (a ticket, an advisory, a blog post). */
export interface ExternalReference {
  source_name: string;
  url?: string;
  external_id?: string;
  description?: string;
}

export interface ReportRecord {
  id?: string;
  weaponId: string;
  entityId: string;
  observedAt: string;
  status: ReportStatus;
  hostsAffected?: number | null;
  downtimeHours?: number | null;
  lossUsd?: Range90 | null;
  confidence?: number | null;
  tlp: Tlp;
  source?: string | null;
}

/** A report with who filed it, so entity-level outputs can respect its TLP marking. */
export interface EvidenceReport extends ReportRecord {
  organizationId?: string | null;
  /** When the report was filed (ISO 8601): `latestReportFiledAt` of the assessment's inputs. */
  filedAt?: string | null;
}

/** What an assessment rests on, as the engine takes it: the dependency model, the weapon and the evidence as of `asOf`. */
export interface ScenarioSnapshot {
  entities: EntityRecord[];
  /** A plain array, or (read from the database or Redis) a view of columns: see dependencyView. */
  dependencies: readonly DependencyRecord[];
  weapon: WeaponRecord;
  reports: EvidenceReport[];
  asOf: string;
  horizonHours: number;
}
