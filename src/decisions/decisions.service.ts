import { Injectable } from '@nestjs/common';
import { AssessmentsService } from '../assessments/assessments.service';
import { reportsUsedFor } from '../assessments/evidence-summary';
import { ResultsService } from '../results/results.service';
import type { Principal } from '../common/http/principal';
import { invalid } from '../common/errors/domain-error';
import { TLP_LEVELS, type Tlp } from '../domain/vocabulary';
import { WeaponsService } from '../weapons/weapons.service';
import { strictest, tlpLabel, type BriefingContent } from './briefing';
import { EXCEEDANCE_PARTS, exceedanceAt, exceedanceCurve, lossSample, oneIn, type ExceedanceCurve, type ExceedancePart, type OneIn } from './exceedance';
import type { Probability } from '../engine/stats';

export interface ExceedanceView extends ExceedanceCurve {
  threshold?: { thresholdUsd: number; probability: Probability; oneIn: OneIn };
}

const usd = (x: number) => (x >= 1e9 ? `$${+(x / 1e9).toPrecision(3)}bn` : x >= 1e6 ? `$${+(x / 1e6).toPrecision(3)}m` : `$${Math.round(x).toLocaleString('en-US')}`);

/** Figures for decisions, read from an assessment's stored parts (aggregates: the same for every reader). */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly results: ResultsService,
    private readonly weapons: WeaponsService,
  ) {}

  async exceedance(id: string, part: ExceedancePart | undefined, thresholdUsd: number | undefined): Promise<ExceedanceView[]> {
    const row = await this.assessments.get(id);
    const runs = await this.results.part(row, 'runs');
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

  /**
   * The briefing's content as `reader` may see it: aggregates for everyone, protected entities
   * without those resting only on reports hidden from the reader (the assessments' TLP rule).
   * Its marking is the most restrictive TLP of the reports the figures rest on, or the stricter
   * one the reader asks for.
   */
  async briefing(id: string, reader: Principal, asked: Tlp | undefined): Promise<BriefingContent> {
    const row = await this.assessments.getWithEvidence(id);
    // Whether each protected hit is reported: the rows the summary names, not all entities.
    const [visible, named, warnings, runs] = await Promise.all([
      this.results.summary(row, reader),
      this.results.namedRows(row),
      this.results.warnings(row, reader),
      this.results.part(row, 'runs'),
    ]);
    const floor = strictest((row.evidence.latestReports ?? []).map((r) => r.tlp));
    if (asked && TLP_LEVELS.indexOf(asked) < TLP_LEVELS.indexOf(floor)) {
      throw invalid(`the figures rest on ${tlpLabel(floor)} reports: the briefing cannot be marked less restrictive`, [
        { field: 'tlp', rule: 'atLeastEvidence', message: `choose ${TLP_LEVELS.slice(TLP_LEVELS.indexOf(floor)).join(', ')}` },
      ]);
    }
    const reported = new Set(named.filter((e) => e.reported).map((e) => e.entityId));
    const weapon = row.weaponId ? await this.weapons.get(row.weaponId) : null;
    return {
      assessmentId: row.id,
      weapon: { id: row.weaponId ?? '', name: weapon?.name ?? row.weaponId ?? 'unknown weapon', payload: weapon?.payload ?? 'unknown', characterised: weapon?.characterised ?? false },
      tlp: asked ?? floor,
      asOf: row.input.asOf,
      horizonHours: row.input.horizonHours,
      runs: row.input.runs,
      level: row.input.confidenceLevel,
      calibrated: row.input.calibrate,
      reportsUsed: reportsUsedFor(row.evidence.latestReports, row.evidence.reportsUsed, reader),
      summary: visible,
      protectedHits: visible.protectedHits
        .map((h) => ({ ...h, reported: reported.has(h.entityId) }))
        .sort((a, b) => Number(a.reported) - Number(b.reported) || b.probability - a.probability),
      exceedance: exceedanceCurve(lossSample(runs, 'collateral'), 'collateral'),
      warnings,
      generatedAt: new Date().toISOString(),
    };
  }
}
