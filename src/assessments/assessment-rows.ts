import type { SelectQueryBuilder } from 'typeorm';
import { isJobOf, Job, JobOf } from '../jobs/job.entity';
import { AssessmentEvidence } from './assessment-evidence.entity';

/** An assessment's job row. */
export type AssessmentJob = JobOf<'assessment'>;

/** An assessment's job row with its evidence row, read together. */
export type Assessment = AssessmentJob & { evidence: AssessmentEvidence };

/**
 * Job rows of `qb` (alias `alias`) with their evidence row on `evidence`: one join, so a page of
 * assessments is one query (a `KindJoin` of JobsService.findWithin, which limits with `limit`).
 */
export function joinEvidence(qb: SelectQueryBuilder<Job>, alias = 'a'): SelectQueryBuilder<Job> {
  return qb.leftJoinAndMapOne(`${alias}.evidence`, AssessmentEvidence, 'e', `e.jobId = ${alias}.id`);
}

/** A joined row as an assessment; one of another kind or without its evidence row is a broken row, not a request error. */
export function assessmentOf(row: Job): Assessment {
  if (!isJobOf(row, 'assessment')) throw new Error(`job ${row.id} is stored as ${row.kind} with an input of kind ${row.input.kind}`);
  if (!(row as Partial<Assessment>).evidence) throw new Error(`assessment ${row.id} has no row in assessment_evidence`);
  return row as Assessment;
}

/** The assessments among joined rows of any kind. */
export function assessmentsOf(rows: readonly Job[]): Assessment[] {
  return rows.filter((r) => isJobOf(r, 'assessment')).map(assessmentOf);
}
