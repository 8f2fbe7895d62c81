/**
 * Examples of the decision routes' responses, taken from the demo assessment (NotPetya, seed
 * 2017) and shortened: two points per exceedance curve, one element per list.
 */
import { DEMO } from '../../common/http/api-example';

/** Every run loses at least nothing: the first point of both curves. */
const AT_ZERO = { thresholdUsd: 0, probability: { p: 1, low: 0.9970830713044305, high: 1 } };

/** GET /v1/assessments/{id}/exceedance. */
export const EXCEEDANCE = {
  assessmentId: DEMO.assessmentId,
  curves: [
    {
      part: 'collateral',
      runs: 2000,
      effectiveSampleSize: 1313.1118258807421,
      points: [
        AT_ZERO,
        {
          thresholdUsd: 443951996.5405189,
          probability: {
            p: 0.9992701705785818,
            low: 0.9957527141027042,
            high: 0.9998749560796544
          }
        }
      ]
    },
    {
      part: 'total',
      runs: 2000,
      effectiveSampleSize: 1313.1118258807433,
      points: [
        AT_ZERO,
        {
          thresholdUsd: 974649249.2412362,
          probability: {
            p: 0.9992701705785793,
            low: 0.9957527141026997,
            high: 0.9998749560796535
          }
        }
      ]
    }
  ]
};

/** GET /v1/assessments/{id}/exceedance.csv. */
export const EXCEEDANCE_CSV = "part,thresholdUsd,probability,low,high\ncollateral,0,1,0.9970830713044305,1\ncollateral,443951996.5405189,0.9992701705785818,0.9957527141027042,0.9998749560796544\ntotal,0,1,0.9970830713044305,1\ntotal,974649249.2412362,0.9992701705785793,0.9957527141026997,0.9998749560796535\n";

/** GET /v1/assessments/{id}/counterfactual while the job runs (202). */
export const COUNTERFACTUAL_RUNNING = { assessmentId: DEMO.assessmentId, status: 'running', progress: 0.9091 };

/** The demo assessment's headline figures: the baseline, and (the identity variant) the counterfactual too. */
const HEADLINE = {
  infected: {
    mean: 2827.189386023744,
    median: 3147,
    low: 313,
    high: 4037,
    level: 0.9
  },
  collateralInfected: {
    mean: 226.84912066961184,
    median: 210,
    low: 72,
    high: 443,
    level: 0.9
  },
  protectedHits: {
    mean: 34.264353178685525,
    median: 32,
    low: 7,
    high: 71,
    level: 0.9
  },
  collateralLossUsd: {
    mean: 1858735732.8865674,
    median: 1910844427.8750987,
    low: 1029845034.2921205,
    high: 2494700056.2257004,
    level: 0.9
  },
  totalLossUsd: {
    mean: 3033507429.2566967,
    median: 3095700965.408676,
    low: 1984100178.95478,
    high: 3931147583.0989723,
    level: 0.9
  }
};

/** GET /v1/assessments/{id}/counterfactual once done (here the identity variant: nothing avoided). */
export const COUNTERFACTUAL = {
  assessmentId: DEMO.assessmentId,
  variant: {},
  runs: 1000,
  level: 0.9,
  avoided: {
    infected: {
      mean: 0,
      median: 0,
      low: 0,
      high: 0,
      level: 0.9
    },
    collateralInfected: {
      mean: 0,
      median: 0,
      low: 0,
      high: 0,
      level: 0.9
    },
    protectedHits: {
      mean: 0,
      median: 0,
      low: 0,
      high: 0,
      level: 0.9
    },
    collateralLossUsd: {
      mean: 0,
      median: 0,
      low: 0,
      high: 0,
      level: 0.9
    },
    totalLossUsd: {
      mean: 0,
      median: 0,
      low: 0,
      high: 0,
      level: 0.9
    }
  },
  baseline: HEADLINE,
  counterfactual: HEADLINE,
  computeSeconds: 6.2,
  method: "each of the assessment's runs recomputed by the assessment's engine on the scenario it ran on (checked run by run against the stored runs: the baseline is the headline), then the variant removes from that run's chain of infections what it forbids and everything infected through it; avoided = paired per-run difference. A removed entity's victims are not re-reached by another route (avoided damage is an upper bound there); disruption of uninfected entities is kept as assessed"
};

/** GET /v1/weapons/{weaponId}/assessment-series. */
export const ASSESSMENT_SERIES = {
  weaponId: 'notpetya',
  total: 1,
  items: [
    {
      id: DEMO.assessmentId,
      asOf: '2017-06-28T12:00:00.000Z',
      createdAt: '2026-12-05T13:27:46.000Z',
      model: 'sir',
      runs: 2000,
      calibrate: true,
      reportsUsed: 118,
      stale: false,
      headline: {
        level: 0.9,
        entitiesInfected: {
          mean: 2826.409253662251,
          median: 3155,
          low: 321,
          high: 4054,
          level: 0.9
        },
        lossUsd: {
          total: {
            mean: 3039205399.774377,
            median: 3096325348.7604136,
            low: 1987015348.16914,
            high: 3948738250.2980857,
            level: 0.9
          }
        },
        collateral: {
          entitiesInfected: {
            mean: 228.74915897307912,
            median: 215,
            low: 71,
            high: 440,
            level: 0.9
          },
          lossUsd: {
            total: {
              mean: 1869900706.071792,
              median: 1905206949.3022327,
              low: 1054424200.2091757,
              high: 2504272365.567265,
              level: 0.9
            }
          }
        },
        effectiveSampleSize: 1313.1118258807423
      }
    }
  ]
};
