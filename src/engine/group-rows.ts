/**
 * A run's sums per group cell (GroupCells: country x sector x part), appended to the partial as
 * sparse (run, cell) rows: one per cell the run touches.
 */
import type { ScenarioCore } from './model';
import { groupCells, growGroups, NG, type AssessmentPartial } from './partial';

export class GroupRows {
  private readonly cellOf: Int32Array;
  /** Per cell: the run's NG sums (GROUP_VALUES). */
  private readonly sums: Float64Array;
  /** Cells the run touched, in first-touch order, and a mark per cell. */
  private readonly touched: Int32Array;
  private readonly mark: Uint8Array;
  private touchedCount = 0;

  constructor(core: ScenarioCore) {
    const cells = groupCells(core);
    this.cellOf = cells.cellOf;
    this.sums = new Float64Array(cells.count * NG);
    this.touched = new Int32Array(cells.count);
    this.mark = new Uint8Array(cells.count);
  }

  /** Adds `value` to group value j (GROUP_VALUE) of entity v's cell. */
  add(v: number, j: number, value: number): void {
    const g = this.cellOf[v];
    if (this.mark[g] === 0) {
      this.mark[g] = 1;
      this.touched[this.touchedCount++] = g;
    }
    this.sums[g * NG + j] += value;
  }

  /** Appends run r's rows to the partial and clears the sums. */
  flush(p: AssessmentPartial, r: number): void {
    const n = this.touchedCount;
    if (n === 0) return;
    const m0 = p.groupCount;
    if (m0 + n > p.groupRun.length) growGroups(p, Math.max(2 * p.groupRun.length, m0 + n, 64));
    const { sums } = this;
    for (let j = 0; j < n; j++) {
      const g = this.touched[j];
      p.groupRun[m0 + j] = r;
      p.groupId[m0 + j] = g;
      for (let k = 0; k < NG; k++) {
        p.groupValues[(m0 + j) * NG + k] = sums[g * NG + k];
        sums[g * NG + k] = 0;
      }
      this.mark[g] = 0;
    }
    p.groupCount = m0 + n;
    this.touchedCount = 0;
  }
}
