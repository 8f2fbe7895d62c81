import { Injectable } from '@nestjs/common';
import { prepare } from '../jobs/engine-binding';
import { AssessmentsService } from '../assessments/assessments.service';
import type { RunTable } from '../assessments/result-types';
import { invalid } from '../common/errors/domain-error';
import { drawsFromRuns, runCounterfactual, type Variant } from '../engine/counterfactual';
import { kindIndex } from '../engine/graph';
import type { CounterfactualQueryDto } from './dto/decisions-query.dto';

const HOUR = 3_600_000;
const NORM_BIT = { '13(f)': 1, '13(k)': 2 } as const;

/**
 * Counterfactual variants of an assessment on common random numbers (src/engine/counterfactual.ts):
 * the assessment's runs and weights, the graph and evidence read again as for a new job.
 * Aggregates only (ranges over runs), the same for every reader.
 */
@Injectable()
export class CounterfactualsService {
  constructor(private readonly assessments: AssessmentsService) {}

  async run(id: string, q: CounterfactualQueryDto) {
    const row = await this.assessments.get(id);
    const runs = await this.assessments.part<RunTable>(row, 'runs');
    const model = prepare(await this.assessments.snapshot(row.input), row.input);
    const { core, meta } = model;
    const origin = Date.parse(meta.originIso);
    const hours = (iso: string) => (Date.parse(iso) - origin) / HOUR;
    const sectorIndex = (s: string) => meta.sectors.indexOf(s);
    const x: Variant = {};
    if (q.honour?.length) x.honourNormMask = q.honour.reduce((m, n) => m | NORM_BIT[n], 0);
    if (q.spareSectors?.length) x.sparedSectors = q.spareSectors.map(sectorIndex).filter((i) => i >= 0);
    if (q.killSwitchAt) x.killSwitchHours = hours(q.killSwitchAt);
    if (q.containWithinHours !== undefined) x.containWithinHours = q.containWithinHours;
    if (q.cut?.length) x.cutKinds = q.cut.map(kindIndex);
    if (q.patchedBy && (q.patch?.length || q.patchSectors?.length)) {
      const byHours = hours(q.patchedBy);
      const index = new Map(meta.ids.map((e, i) => [e, i]));
      const unknown = (q.patch ?? []).filter((e) => !index.has(e));
      if (unknown.length) throw invalid(`unknown entities: ${unknown.slice(0, 5).join(', ')}`, [{ field: 'patch', rule: 'exists', message: `no entity with id ${unknown.slice(0, 5).map((e) => `'${e}'`).join(', ')}` }]);
      const sectors = new Set((q.patchSectors ?? []).map(sectorIndex));
      const nodes = new Set((q.patch ?? []).map((e) => index.get(e)!));
      for (let v = 0; v < core.n; v++) if (sectors.has(core.sector[v])) nodes.add(v);
      x.patched = [...nodes].map((node) => ({ node, byHours }));
    }
    let draws = drawsFromRuns(core, runs).sort((a, b) => a.run - b.run).slice(0, q.maxRuns);
    const sw = draws.reduce((s, d) => s + d.weight, 0);
    if (sw > 0) draws = draws.map((d) => ({ ...d, weight: d.weight / sw }));
    const cf = runCounterfactual(core, row.input.seed, draws, x, row.input.confidenceLevel);
    return {
      assessmentId: id,
      variant: { ...q, maxRuns: undefined },
      runs: cf.runs,
      level: row.input.confidenceLevel,
      avoided: cf.avoided,
      baseline: cf.baselineRanges,
      counterfactual: cf.variantRanges,
      method: 'each of the assessment\'s runs (its drawn transmissibilities and weight) re-simulated twice on random numbers keyed by run and arc or entity: as assessed and with the change; avoided = paired per-run difference (direct loss only, no thinning of unreported infections)',
    };
  }
}
