/**
 * Early warning: the unreported entities most likely infected within each window after asOf,
 * each with its most likely path from a reported infection.
 */
import { tailOf } from './graph';
import type { ScenarioModel } from './model';
import type { AssessmentPartial } from './partial';
import type { EarlyWarningWindow } from './result';
import { kish, wilson } from './stats';

/** Longest path reported, in entities. */
const MAX_PATH = 64;

/**
 * The windows `hours` (those the partial was computed with). Each keeps the top `limit` of each
 * part, so a reader filtering to collateral (or intended) entities gets a full list even when
 * the other part dominates the ranking.
 */
export function earlyWarningWindows(model: ScenarioModel, p: AssessmentPartial, hours: number[], limit: number): EarlyWarningWindow[] {
  const { core, meta } = model;
  const nEff = kish(p.sumW, p.sumW2);
  const bestIn = p.carry ? mostLikelyParents(model, p.carry) : null;
  return hours.map((withinHours, k) => {
    const kept = { intended: 0, collateral: 0 };
    const top = candidates(model, p, k).filter(([v]) => {
      const part = core.intended[v] === 1 ? 'intended' : 'collateral';
      return kept[part] < limit && ++kept[part] > 0;
    });
    return {
      withinHours,
      entities: top.map(([v, pr]) => ({
        entityId: meta.ids[v],
        name: meta.names[v],
        country: core.country[v] >= 0 ? meta.countries[core.country[v]] : null,
        sector: meta.sectorOf[v],
        probability: wilson(pr, nEff),
        path: bestIn ? pathTo(model, bestIn, v) : [],
      })),
    };
  });
}

/** Unreported entities with a chance of infection within window k: [entity, probability], most likely first. */
function candidates(model: ScenarioModel, p: AssessmentPartial, k: number): Array<[number, number]> {
  const cand: Array<[number, number]> = [];
  for (let v = 0; v < model.core.n; v++) {
    if (model.core.reported[v]) continue;
    const pr = p.early[v * p.windows + k] / p.sumW;
    if (pr > 0) cand.push([v, pr]);
  }
  return cand.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** For each node, the incoming arc that carried the infection in the most (weighted) runs, or -1. */
function mostLikelyParents(model: ScenarioModel, carry: Float32Array): Int32Array {
  const g = model.core.graph;
  const best = new Int32Array(g.n).fill(-1);
  const val = new Float32Array(g.n);
  for (let a = 0; a < g.arcs; a++) {
    const c = carry[a];
    if (c > 0) {
      const v = g.targets[a];
      if (c > val[v]) {
        val[v] = c;
        best[v] = a;
      }
    }
  }
  return best;
}

/** Entity ids from a reported entity to v along the most likely parents. */
function pathTo(model: ScenarioModel, bestIn: Int32Array, v: number): string[] {
  const { core, meta } = model;
  const path = [v];
  const seen = new Set([v]);
  let cur = v;
  while (!core.reported[cur] && path.length < MAX_PATH) {
    const a = bestIn[cur];
    if (a < 0) break;
    const u = tailOf(core.graph.offsets, a);
    if (seen.has(u)) break;
    seen.add(u);
    path.push(u);
    cur = u;
  }
  return path.reverse().map((x) => meta.ids[x]);
}
