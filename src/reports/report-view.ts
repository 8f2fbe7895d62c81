import type { Range90, ReportRecord } from '../domain/records';
import type { ReportStatus, Tlp } from '../domain/vocabulary';
import type { ErrorDetail } from '../common/errors/domain-error';
import type { ExternalReference, Report } from './report.entity';

/** A report as the API returns it. */
export interface ReportView {
  id: string;
  weaponId: string;
  entityId: string;
  /** The reporting organisation. */
  organizationId: string;
  observedAt: string;
  status: ReportStatus;
  hostsAffected: number | null;
  downtimeHours: number | null;
  lossUsd: Range90 | null;
  confidence: number | null;
  tlp: Tlp;
  source: string | null;
  externalReferences: ExternalReference[];
  /** The report this one corrects. */
  supersedes: string | null;
  chainId: string;
  version: number;
  stixId: string | null;
  createdAt: string;
}

/** One report with its history: whether it is current, what superseded it, and every version. */
export interface ReportDetailView extends ReportView {
  current: boolean;
  supersededBy: string | null;
  /** The id of the chain's current version (null when the reader may not see it). */
  currentId: string | null;
  /** Every version of the chain the reader may see, oldest first. */
  chain: ReportView[];
}

export interface CreatedReportView extends ReportView {
  /** Non-blocking remarks, e.g. observedAt well before the weapon's first sighting. */
  warnings: ErrorDetail[];
}

export interface BulkResultView {
  created: number;
  /** Ids of the new reports, in input order. */
  ids: string[];
  /** Entities created inline. */
  entitiesCreated: string[];
  warnings: ErrorDetail[];
}

export type ReportRow = Pick<
  Report,
  | 'id' | 'weaponId' | 'entityId' | 'organizationId' | 'observedAt' | 'status' | 'hostsAffected' | 'downtimeHours' | 'lossLowUsd'
  | 'lossHighUsd' | 'confidence' | 'tlp' | 'source' | 'externalReferences' | 'supersedesId' | 'chainId' | 'version' | 'stixId' | 'createdAt'
>;

export function toView(r: ReportRow): ReportView {
  const { id, weaponId, entityId, observedAt, status, hostsAffected, downtimeHours, lossUsd, confidence, tlp, source } = toRecord(r);
  return {
    id: id!, weaponId, entityId, organizationId: r.organizationId, observedAt, status, hostsAffected: hostsAffected ?? null, downtimeHours: downtimeHours ?? null,
    lossUsd: lossUsd ?? null, confidence: confidence ?? null, tlp, source: source ?? null,
    externalReferences: r.externalReferences ?? [],
    supersedes: r.supersedesId ?? null,
    chainId: r.chainId,
    version: r.version,
    stixId: r.stixId ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** The plain record the engine and scenario files use. */
export function toRecord(r: ReportRow): ReportRecord {
  return {
    id: r.id,
    weaponId: r.weaponId,
    entityId: r.entityId,
    observedAt: r.observedAt.toISOString(),
    status: r.status,
    hostsAffected: r.hostsAffected ?? null,
    downtimeHours: r.downtimeHours ?? null,
    lossUsd: r.lossLowUsd === null || r.lossLowUsd === undefined || r.lossHighUsd === null || r.lossHighUsd === undefined ? null : { low: r.lossLowUsd, high: r.lossHighUsd },
    confidence: r.confidence ?? null,
    tlp: r.tlp,
    source: r.source ?? null,
  };
}
