import { prepareScenario, type ScenarioModel } from '../../src/engine';
import type { ScenarioData } from '../../src/scenario-format';

/**
 * The model of a scenario folder's data (readScenario) at its own asOf and horizon, report times as
 * ISO strings as the service stores them: what tests and benches assess when they start from a
 * folder rather than from the API.
 */
export function scenarioModel(d: ScenarioData): ScenarioModel {
  return prepareScenario({
    entities: d.entities,
    dependencies: d.dependencies,
    weapon: d.weapon,
    reports: d.reports.map((r) => ({ ...r, observedAt: new Date(r.observedAt).toISOString() })),
    asOf: d.scenario.asOf,
    horizonHours: d.scenario.horizonHours,
  });
}
