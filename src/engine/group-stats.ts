/**
 * Group ranges: the per-run totals of every country, sector and country x sector group, for the
 * total and each part, from the sparse (run, cell) rows: a group's per-run total is the sum of
 * its cells' rows in that run; a run with no row in the group counts as zero.
 */
import type { ScenarioModel } from './model';
import { groupCells, GROUP_VALUE, NG, type AssessmentPartial } from './partial';
import type { AssessmentGroups, CountrySectorStat, GroupPart, GroupStat } from './result';
import type { RunWeights } from './run-weights';
import { weightedRange, type Range } from './stats';

/** A group as a list of cells, in total and per part; a missing country or sector is 'unknown' (as in the rollup). */
export interface GroupDef {
  kind: GroupKind;
  key: string;
  country: string;
  sector: string;
  cells: Record<GroupPart, number[]>;
}

export type GroupKind = 'country' | 'sector' | 'countrySector';
/** A group's entries with the kind of group they belong to. */
export type GroupEntry = GroupStat & { kind: GroupKind };
/** What the ranges read of the run weights (RunWeights: per run position, its weight; their sum). */
export type GroupWeights = Pick<RunWeights, 'w' | 'sum'>;

const PARTS = ['total', 'intended', 'collateral'] as const;

export function groupStats(model: ScenarioModel, p: AssessmentPartial, rw: RunWeights, level: number): AssessmentGroups {
  const defs = groupDefs(model);
  return groupLists(groupEntries(defs, rowsByCell([p], p.runIndex, rw.order, groupCells(model.core).count), rw, level));
}

/**
 * The groups cut in two shares of about `second` and 1 - `second` of the work of their ranges
 * (per entry: passes over the runs and its cells' rows, and its figures' selections among the
 * runs it is present in), for two threads: the
 * entries come out the same whichever share computes them.
 */
export function splitGroups(defs: GroupDef[], rows: CellRows, runs: number, second: number): [GroupDef[], GroupDef[]] {
  const cost = (d: GroupDef) => {
    let c = 0;
    for (const part of PARTS) {
      const list = d.cells[part];
      if (list.length === 0 || (part !== 'total' && list.length === d.cells.total.length)) continue;
      let n = 0;
      for (const cell of list) n += rows.start[cell + 1] - rows.start[cell];
      // a pass over the runs, one over the rows, and the selections over the runs present (at most both)
      c += runs + n + 4 * Math.min(runs, n);
    }
    return c;
  };
  const costs = defs.map(cost);
  const total = costs.reduce((a, b) => a + b, 0);
  const out: [GroupDef[], GroupDef[]] = [[], []];
  let taken = 0;
  // Alternating along the list keeps both shares a mix of large and small groups.
  defs.forEach((d, i) => {
    const toSecond = taken + costs[i] / 2 <= second * total;
    if (toSecond) taken += costs[i];
    out[toSecond ? 1 : 0].push(d);
  });
  return out;
}

/** The total and part entries of each group, in `defs` order. */
export function groupEntries(defs: GroupDef[], rows: CellRows, rw: GroupWeights, level: number): GroupEntry[] {
  const ranges = new GroupRanges(rows, rw, level);
  const out: GroupEntry[] = [];
  for (const d of defs) {
    let total: Range[] | null = null;
    for (const part of PARTS) {
      const list = d.cells[part];
      if (list.length === 0) continue;
      // A part holding every cell of its group has the total's figures.
      const r: Range[] = part !== 'total' && list.length === d.cells.total.length ? total! : ranges.of(list);
      if (part === 'total') total = r;
      const g: GroupStat = {
        key: d.key,
        part,
        entitiesInfected: r[GROUP_VALUE.entitiesInfected],
        entitiesDisrupted: r[GROUP_VALUE.entitiesDisrupted],
        lossUsd: r[GROUP_VALUE.lossUsd],
        populationAffected: r[GROUP_VALUE.populationAffected],
      };
      out.push({ kind: d.kind, ...(d.kind === 'countrySector' ? { ...g, country: d.country, sector: d.sector } : g) });
    }
  }
  return out;
}

/** Entries (of any shares, in any order) as the result's lists: each kind's totals first, then by expected loss. */
export function groupLists(entries: GroupEntry[]): AssessmentGroups {
  const lists: Record<GroupKind, GroupStat[]> = { country: [], sector: [], countrySector: [] };
  for (const { kind, ...g } of entries) lists[kind].push(g);
  for (const list of Object.values(lists)) {
    list.sort((a, b) => PARTS.indexOf(a.part!) - PARTS.indexOf(b.part!) || b.lossUsd.mean - a.lossUsd.mean || a.key.localeCompare(b.key));
  }
  return { country: lists.country, sector: lists.sector, countrySector: lists.countrySector as CountrySectorStat[] };
}

/** The group rows regrouped cell by cell (CSR over cells): each row's run position and values. */
export interface CellRows {
  start: Int32Array;
  runAt: Int32Array;
  values: Float32Array;
}

/** Group rows as a partial holds them (AssessmentPartial: groupCount rows of groupRun, groupId, groupValues). */
export type GroupRowSet = Pick<AssessmentPartial, 'groupCount' | 'groupRun' | 'groupId' | 'groupValues'>;

/**
 * The rows copied cell by cell, so each group reads its cells' rows sequentially. A group's
 * per-run total is summed over its cells in cell order, and the runs are read in run order: the
 * result does not depend on the order of the partial's rows. `sets` are read as one list of
 * rows, in their order (a coordinator keeps its shards' rows as they came: see ShardFold).
 */
