import type { AssessmentJobInput } from '../../src/jobs/job-input';
import type { ScenarioSnapshot } from '../../src/domain/records';
import { readScenario } from '../../src/scenario-format';

/** The NotPetya fixture as an assessment's snapshot (reports up to its asOf) and a sir input of `runs` runs. */
export async function notPetyaJob(runs: number, seed: number): Promise<{ snapshot: ScenarioSnapshot; input: AssessmentJobInput }> {
  const data = await readScenario('fixtures/notpetya-2017');
  const asOf = new Date(data.scenario.asOf).toISOString();
  const reports = data.reports.map((r, i) => ({ ...r, id: `r${i}`, observedAt: new Date(r.observedAt).toISOString() })).filter((r) => r.observedAt <= asOf);
  return {
    snapshot: { entities: data.entities, dependencies: data.dependencies, weapon: data.weapon, reports, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours },
    input: { kind: 'assessment', weaponId: data.weapon.id, asOf: data.scenario.asOf, horizonHours: data.scenario.horizonHours, model: 'sir', runs, seed, confidenceLevel: 0.9, calibrate: true },
  };
}
