import { Injectable } from '@nestjs/common';
import { isJobOf, JobOf } from '../jobs/job.entity';
import { JobFilter, JobsService } from '../jobs/jobs.service';
import { AssessmentsService } from '../assessments/assessments.service';
import { ResultsService } from '../results/results.service';
import type { Principal } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { EntitiesService } from '../graph/entities.service';
import { estimateBundle, estimateNote, estimateNoteIdOf, EstimateInput } from '../stix/estimate';
import { stixTime } from '../stix/export';
import { WeaponsService } from '../weapons/weapons.service';
import { encodeNext, TaxiiFilters } from './filters';
import { STIX_MEDIA_TYPE } from './media-type';
import type { TaxiiPage } from './taxii.service';

/** At-risk identities named in one estimate, at most. */
export const AT_RISK_LIMIT = 50;

/**
 * Finished assessments as STIX 2.1 estimates: the bundle of one (GET /v1/assessments/:id/stix)
 * and the estimates collection (every finished assessment's note, in (finished, id) order).
 * Entity-level content goes through the reader's TLP in ResultsService, exactly as
 * GET /v1/assessments/:id/early-warning shows it to the reader.
 */
@Injectable()
export class EstimatesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly assessments: AssessmentsService,
    private readonly results: ResultsService,
    private readonly entities: EntitiesService,
    private readonly weapons: WeaponsService,
    private readonly jobs: JobsService,
  ) {}

  async bundle(assessmentId: string, reader: Principal): Promise<Record<string, unknown>> {
    return estimateBundle(await this.inputFor(await this.assessments.get(assessmentId), reader));
  }

  /** A page of the estimates collection: one note per finished assessment. */
  async page(reader: Principal, f: TaxiiFilters, manifest: boolean): Promise<TaxiiPage<Record<string, unknown>>> {
    const empty = { items: [], more: false, next: null, firstAdded: null, lastAdded: null };
    if ((f.types && !f.types.includes('note')) || (f.specVersions && !f.specVersions.includes('2.1'))) return empty;
    const rows = await this.db.read(async (m) => {
      const filter: JobFilter = { kind: 'assessment', statuses: ['done'], finished: true };
      if (f.ids) {
        // Note ids are UUIDv5 of assessment ids: find the assessments they name.
        const wanted = new Set(f.ids);
        const ids = (await this.jobs.idsWithin(m, { kind: 'assessment', statuses: ['done'] })).filter((id) => wanted.has(estimateNoteIdOf(id)));
        if (!ids.length) return [];
        filter.ids = ids;
      }
      if (!f.versions.some((v) => v === 'all' || v === 'last' || v === 'first')) {
        filter.finishedAt = f.versions.filter((v): v is Date => v instanceof Date);
      }
      if (f.addedAfter) filter.finishedAfter = f.addedAfter;
      const after = f.next ? { at: f.next.added, id: f.next.id } : undefined;
      return this.jobs.findWithin(m, filter, { order: { by: 'finishedAt', direction: 'ASC', after }, limit: f.limit + 1 });
    });
    const more = rows.length > f.limit;
    const page = rows.slice(0, f.limit).filter((a) => isJobOf(a, 'assessment'));
    if (!page.length) return empty;
    const items = manifest
      ? page.map((a) => ({ id: estimateNoteIdOf(a.id), date_added: stixTime(a.finishedAt!), version: stixTime(a.finishedAt!), media_type: STIX_MEDIA_TYPE }))
      : await Promise.all(page.map(async (a) => estimateNote(await this.inputFor(a, reader))));
    const last = page[page.length - 1];
    return { items, more, next: more ? encodeNext({ added: last.finishedAt!, id: last.id }) : null, firstAdded: page[0].finishedAt, lastAdded: last.finishedAt };
  }

  private async inputFor(row: JobOf<'assessment'>, reader: Principal): Promise<EstimateInput> {
    const [visible, { withinHours, items: ranked }] = await Promise.all([this.results.summary(row, reader), this.results.earlyWarning(row, reader, { limit: AT_RISK_LIMIT })]);
    const entities = new Map((await this.db.read((m) => this.entities.findManyWithin(m, ranked.map((r) => r.entityId)))).map((e) => [e.id, e]));
    return {
      assessmentId: row.id,
      asOf: row.input.asOf,
      horizonHours: row.input.horizonHours,
      finishedAt: row.finishedAt!,
      figures: { total: visible.total, intended: visible.intended, collateral: visible.collateral },
      weapon: await this.weapons.get(row.input.weaponId),
      atRisk: ranked.filter((r) => entities.has(r.entityId)).map((r) => ({ entity: entities.get(r.entityId)!, probability: r.probability, withinHours })),
    };
  }
}
