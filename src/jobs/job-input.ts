import type { ModelId } from '../models/model-catalog';

/** What every job was asked to compute: exactly the request, with the defaults and the seed filled in. */
interface CommonInput {
  asOf: string;
  horizonHours: number;
  model: ModelId;
  runs: number;
  seed: number;
  confidenceLevel: number;
  calibrate: boolean;
}

/** An assessment of a weapon on the stored graph and its evidence up to `asOf`. */
export interface AssessmentJobInput extends CommonInput {
  kind: 'assessment';
  weaponId: string;
  /** Adjustments to the weapon's priors (the model's `parameters`). */
  params?: Record<string, unknown>;
}

/** A researcher's model run on a posted or the stored graph, from the seed entities. */
export interface SimulationJobInput extends CommonInput {
  kind: 'simulation';
  /** The model's `simulationParameters`. */
  params: Record<string, unknown>;
  graph: 'stored' | 'posted';
  seeds: string[];
  /** Keep the final size of every run in the result. */
  includeRuns: boolean;
  /** The time grid of the S, I, R series. */
  times?: number[];
  /** Return every infection of every run. */
  fullData: boolean;
}

export type JobInput = AssessmentJobInput | SimulationJobInput;
export type JobKind = JobInput['kind'];

/** The input as the API shows it: the request, without the kind its route already says. */
export type ShownInput = Omit<AssessmentJobInput, 'kind'> | Omit<SimulationJobInput, 'kind'>;

export function shownInput(input: JobInput): ShownInput {
  const { kind: _kind, ...shown } = input;
  return shown;
}
