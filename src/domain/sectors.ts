/**
 * Our sectors are the 16 CISA critical-infrastructure sectors (PPD-21; slugs in
 * src/domain/vocabulary.ts). This file maps them to and from:
 *
 * - **NIS2** (Directive (EU) 2022/2555): Annex I "sectors of high criticality" and Annex II
 *   "other critical sectors", as slugs of the sector names;
 * - **STIX 2.1** `industry-sector-ov` (the open vocabulary of `identity.sectors`).
 *
 * The taxonomies do not line up one to one, so every direction is a documented choice:
 *
 * | CISA sector | NIS2 (annex) | STIX 2.1 (first = preferred on export) |
 * |---|---|---|
 * | chemical | chemicals (II) | chemical |
 * | commercial-facilities | none | commercial, retail, hospitality-leisure, entertainment, construction, non-profit |
 * | communications | digital-infrastructure (I), space (I) | telecommunications, communications |
 * | critical-manufacturing | manufacturing (II) | manufacturing, automotive, aerospace, mining |
 * | dams | energy (I) | infrastructure-dams |
 * | defense-industrial-base | none (NIS2 art. 2(7) leaves defence out) | defense |
 * | emergency-services | public-administration (I) | government-emergency-services |
 * | energy | energy (I) | energy, utilities |
 * | financial-services | banking (I), financial-market-infrastructures (I) | financial-services, insurance |
 * | food-and-agriculture | food (II) | agriculture |
 * | government-facilities | public-administration (I), research (II) | government, government-national, government-regional, government-local, government-public-services, education |
 * | healthcare-and-public-health | health (I) | healthcare, pharmaceuticals |
 * | information-technology | ict-service-management (I), digital-infrastructure (I), digital-providers (II) | technology |
 * | nuclear | energy (I) | infrastructure-nuclear |
 * | transportation-systems | transport (I), postal-and-courier-services (II) | transportation |
 * | water-and-wastewater | drinking-water (I), waste-water (I) | infrastructure-water |
 *
 * Choices worth knowing when importing:
 * - STIX `pharmaceuticals` -> healthcare-and-public-health: CISA puts pharmaceutical manufacturing
 *   in the Healthcare and Public Health sector (not Critical Manufacturing); Merck files there.
 * - STIX `utilities` -> energy (power and gas utilities are the common case; water utilities
 *   should use `infrastructure-water`).
 * - STIX `telecommunications` and `communications` -> communications.
 * - STIX `government` and every `government-*` -> government-facilities, except
 *   `government-emergency-services` -> emergency-services. `education` -> government-facilities
 *   (CISA's Education Facilities subsector lives there).
 * - STIX `mining` -> critical-manufacturing (primary metals); `construction`, `non-profit`,
 *   `retail`, `hospitality-leisure`, `entertainment` -> commercial-facilities.
 * - STIX `infrastructure` (unqualified) has no single CISA sector: it maps to null and the importer
 *   must leave the sector empty or ask.
 * - NIS2 `digital-infrastructure` -> information-technology (DNS, TLD registries, cloud, data
 *   centres, CDNs and trust services dominate the list; telecoms providers should be given
 *   `communications` explicitly); `space` -> communications (satellite services);
 *   `waste-management` -> commercial-facilities (no CISA equivalent); `research` ->
 *   government-facilities (education and research facilities).
 */
import { SECTORS, type Sector } from '../domain/vocabulary';

export const NIS2_ANNEX_I = [
  'energy',
  'transport',
  'banking',
  'financial-market-infrastructures',
  'health',
  'drinking-water',
  'waste-water',
  'digital-infrastructure',
  'ict-service-management',
  'public-administration',
  'space',
] as const;
export const NIS2_ANNEX_II = [
  'postal-and-courier-services',
  'waste-management',
  'chemicals',
  'food',
  'manufacturing',
  'digital-providers',
  'research',
] as const;
export type Nis2Sector = (typeof NIS2_ANNEX_I)[number] | (typeof NIS2_ANNEX_II)[number];

/** The STIX 2.1 industry-sector-ov values. */
export const STIX_INDUSTRY_SECTORS = [
  'agriculture', 'aerospace', 'automotive', 'chemical', 'commercial', 'communications', 'construction', 'defense',
  'education', 'energy', 'entertainment', 'financial-services', 'government', 'government-emergency-services',
  'government-local', 'government-national', 'government-public-services', 'government-regional', 'healthcare',
  'hospitality-leisure', 'infrastructure', 'infrastructure-dams', 'infrastructure-nuclear', 'infrastructure-water',
  'insurance', 'manufacturing', 'mining', 'non-profit', 'pharmaceuticals', 'retail', 'technology',
  'telecommunications', 'transportation', 'utilities',
] as const;
export type StixIndustrySector = (typeof STIX_INDUSTRY_SECTORS)[number];

export const SECTOR_TO_NIS2: Readonly<Record<Sector, readonly Nis2Sector[]>> = {
  chemical: ['chemicals'],
  'commercial-facilities': [],
  communications: ['digital-infrastructure', 'space'],
  'critical-manufacturing': ['manufacturing'],
  dams: ['energy'],
  'defense-industrial-base': [],
  'emergency-services': ['public-administration'],
  energy: ['energy'],
  'financial-services': ['banking', 'financial-market-infrastructures'],
  'food-and-agriculture': ['food'],
  'government-facilities': ['public-administration', 'research'],
  'healthcare-and-public-health': ['health'],
  'information-technology': ['ict-service-management', 'digital-infrastructure', 'digital-providers'],
  nuclear: ['energy'],
  'transportation-systems': ['transport', 'postal-and-courier-services'],
  'water-and-wastewater': ['drinking-water', 'waste-water'],
};

