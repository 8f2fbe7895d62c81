/**
 * prepareScenario: turns domain records (entities, dependencies, weapon, reports) into the
 * plain, transferable model the runs read. Numeric arrays live on SharedArrayBuffers so that
 * worker threads share them; `core` is what workers receive, `meta` stays on the main thread.
 * Each part of the model is made in a file of its own (see README.md); this file puts them together.
 */
import { DEPENDENCY_KINDS, type Norm } from '../domain/vocabulary';
import { entityColumns } from './entity-columns';
import { markEntities } from './entity-marks';
import { filedLossCover } from './filed-loss';
import { functionalMatrix } from './functional-matrix';
import { buildGraph, type Graph } from './graph';
import type { InoperabilityMatrix } from './iim';
import { reportedImpact } from './reported-impact';
import { ScenarioInputError, type PrepareScenarioInput } from './scenario-input';
import { reportsByEntity, usedReports } from './scenario-reports';
import { seedsOf } from './seeds';
import { weaponModel, type WeaponModel } from './weapon-model';

export { ScenarioInputError, type PrepareScenarioInput } from './scenario-input';

/** The numeric part of the model (shared with workers). */
export interface ScenarioCore {
  n: number;
  graph: Graph;
  hosts: Float64Array;
  dailyValueUsd: Float64Array;
  populationServed: Float64Array;
  /** 1 if the entity carries all the weapon's required tags, else 0; null when every entity is susceptible. */
  susceptibility: Float32Array | null;
  intended: Uint8Array;
  reported: Uint8Array;
  /** Bit 1: norm 13(f); bit 2: norm 13(k); 0 = not protected. */
  protectedMask: Uint8Array;
  /** Country group index per entity (-1 none). */
  country: Int32Array;
  /** Sector group index per entity (-1 none). */
  sector: Int32Array;
  countryCount: number;
  sectorCount: number;
  functional: InoperabilityMatrix;
  spectralRadius: number;
  /** Seeds: reported entities at their earliest report (hours from origin). */
  seedNode: Int32Array;
  seedTime: Float64Array;
  /** 1 for index cases (earliest reports): they need no explanation in the likelihood. */
  seedIsIndex: Uint8Array;
  /** Report confidence in [0,1] per seed. */
  seedConfidence: Float64Array;
  /** Per entity: time it stops spreading (contained/remediated report), Infinity otherwise; null if none. */
  stopAt: Float64Array | null;
  /** Per entity: slot into the reported-impact arrays, or -1. */
  reportSlot: Int32Array;
  reportedHosts: Float64Array;
  reportedDowntimeDays: Float64Array;
  reportedLossMu: Float64Array;
  reportedLossSigma: Float64Array;
  /**
   * Per entity: the report slot of the filed loss that covers it, or -1. A loss filed for an
   * entity covers its whole subtree (a group's figure filed for its head office covers the group's
   * sites); the outermost filed loss wins, so nested figures are not added to their group's.
   */
  lossCover: Int32Array;
  weapon: WeaponModel;
  asOfHours: number;
  horizonEndHours: number;
  /** Distinct entities reported by asOf. */
  reportedCount: number;
}

/** Names and labels (main thread only). */
export interface ScenarioMeta {
  ids: string[];
  names: string[];
  sectorOf: Array<string | null>;
  countries: string[];
  sectors: string[];
  /** Norms per protected entity index. */
  norms: Map<number, Norm[]>;
  originIso: string;
  asOfIso: string;
  horizonHours: number;
  weaponId: string;
  weaponName: string;
  reportsUsed: number;
  /** Cumulative reported entities by time: sorted seed times (hours). */
  reportTimes: number[];
  /** Names of the per-run drawn parameters, in row order. */
  parameterNames: string[];
  warnings: string[];
}

export interface ScenarioModel {
  core: ScenarioCore;
  meta: ScenarioMeta;
}

/** Per-run columns of the posterior predictive check (predictive-check.ts, ReportReplicate), after the parameters. */
export const PREDICTED = ['predicted.reports', 'predicted.meanReportHoursShift'] as const;

/** Names of a run's drawn parameters in row order (parameters.ts), then the predictive check's columns. */
function parameterNames(kinds: readonly number[]): string[] {
  return [...kinds.map((k) => `transmissibility.${DEPENDENCY_KINDS[k]}`), 'reportingRate', 'recoveryDays', 'reportingLagHours', ...PREDICTED];
}

/**
 * Prepares a model for runAssessment / runShard.
 * - ids become indices in entity order; dependencies become arcs (both ways if bidirectional);
 * - seeds: the earliest report per entity up to asOf; contained/remediated reports stop the
 *   entity's spreading from that time; reported hosts, downtime and loss replace the draws
 *   (scenario-reports.ts, seeds.ts, reported-impact.ts, filed-loss.ts);
 * - entity figures and country/sector groups (entity-columns.ts); susceptibility, intended and
 *   protected entities (entity-marks.ts);
 * - the IIM matrix from `functionalKinds` dependencies, checked for stability (functional-matrix.ts);
 * - the weapon's ranges as distributions (weapon-model.ts).
 * Time is in hours from the earliest report used (the origin). Input is checked in that order, so
 * the first problem found is the one reported.
 */
export function prepareScenario(input: PrepareScenarioInput): ScenarioModel {
  const { entities, dependencies, weapon } = input;
  const horizonHours = input.horizonHours ?? 168;
  if (!(horizonHours >= 0)) throw new ScenarioInputError(`horizonHours must be >= 0, got ${horizonHours}`);
  const warnings: string[] = [];
  const { graph, ids, index } = buildGraph(entities, dependencies);
  const n = graph.n;
  const reports = usedReports(input.reports, weapon, input.asOf, index, warnings);
  const by = reportsByEntity(reports.used);
  const seeds = seedsOf(by, reports, n);
  const impact = reportedImpact(by, n, ids);
  const lossCover = filedLossCover(entities, index, impact.reportSlot, impact.reportedLossMu);
  const { countries, sectors, names, sectorOf, ...columns } = entityColumns(entities);
  const { norms, ...marks } = markEntities(entities, weapon, index, warnings);
  const { functional, spectralRadius } = functionalMatrix(dependencies, index, n, input.functionalKinds);
  const weaponM = weaponModel(weapon, reports.hours, warnings);
  const asOfHours = reports.hours(reports.asOfMs);
  const core: ScenarioCore = {
    n,
    graph,
    ...columns,
    ...marks,
    ...seeds,
    ...impact,
    countryCount: countries.length,
    sectorCount: sectors.length,
    functional,
    spectralRadius,
    lossCover,
    weapon: weaponM,
    asOfHours,
    horizonEndHours: asOfHours + horizonHours,
    reportedCount: seeds.seedNode.length,
  };
  const meta: ScenarioMeta = {
    ids,
    names,
    sectorOf,
    countries,
    sectors,
    norms,
    originIso: new Date(reports.originMs).toISOString(),
    asOfIso: new Date(reports.asOfMs).toISOString(),
    horizonHours,
    weaponId: weapon.id,
    weaponName: weapon.name,
    reportsUsed: reports.used.length,
    reportTimes: Array.from(seeds.seedTime),
    parameterNames: parameterNames(weaponM.kinds),
    warnings,
  };
  return { core, meta };
}