export function rowsByCell(sets: readonly GroupRowSet[], runIndex: Int32Array, order: number[], cellCount: number, shared = false): CellRows {
  let M = 0;
  for (const s of sets) M += s.groupCount;
  const pos = new Map<number, number>();
  order.forEach((i, k) => pos.set(runIndex[i], k));
  const start = new Int32Array(cellCount + 1);
  for (const s of sets) for (let j = 0; j < s.groupCount; j++) start[s.groupId[j] + 1]++;
  for (let c = 0; c < cellCount; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cellCount);
  // (shared: posted to another thread without a copy)
  const runAt = shared ? new Int32Array(new SharedArrayBuffer(M * 4)) : new Int32Array(M);
  const values = shared ? new Float32Array(new SharedArrayBuffer(M * NG * 4)) : new Float32Array(M * NG);
  for (const s of sets) {
    const { groupRun, groupId, groupValues } = s;
    let lastRun = -1;
    let runPos = -1;
    for (let j = 0; j < s.groupCount; j++) {
      if (groupRun[j] !== lastRun) {
        lastRun = groupRun[j];
        const at = pos.get(lastRun);
        if (at === undefined) throw new Error(`internal: group row of run ${lastRun}, which the partial does not hold`);
        runPos = at;
      }
      const t = fill[groupId[j]]++;
      runAt[t] = runPos;
      for (let f = 0; f < NG; f++) values[t * NG + f] = groupValues[j * NG + f];
    }
  }
  return { start, runAt, values };
}

/** Every country, sector and country x sector group of the model's cells: countries, then sectors, then pairs, each by first cell. */
export function groupDefs(model: ScenarioModel): GroupDef[] {
  const cells = groupCells(model.core);
  const meta = model.meta;
  const defs = { country: new Map<string, GroupDef>(), sector: new Map<string, GroupDef>(), countrySector: new Map<string, GroupDef>() };
  for (let c = 0; c < cells.count; c++) {
    const cn = cells.country[c] >= 0 ? meta.countries[cells.country[c]] : 'unknown';
    const sn = cells.sector[c] >= 0 ? meta.sectors[cells.sector[c]] : 'unknown';
    const part: GroupPart = cells.intended[c] === 1 ? 'intended' : 'collateral';
    const put = (kind: GroupKind, key: string, id = key) => {
      const m = defs[kind];
      let d = m.get(id);
      if (!d) m.set(id, (d = { kind, key, country: cn, sector: sn, cells: { total: [], intended: [], collateral: [] } }));
      d.cells.total.push(c);
      d.cells[part].push(c);
    };
    put('country', cn);
    put('sector', sn);
    put('countrySector', `${cn}/${sn}`, `${cn}\u0000${sn}`); // the key alone is ambiguous if a name holds '/'
  }
  return [...defs.country.values(), ...defs.sector.values(), ...defs.countrySector.values()];
}

/** Ranges of the per-run sums of a list of cells (GROUP_VALUES order); buffers reused from group to group. */
class GroupRanges {
  private readonly R: number;
  private readonly acc: Float64Array<ArrayBuffer>;
  private readonly seen: Uint8Array;
  /** Group value f of the runs present at [f * (R + 1), (f + 1) * (R + 1)), and their weights. */
  private readonly vals: Float64Array<ArrayBuffer>;
  private readonly wts: Float64Array<ArrayBuffer>;
  private readonly scratchV: Float64Array<ArrayBuffer>;
  private readonly scratchW: Float64Array<ArrayBuffer>;

  constructor(
    private readonly rows: CellRows,
    private readonly rw: GroupWeights,
    private readonly level: number,
  ) {
    const R = (this.R = rw.w.length);
    this.acc = new Float64Array(R * NG);
    this.seen = new Uint8Array(R);
    this.vals = new Float64Array(NG * (R + 1));
    this.wts = new Float64Array(R + 1);
    this.scratchV = new Float64Array(R + 1);
    this.scratchW = new Float64Array(R + 1);
  }

  of(cells: number[]): Range[] {
    const { R, vals, wts } = this;
    this.sumRuns(cells);
    const m = this.collect();
    const out: Range[] = [];
    for (let f = 0; f < NG; f++) out.push(weightedRange(vals.subarray(f * (R + 1), (f + 1) * (R + 1)), wts, m, this.level, this.scratchV, this.scratchW));
    return out;
  }

  /** Per run position: the sum of the cells' rows. */
  private sumRuns(cells: number[]): void {
    const { start, runAt, values } = this.rows;
    for (const c of cells) {
      for (let t = start[c]; t < start[c + 1]; t++) {
        const k = runAt[t];
        this.seen[k] = 1;
        for (let f = 0; f < NG; f++) this.acc[k * NG + f] += values[t * NG + f];
      }
    }
  }

  /** Moves the runs' sums into (vals, wts), clearing them; runs without a row count as one value 0. Returns the pairs' count. */
  private collect(): number {
    const { R, acc, seen, vals, wts } = this;
    const w = this.rw.w;
    let m = 0;
    let present = 0;
    for (let k = 0; k < R; k++) {
      if (seen[k] === 0) continue;
      seen[k] = 0;
      if (w[k] > 0) {
        for (let f = 0; f < NG; f++) vals[f * (R + 1) + m] = acc[k * NG + f];
        wts[m++] = w[k];
        present += w[k];
      }
      for (let f = 0; f < NG; f++) acc[k * NG + f] = 0;
    }
    const zero = Math.max(0, this.rw.sum - present);
    if (zero > 0) {
      for (let f = 0; f < NG; f++) vals[f * (R + 1) + m] = 0;
      wts[m++] = zero;
    }
    return m;
  }
}
