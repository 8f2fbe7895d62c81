/**
 * Per-entity results: the chance that each entity is infected or disrupted by the horizon and its
 * expected loss, and the protected entities hit.
 */
import type { ScenarioModel } from './model';
import type { AssessmentPartial } from './partial';
import type { EntityStat, ProtectedHit } from './result';
import { kish, wilson } from './stats';

/** Entities with a non-zero chance of infection or disruption, by probability of infection; the protected ones among them, by probability. */
export function entityStats(model: ScenarioModel, p: AssessmentPartial): { entities: EntityStat[]; protectedHits: ProtectedHit[] } {
  const { core, meta } = model;
  const sumW = p.sumW;
  const nEff = kish(p.sumW, p.sumW2);
  const entities: EntityStat[] = [];
  const protectedHits: ProtectedHit[] = [];
  for (let v = 0; v < core.n; v++) {
    // a report need not be genuine (its confidence), so reported entities have a probability too
    const pi = Math.min(1, p.infected[v] / sumW);
    const pd = p.disrupted[v] / sumW;
    if (!(pi > 0 || pd > 0)) continue;
    const isProtected = core.protectedMask[v] !== 0;
    entities.push({
      entityId: meta.ids[v],
      name: meta.names[v],
      country: core.country[v] >= 0 ? meta.countries[core.country[v]] : null,
      sector: meta.sectorOf[v],
      intended: core.intended[v] === 1,
      reported: core.reported[v] === 1,
      protected: isProtected,
      probabilityInfected: pi === 1 ? { p: 1, low: 1, high: 1 } : wilson(pi, nEff),
      probabilityDisrupted: wilson(pd, nEff),
      expectedLossUsd: p.loss[v] / sumW,
    });
    if (isProtected)
      protectedHits.push({
        entityId: meta.ids[v],
        name: meta.names[v],
        sector: meta.sectorOf[v],
        probability: Math.min(1, pi + pd),
        probabilityInfected: pi,
        norms: meta.norms.get(v) ?? [],
      });
  }
  entities.sort((a, b) => b.probabilityInfected.p - a.probabilityInfected.p || b.expectedLossUsd - a.expectedLossUsd);
  protectedHits.sort((a, b) => b.probability - a.probability);
  return { entities, protectedHits };
}
