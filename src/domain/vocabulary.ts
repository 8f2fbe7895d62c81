/**
 * The shared vocabulary of Spillover: the closed sets of values the domain uses.
 * Plain TypeScript, imported by the engine, the scenario loader and the Nest layer alike.
 */

/** The 16 CISA critical-infrastructure sectors (PPD-21), as slugs. */
export const SECTORS = [
  'chemical',
  'commercial-facilities',
  'communications',
  'critical-manufacturing',
  'dams',
  'defense-industrial-base',
  'emergency-services',
  'energy',
  'financial-services',
  'food-and-agriculture',
  'government-facilities',
  'healthcare-and-public-health',
  'information-technology',
  'nuclear',
  'transportation-systems',
  'water-and-wastewater',
] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * Sectors protected by default: critical infrastructure that provides services to the
 * public (UN GGE 2015, A/70/174, norm 13(f)). CSIRTs are protected by kind (norm 13(k)).
 */
export const PROTECTED_SECTORS: readonly Sector[] = [
  'healthcare-and-public-health',
  'energy',
  'water-and-wastewater',
  'emergency-services',
  'nuclear',
  'dams',
];

export const ENTITY_KINDS = [
  'organization',
  'site',
  'facility',
  'network',
  'service',
  'infrastructure',
  'csirt',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const DEPENDENCY_KINDS = [
  'network',
  'supply-chain',
  'service',
  'shared-infrastructure',
  'removable-media',
  'email',
  'corporate-wan',
] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

export const PAYLOADS = ['wiper', 'ransomware', 'sabotage', 'espionage', 'botnet'] as const;
export type Payload = (typeof PAYLOADS)[number];

export const REPORT_STATUSES = ['suspected', 'confirmed', 'contained', 'remediated'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** TLP 2.0 labels, least to most restrictive. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const ROLES = ['responder', 'analyst', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Norms of the UN GGE 2015 report an assessment can point to. */
export type Norm = '13(f)' | '13(k)';

/** Whether an entity is protected by default, and under which norm. */
export function defaultProtection(sector: string | null | undefined, kind: string | null | undefined): Norm[] {
  const norms: Norm[] = [];
  if (sector && (PROTECTED_SECTORS as readonly string[]).includes(sector)) norms.push('13(f)');
  if (kind === 'csirt') norms.push('13(k)');
  return norms;
}
