/**
 * A run's headline figures: one row of totals (FIGURES for each of SPLITS), summed over the
 * entities the run infects or disrupts.
 */
import type { ScenarioCore } from './model';
import { FIGURE, SPLIT, SPLITS, TOTALS_WIDTH, totalsColumn } from './partial';

/** Column offsets of the splits (totalsColumn(split, 0)). */
const TOTAL = totalsColumn(SPLIT.total, 0);
const INTENDED = totalsColumn(SPLIT.intended, 0);
const COLLATERAL = totalsColumn(SPLIT.collateral, 0);
const COUNTRIES = FIGURE.countriesAffected;

export class RunTotals {
  /** The run's row (totalsColumn order). */
  readonly row = new Float64Array(TOTALS_WIDTH);
  /** Per country and split: the last run that counted it as affected. */
  private readonly counted: Int32Array;
  /** The scenario's columns read per entity (fields of their own: one load fewer per use). */
  private readonly intended: Uint8Array;
  private readonly country: Int32Array;

  constructor(core: ScenarioCore) {
    this.counted = new Int32Array(Math.max(1, core.countryCount) * SPLITS.length).fill(-1);
    this.intended = core.intended;
    this.country = core.country;
  }

  /** The split of entity v besides the total: intended or collateral. */
  splitOf(v: number): number {
    return this.intended[v] === 1 ? SPLIT.intended : SPLIT.collateral;
  }

  /** Adds `value` to a figure of the total and of v's split. */
  add(v: number, figure: number, value: number): void {
    const row = this.row;
    row[TOTAL + figure] += value;
    row[(this.intended[v] === 1 ? INTENDED : COLLATERAL) + figure] += value;
  }

  /** Counts v's country as affected in run r (once per run and split). */
  affected(v: number, r: number): void {
    const c = this.country[v];
    if (c < 0) return;
    const counted = this.counted;
    const at = c * SPLITS.length;
    if (counted[at + SPLIT.total] !== r) {
      counted[at + SPLIT.total] = r;
      this.row[TOTAL + COUNTRIES]++;
    }
    const split = this.intended[v] === 1 ? SPLIT.intended : SPLIT.collateral;
    if (counted[at + split] !== r) {
      counted[at + split] = r;
      this.row[totalsColumn(split, COUNTRIES)]++;
    }
  }

  /** Fills in the figures derived from the others (total loss). */
  finish(): void {
    const T = this.row;
    for (let split = 0; split < SPLITS.length; split++) T[totalsColumn(split, FIGURE.lossTotal)] = T[totalsColumn(split, FIGURE.lossDirect)] + T[totalsColumn(split, FIGURE.lossIndirect)];
  }
}