export const NIS2_TO_SECTOR: Readonly<Record<Nis2Sector, Sector>> = {
  energy: 'energy',
  transport: 'transportation-systems',
  banking: 'financial-services',
  'financial-market-infrastructures': 'financial-services',
  health: 'healthcare-and-public-health',
  'drinking-water': 'water-and-wastewater',
  'waste-water': 'water-and-wastewater',
  'digital-infrastructure': 'information-technology',
  'ict-service-management': 'information-technology',
  'public-administration': 'government-facilities',
  space: 'communications',
  'postal-and-courier-services': 'transportation-systems',
  'waste-management': 'commercial-facilities',
  chemicals: 'chemical',
  food: 'food-and-agriculture',
  manufacturing: 'critical-manufacturing',
  'digital-providers': 'information-technology',
  research: 'government-facilities',
};

export const SECTOR_TO_STIX: Readonly<Record<Sector, readonly StixIndustrySector[]>> = {
  chemical: ['chemical'],
  'commercial-facilities': ['commercial', 'retail', 'hospitality-leisure', 'entertainment', 'construction', 'non-profit'],
  communications: ['telecommunications', 'communications'],
  'critical-manufacturing': ['manufacturing', 'automotive', 'aerospace', 'mining'],
  dams: ['infrastructure-dams'],
  'defense-industrial-base': ['defense'],
  'emergency-services': ['government-emergency-services'],
  energy: ['energy', 'utilities'],
  'financial-services': ['financial-services', 'insurance'],
  'food-and-agriculture': ['agriculture'],
  'government-facilities': [
    'government', 'government-national', 'government-regional', 'government-local', 'government-public-services', 'education',
  ],
  'healthcare-and-public-health': ['healthcare', 'pharmaceuticals'],
  'information-technology': ['technology'],
  nuclear: ['infrastructure-nuclear'],
  'transportation-systems': ['transportation'],
  'water-and-wastewater': ['infrastructure-water'],
};

export const STIX_TO_SECTOR: Readonly<Record<StixIndustrySector, Sector | null>> = {
  agriculture: 'food-and-agriculture',
  aerospace: 'critical-manufacturing',
  automotive: 'critical-manufacturing',
  chemical: 'chemical',
  commercial: 'commercial-facilities',
  communications: 'communications',
  construction: 'commercial-facilities',
  defense: 'defense-industrial-base',
  education: 'government-facilities',
  energy: 'energy',
  entertainment: 'commercial-facilities',
  'financial-services': 'financial-services',
  government: 'government-facilities',
  'government-emergency-services': 'emergency-services',
  'government-local': 'government-facilities',
  'government-national': 'government-facilities',
  'government-public-services': 'government-facilities',
  'government-regional': 'government-facilities',
  healthcare: 'healthcare-and-public-health',
  'hospitality-leisure': 'commercial-facilities',
  infrastructure: null,
  'infrastructure-dams': 'dams',
  'infrastructure-nuclear': 'nuclear',
  'infrastructure-water': 'water-and-wastewater',
  insurance: 'financial-services',
  manufacturing: 'critical-manufacturing',
  mining: 'critical-manufacturing',
  'non-profit': 'commercial-facilities',
  pharmaceuticals: 'healthcare-and-public-health',
  retail: 'commercial-facilities',
  technology: 'information-technology',
  telecommunications: 'communications',
  transportation: 'transportation-systems',
  utilities: 'energy',
};

const SECTOR_SET = new Set<string>(SECTORS);

/** Whether `s` is one of our 16 sector slugs as stored. */
export function isSector(s: string): s is Sector {
  return SECTOR_SET.has(s);
}

/**
 * The sector slug to store for an input (trimmed, case-insensitive, spaces and underscores as
 * hyphens): one of ours, else a STIX industry-sector-ov value or a NIS2 sector mapped as the
 * table above says; null when none (or `infrastructure`, which has no single CISA sector).
 * No slug means different sectors in STIX and NIS2 (test/unit/scenario-format/rules.spec.ts).
 */
export function normaliseSector(raw: string): Sector | null {
  const slug = raw.trim().toLowerCase().replace(/[\s_]+/g, '-');
  if (SECTOR_SET.has(slug)) return slug as Sector;
  return sectorFromStix(slug) ?? sectorFromNis2(slug);
}

/** Our sector for one STIX industry-sector-ov value; null when unknown or ambiguous (`infrastructure`). */
export function sectorFromStix(value: string): Sector | null {
  return (STIX_TO_SECTOR as Record<string, Sector | null>)[value.trim().toLowerCase()] ?? null;
}

/** Our sector for a STIX identity's `sectors` list: the first value that maps. */
export function sectorFromStixList(values: readonly string[] | undefined | null): Sector | null {
  for (const v of values ?? []) {
    const s = sectorFromStix(v);
    if (s) return s;
  }
  return null;
}

/** STIX industry-sector-ov values for our sector, preferred first. */
export function sectorToStix(sector: Sector): readonly StixIndustrySector[] {
  return SECTOR_TO_STIX[sector];
}

/** NIS2 sectors (with their annex) that cover our sector; empty when NIS2 has none. */
export function sectorToNis2(sector: Sector): { sector: Nis2Sector; annex: 'I' | 'II' }[] {
  return SECTOR_TO_NIS2[sector].map((s) => ({ sector: s, annex: (NIS2_ANNEX_I as readonly string[]).includes(s) ? 'I' : 'II' }));
}

/** Our sector for a NIS2 sector slug, or null when it is not one. */
export function sectorFromNis2(value: string): Sector | null {
  return (NIS2_TO_SECTOR as Record<string, Sector>)[value.trim().toLowerCase()] ?? null;
}
