/**
 * The run's warnings as a reader sees them: the predictive check's quote the count of reported
 * entities of all evidence, so a reader whose views hide entities does not get them.
 */
import { PREDICTIVE_CHECK_WARNING } from '../../../src/engine/predictive-check';
import { warningsFor } from '../../../src/results/views';

describe('warningsFor', () => {
  const check = `${PREDICTIVE_CHECK_WARNING}: the calibrated model predicts 288-710 reported entities by asOf, 901 were reported (p = 0.000): ranges may not hold`;
  const ess = 'low effective sample size: 40.0 of 1000 runs (below 10%): ranges rest on few runs; run more or widen the priors';

  it('keeps every warning for a reader who sees all the evidence', () => {
    expect(warningsFor([check, ess], new Map())).toEqual([check, ess]);
  });

  it("drops the predictive check's warnings, and only those, when the reader's view hides entities", () => {
    const out = warningsFor([check, ess], new Map([['de-ene-3', {}]]));
    expect(out).toEqual([ess]);
    expect(out.join(' ')).not.toContain('901');
  });
});
