/**
 * The shapes an assessment's results are stored and served in: the simulation core's
 * `AssessmentResult` (src/engine/result.ts), re-exported so the Nest layer names one place.
 */
export type {
  AssessmentResult as EngineOutput,
  AssessmentSummary as Summary,
  EntityStat,
  GroupStat,
  GroupPart,
  CountrySectorStat,
  TimelineBin,
  EarlyWarningWindow,
  RunTable,
} from '../engine/result';
export type { Probability, Range } from '../engine/stats';
