/**
 * A run's headline figures: one row of totals (FIGURES for each of SPLITS), summed over the
 * entities the run infects or disrupts.
 */
import type { ScenarioCore } from './model';
import { FIGURE, SPLIT, SPLITS, TOTALS_WIDTH, totalsColumn } from './partial';

export class RunTotals {
  /** The run's row (totalsColumn order). */
  readonly row = new Float64Array(TOTALS_WIDTH);
  /** Per country and split: the last run that counted it as affected. */
  private readonly counted: Int32Array;

  constructor(private readonly core: ScenarioCore) {
    this.counted = new Int32Array(Math.max(1, core.countryCount) * SPLITS.length).fill(-1);
  }

  /** The split of entity v besides the total: intended or collateral. */
  splitOf(v: number): number {
    return this.core.intended[v] === 1 ? SPLIT.intended : SPLIT.collateral;
  }

  /** Adds `value` to a figure of the total and of v's split. */
  add(v: number, figure: number, value: number): void {
    this.row[totalsColumn(SPLIT.total, figure)] += value;
    this.row[totalsColumn(this.splitOf(v), figure)] += value;
  }

  /** Counts v's country as affected in run r (once per run and split). */
  affected(v: number, r: number): void {
    this.countCountry(v, SPLIT.total, r);
    this.countCountry(v, this.splitOf(v), r);
  }

  private countCountry(v: number, split: number, r: number): void {
    const c = this.core.country[v];
    if (c < 0) return;
    const at = c * SPLITS.length + split;
    if (this.counted[at] !== r) {
      this.counted[at] = r;
      this.row[totalsColumn(split, FIGURE.countriesAffected)]++;
    }
  }

  /** Fills in the figures derived from the others (total loss). */
  finish(): void {
    const T = this.row;
    for (let split = 0; split < SPLITS.length; split++) T[totalsColumn(split, FIGURE.lossTotal)] = T[totalsColumn(split, FIGURE.lossDirect)] + T[totalsColumn(split, FIGURE.lossIndirect)];
  }
}
