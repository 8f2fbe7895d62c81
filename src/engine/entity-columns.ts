/**
 * The entities' own figures as columns (hosts, daily value, people served) and their country and
 * sector as group indices: runs read typed arrays by node, and the groups of the rollup are
 * numbered once here instead of compared as strings in every run.
 */
import type { EntityRecord } from '../domain/records';
import { NodeLabels, sharedFloat64, sharedInt32 } from './graph';
import { ScenarioInputError } from './scenario-input';

export interface EntityColumns {
  hosts: Float64Array;
  dailyValueUsd: Float64Array;
  populationServed: Float64Array;
  /** Country and sector group index per entity (-1 none); the groups' names in index order. */
  country: Int32Array;
  sector: Int32Array;
  countries: string[];
  sectors: string[];
  names: string[];
  sectorOf: Array<string | null>;
}

/** Refuses a figure that is negative or not finite, naming the entity and the field. */
function figure(e: EntityRecord, v: number, what: string): number {
  if (!(v >= 0) || !Number.isFinite(v)) throw new ScenarioInputError(`entity '${e.id}': ${what} must be a finite number >= 0, got ${v}`);
  return v;
}

export function entityColumns(entities: readonly EntityRecord[]): EntityColumns {
  const n = entities.length;
  const hosts = sharedFloat64(n);
  const dailyValueUsd = sharedFloat64(n);
  const populationServed = sharedFloat64(n);
  const country = sharedInt32(n);
  const sector = sharedInt32(n);
  // group names numbered in order of first appearance, as node labels are
  const countries = new NodeLabels();
  const sectors = new NodeLabels();
  const names: string[] = new Array(n);
  const sectorOf: Array<string | null> = new Array(n);
  entities.forEach((e, i) => {
    hosts[i] = figure(e, e.hosts ?? 0, 'hosts');
    dailyValueUsd[i] = figure(e, e.dailyValueUsd ?? 0, 'dailyValueUsd');
    populationServed[i] = figure(e, e.populationServed ?? 0, 'populationServed');
    names[i] = e.name;
    sectorOf[i] = e.sector ?? null;
    country[i] = e.country ? countries.of(e.country.toUpperCase()) : -1;
    sector[i] = e.sector ? sectors.of(e.sector) : -1;
  });
  return { hosts, dailyValueUsd, populationServed, country, sector, countries: countries.ids, sectors: sectors.ids, names, sectorOf };
}
