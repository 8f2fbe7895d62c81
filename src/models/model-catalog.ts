/**
 * The propagation models researchers can run, each with its parameters as a JSON Schema,
 * its assumptions and references (GET /v1/models). The mathematics is documented with the
 * engine (src/engine/README.md); this is the catalogue the API validates against.
 */
import type { JsonSchema } from './json-schema';

/** The propagation models the engine runs. */
export type ModelId = 'ic' | 'sir';

export interface ModelDescription {
  id: ModelId;
  name: string;
  description: string;
  /** Parameters of an assessment (`params` of POST /v1/assessments): adjustments to the weapon's priors. */
  parameters: JsonSchema;
  /** Parameters of a simulation (`params` of POST /v1/simulations). */
  simulationParameters: JsonSchema;
  outputs: string[];
  assumptions: string[];
  references: string[];
}

const range = (what: string, min: number, max?: number): JsonSchema => ({
  type: 'object',
  description: `${what} as a 90% range (5th and 95th percentiles)`,
  properties: { low: { type: 'number', minimum: min, ...(max !== undefined ? { maximum: max } : {}) }, high: { type: 'number', minimum: min, ...(max !== undefined ? { maximum: max } : {}) } },
  required: ['low', 'high'],
  additionalProperties: false,
});

const assessmentParams: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    transmissibilityScale: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 1, description: "multiplies every vector's transmissibility range (sensitivity analysis)" },
    reportingRate: range('share of infected entities that get reported by the assessment time (calibration prior)', 0, 1),
    containmentHours: range("hours an infected entity keeps spreading (overrides the weapon's)", 0),
  },
};

export const MODELS: ModelDescription[] = [
  {
    id: 'ic',
    name: 'Independent cascade',
    description:
      'Discrete independent cascade (bond percolation): each arc u->v of a kind the weapon uses opens once, independently, with probability T_kind * weight * susceptibility(v); the final infected set is what the seeds reach over open arcs. No time: the timeline and the early warning use the horizon only.',
    parameters: assessmentParams,
    simulationParameters: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['transmissibility'],
      properties: { transmissibility: { type: 'number', minimum: 0, maximum: 1, description: 'T: probability an arc of weight 1 transmits' } },
    },
    outputs: ['final size per run', 'per-entity infection probability'],
    assumptions: [
      'each infected entity gets one chance per arc, independent of every other arc',
      'susceptibility is 1 for an entity carrying every required tag of the weapon, else 0',
      'final size of an outbreak is the bond-percolation cluster of the seeds: S = 1 - exp(-c T S) on Erdos-Renyi graphs, threshold T_c = 1/c',
    ],
    references: [
      'Kempe, Kleinberg, Tardos (2003). Maximizing the spread of influence through a social network. KDD.',
      'Newman (2002). Spread of epidemic disease on networks. Phys. Rev. E 66, 016128.',
    ],
  },
  {
    id: 'sir',
    name: 'Event-driven SIR (first-passage percolation)',
    description:
      'Continuous-time event-driven SIR: seeds infected at their reported times; an infected entity transmits along each arc with probability T_kind * weight * susceptibility after a random delay, while it is not contained; a kill switch stops new infections; runs stop at the horizon. Gives infection times, hence the timeline and the early warning.',
    parameters: assessmentParams,
    simulationParameters: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['rate', 'recovery'],
      properties: {
        rate: { type: 'number', exclusiveMinimum: 0, description: 'per-arc transmission rate (per hour)' },
        recovery: { type: 'number', exclusiveMinimum: 0, description: 'per-node recovery (containment) rate (per hour); T = rate / (rate + recovery)' },
      },
    },
    outputs: ['infection times per run', 'final size per run', 'per-entity infection probability', 'timeline with band'],
    assumptions: [
      'transmission delays are lognormal per dependency kind (fitted to the weapon\'s 90% delay range); exponential in simulations',
      'an entity spreads from its infection until containment (lognormal containment time) or the kill switch, whichever is first',
      'with exponential delays and recovery, the model is Markovian SIR with T = rate / (rate + recovery)',
      'runs are weighted by how well they explain the reports (importance weighting over transmissibility and reporting rate: binomial likelihood of the number reported by asOf) unless calibrate=false',
      'calibrated runs condition on the reports: a transmission landing by asOf on an entity nobody reported counts with probability 1 - reporting rate (the unreported infections are the thinned process; exact while infections are a small share of the graph, so saturated outbreaks are under-estimated)',
      'impact: direct loss = hosts x cost per host + downtime x daily value (lognormal draws from 90% ranges); indirect loss by the inoperability input-output model q = min(1, c + A* q)',
    ],
    references: [
      'Kiss, Miller, Simon (2017). Mathematics of Epidemics on Networks. Springer. (event-driven algorithms)',
      'Haimes, Jiang (2001). Leontief-based model of risk in complex interconnected infrastructures. J. Infrastruct. Syst.',
      'Hubbard, Seiersen (2016). How to Measure Anything in Cybersecurity Risk. Wiley. (90% ranges as lognormals)',
    ],
  },
];
