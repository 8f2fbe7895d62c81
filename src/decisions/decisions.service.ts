import { Injectable } from '@nestjs/common';
import { AssessmentsService } from '../assessments/assessments.service';
import type { RunTable } from '../assessments/result-types';
import type { Principal } from '../auth/principal';
import { EXCEEDANCE_PARTS, exceedanceAt, exceedanceCurve, lossSample, oneIn, type ExceedanceCurve, type ExceedancePart, type OneIn } from './exceedance';
import type { Probability } from '../engine/stats';

export interface ExceedanceView extends ExceedanceCurve {
  threshold?: { thresholdUsd: number; probability: Probability; oneIn: OneIn };
}

const usd = (x: number) => (x >= 1e9 ? `$${+(x / 1e9).toPrecision(3)}bn` : x >= 1e6 ? `$${+(x / 1e6).toPrecision(3)}m` : `$${Math.round(x).toLocaleString('en-US')}`);

/** Figures for decisions, read from an assessment's stored parts (aggregates: the same for every reader). */
@Injectable()
export class DecisionsService {
  constructor(private readonly assessments: AssessmentsService) {}

  async exceedance(id: string, part: ExceedancePart | undefined, thresholdUsd: number | undefined): Promise<ExceedanceView[]> {
    const row = await this.assessments.get(id);
    const runs = await this.assessments.part<RunTable>(row, 'runs');
    return (part ? [part] : EXCEEDANCE_PARTS).map((p) => {
      const sample = lossSample(runs, p);
      const curve: ExceedanceView = exceedanceCurve(sample, p);
      if (thresholdUsd !== undefined) {
        const probability = exceedanceAt(sample, thresholdUsd);
        curve.threshold = { thresholdUsd, probability, oneIn: oneIn(probability, `a ${p === 'collateral' ? 'collateral' : 'total'} loss above ${usd(thresholdUsd)}`) };
      }
      return curve;
    });
  }

  /**
   * The finished assessments of a weapon in asOf order: how the headline estimate and its range
   * moved as evidence came in. Each item is the reader's view of the job (its newest report is
   * one the reader may see).
   */
  async series(weaponId: string, limit: number, reader: Principal) {
    const page = await this.assessments.list({ weaponId, status: 'done', limit }, reader);
    const items = page.items
      .filter((v) => v.headline)
      .sort((a, b) => (a.inputs.asOf < b.inputs.asOf ? -1 : a.inputs.asOf > b.inputs.asOf ? 1 : a.createdAt < b.createdAt ? -1 : 1))
      .map((v) => ({
        id: v.id,
        asOf: v.inputs.asOf,
        createdAt: v.createdAt,
        model: v.inputs.model,
        runs: v.inputs.runs,
        calibrate: v.inputs.calibrate,
        reportsUsed: v.inputs.reportsUsed,
        stale: v.stale,
        headline: v.headline!,
      }));
    return { weaponId, total: items.length, items };
  }
}
