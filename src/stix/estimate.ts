/**
 * A finished assessment as a STIX 2.1 bundle, for CTI platforms: a `note` on the weapon's
 * `malware` and the at-risk identities, created by Spillover's own `identity`, carrying the
 * estimate's ranges in a property extension defined by an `extension-definition` (STIX 2.1
 * §7.3), marked TLP:GREEN (estimates are aggregates every member sees; entity-level content is
 * only what the reader may see, decided by the caller).
 */
import type { Range } from '../engine/stats';
import type { FigureSet } from '../engine/result';
import type { Weapon } from '../weapons/weapon.entity';
import { identityIdOf, malwareIdOf, malwareOf, stixTime } from './export';
import { tlp2MarkingDefinition, TLP2_IDS, uuidV5 } from '../domain/stix-ids';

/** Creation time of Spillover's own constant objects, so every export names the same versions. */
const SPILLOVER_CREATED = '2026-01-01T00:00:00.000Z';
export const SPILLOVER_IDENTITY_ID = `identity--${uuidV5('spillover')}`;
export const ESTIMATE_EXTENSION_ID = `extension-definition--${uuidV5('extension:estimate:1.0')}`;

export const SPILLOVER_IDENTITY = {
  type: 'identity', spec_version: '2.1', id: SPILLOVER_IDENTITY_ID, created: SPILLOVER_CREATED, modified: SPILLOVER_CREATED,
  name: 'Spillover', identity_class: 'system', description: 'Collateral-damage estimates of escaped cyber weapons',
};

export const ESTIMATE_EXTENSION = {
  type: 'extension-definition', spec_version: '2.1', id: ESTIMATE_EXTENSION_ID, created: SPILLOVER_CREATED, modified: SPILLOVER_CREATED,
  created_by_ref: SPILLOVER_IDENTITY_ID, name: 'Spillover collateral-damage estimate',
  description: 'Ranges (mean, median, low, high at a credible level) of a Monte Carlo estimate of the spread and damage of a cyber weapon, total and split into intended and collateral, and the unreported entities most at risk.',
  schema: 'docs/interop.md#estimates-as-stix-21 (Spillover)', version: '1.0', extension_types: ['property-extension'],
};

export interface AtRisk {
  entity: { id: string; stixId: string | null; name: string; kind: string; createdAt: Date };
  probability: { p: number; low: number; high: number };
  withinHours: number;
}

export interface EstimateInput {
  assessmentId: string;
  asOf: string;
  horizonHours: number;
  finishedAt: Date;
  figures: { total: FigureSet; intended: FigureSet; collateral: FigureSet };
  weapon: Weapon;
  atRisk: AtRisk[];
}

export const estimateNoteIdOf = (assessmentId: string) => `note--${uuidV5(`assessment:${assessmentId}`)}`;

const rangeOf = (r: Range) => ({ mean: r.mean, median: r.median, low: r.low, high: r.high, level: r.level });

function figuresOf(f: FigureSet) {
  return {
    entities_infected: rangeOf(f.entitiesInfected),
    entities_disrupted: rangeOf(f.entitiesDisrupted),
    unreported_infections: rangeOf(f.unreportedInfections),
    loss_usd: { direct: rangeOf(f.lossUsd.direct), indirect: rangeOf(f.lossUsd.indirect), total: rangeOf(f.lossUsd.total) },
    population_affected: rangeOf(f.populationAffected),
    countries_affected: rangeOf(f.countriesAffected),
  };
}

/** The estimate's note alone (the object the estimates collection serves). */
export function estimateNote(e: EstimateInput): Record<string, unknown> {
  const t = e.figures.total;
  const when = stixTime(e.finishedAt);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return {
    type: 'note', spec_version: '2.1', id: estimateNoteIdOf(e.assessmentId), created: when, modified: when,
    created_by_ref: SPILLOVER_IDENTITY_ID,
    abstract: `Spillover estimate of ${e.weapon.name} as of ${e.asOf}`,
    content: `Entities infected: ${n(t.entitiesInfected.median)} (${n(t.entitiesInfected.low)}-${n(t.entitiesInfected.high)}, ${Math.round(t.entitiesInfected.level * 100)}% interval); ` +
      `loss USD ${n(t.lossUsd.total.median)} (${n(t.lossUsd.total.low)}-${n(t.lossUsd.total.high)}); horizon ${e.horizonHours} h.`,
    authors: ['Spillover'],
    object_refs: [malwareIdOf(e.weapon), ...e.atRisk.map((a) => identityIdOf(a.entity))],
    object_marking_refs: [TLP2_IDS.green],
    extensions: {
      [ESTIMATE_EXTENSION_ID]: {
        extension_type: 'property-extension',
        assessment_id: e.assessmentId,
        as_of: e.asOf,
        horizon_hours: e.horizonHours,
        total: figuresOf(e.figures.total),
        intended: figuresOf(e.figures.intended),
        collateral: figuresOf(e.figures.collateral),
        at_risk: e.atRisk.map((a) => ({ identity_ref: identityIdOf(a.entity), within_hours: a.withinHours, probability: a.probability })),
      },
    },
  };
}

/** The whole bundle: Spillover's identity, the extension definition, TLP:GREEN, the malware, the at-risk identities and the note. */
export function estimateBundle(e: EstimateInput): Record<string, unknown> {
  const identities = e.atRisk.map((a) => ({
    type: 'identity', spec_version: '2.1', id: identityIdOf(a.entity), created: stixTime(a.entity.createdAt), modified: stixTime(a.entity.createdAt),
    name: a.entity.name, identity_class: a.entity.kind === 'organization' || a.entity.kind === 'csirt' ? 'organization' : 'system',
  }));
  return {
    type: 'bundle', id: `bundle--${uuidV5(`estimate-bundle:${e.assessmentId}`)}`,
    objects: [SPILLOVER_IDENTITY, ESTIMATE_EXTENSION, tlp2MarkingDefinition('green'), malwareOf(e.weapon), ...identities, estimateNote(e)],
  };
}
