/**
 * The weapon as fitted distributions: every 90% range of the weapon record becomes the lognormal
 * or logit-normal the runs draw from, once per model instead of once per run, and a range that
 * cannot be fitted is refused naming its field before any run starts.
 */
import type { WeaponRecord } from '../domain/records';
import { DEPENDENCY_KINDS } from '../domain/vocabulary';
import { lognormalFromRange, logitNormalFromRange, type ScaleNormal } from './distributions';
import { KIND_SLOTS } from './graph';
import { fitRange, isRange, parseTime, ScenarioInputError } from './scenario-input';

/** Weapon parameters as fitted distributions (per kind slot; null where the weapon has no vector). */
export interface WeaponModel {
  /** Kind slots the weapon spreads along. */
  kinds: number[];
  /** Logit-normal of each used kind's transmissibility. */
  transmissibility: Array<ScaleNormal | null>;
  /** Lognormal of each used kind's per-arc delay (hours). */
  delay: Array<ScaleNormal | null>;
  /** Lognormal of an infected entity's spreading window (hours) before containment; null = until the horizon. */
  containment: ScaleNormal | null;
  /** Hours from origin after which nothing new is infected (Infinity if none). */
  killSwitchHours: number;
  hostShare: ScaleNormal;
  costPerHost: ScaleNormal;
  downtimeDays: ScaleNormal;
  /** Logit-normal of c for infected entities; null = c = host share x payloadFactor. */
  inoperability: ScaleNormal | null;
  payloadFactor: number;
}

/** Share of an infected entity's function its payload takes when no inoperability range is given. */
const PAYLOAD_FACTOR: Record<string, number> = { wiper: 1, ransomware: 1, sabotage: 1, botnet: 0.1, espionage: 0.02 };

/** The weapon's vectors by kind slot; a weapon without any is a warning (nothing spreads beyond the reports). */
function vectorsOf(weapon: WeaponRecord, warnings: string[]): Pick<WeaponModel, 'kinds' | 'transmissibility' | 'delay'> {
  const kinds: number[] = [];
  const transmissibility: Array<ScaleNormal | null> = new Array(KIND_SLOTS).fill(null);
  const delay: Array<ScaleNormal | null> = new Array(KIND_SLOTS).fill(null);
  DEPENDENCY_KINDS.forEach((kind, k) => {
    const v = weapon.vectors?.[kind];
    if (!v) return;
    try {
      transmissibility[k] = logitNormalFromRange(v.transmissibility, `weapon.vectors.${kind}.transmissibility`);
      delay[k] = lognormalFromRange(v.delayHours, `weapon.vectors.${kind}.delayHours`);
    } catch (err) {
      throw new ScenarioInputError((err as Error).message);
    }
    kinds.push(k);
  });
  if (kinds.length === 0) warnings.push(`weapon '${weapon.id}' has no vectors: nothing spreads beyond the reports`);
  return { kinds, transmissibility, delay };
}

/** `hours` converts a time (ms) to hours from the model's origin (for the kill switch). */
export function weaponModel(weapon: WeaponRecord, hours: (ms: number) => number, warnings: string[]): WeaponModel {
  const imp = weapon.impact ?? ({} as WeaponRecord['impact']);
  return {
    ...vectorsOf(weapon, warnings),
    containment: isRange(weapon.containmentHours) ? fitRange(weapon.containmentHours, 'weapon.containmentHours', lognormalFromRange) : null,
    killSwitchHours: weapon.killSwitchAt ? hours(parseTime(weapon.killSwitchAt, 'weapon.killSwitchAt')) : Infinity,
    hostShare: fitRange(imp.hostShare, 'weapon.impact.hostShare', logitNormalFromRange),
    costPerHost: fitRange(imp.costPerHostUsd, 'weapon.impact.costPerHostUsd', lognormalFromRange),
    downtimeDays: fitRange(imp.downtimeDays, 'weapon.impact.downtimeDays', lognormalFromRange),
    inoperability: isRange(imp.inoperability) ? fitRange(imp.inoperability, 'weapon.impact.inoperability', logitNormalFromRange) : null,
    payloadFactor: PAYLOAD_FACTOR[weapon.payload] ?? 1,
  };
}
