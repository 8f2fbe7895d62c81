import { logitNormalFromRange, lognormalFromRange, lognormalMean, Rng, sampleLognormal, sampleLogitNormal, WeightedSample, wilson } from '../../../src/engine';
import { weightedRange } from '../../../src/engine/stats';

describe('90%-range distributions', () => {
  const N = 10_000;
  // methods.md: with n = 10,000 a 95% interval for the 95th percentile lies between order
  // statistics 9,457 and 9,543 (and symmetrically 458..543 for the 5th)
  const within = (sorted: Float64Array, value: number, lo: number, hi: number) => {
    expect(sorted[lo - 1]).toBeLessThanOrEqual(value);
    expect(sorted[hi - 1]).toBeGreaterThanOrEqual(value);
  };

  it('lognormal reproduces its 5th and 95th percentiles within Monte Carlo error', () => {
    const range = { low: 1e5, high: 1e6 };
    const p = lognormalFromRange(range);
    expect(p.mu).toBeCloseTo((Math.log(1e5) + Math.log(1e6)) / 2, 12);
    expect(p.sigma).toBeCloseTo((Math.log(1e6) - Math.log(1e5)) / (2 * 1.6449), 4);
    const rng = new Rng(42, 0, 0);
    const x = Float64Array.from({ length: N }, () => sampleLognormal(p, rng)).sort();
    within(x, range.low, 458, 543);
    within(x, range.high, 9457, 9543);
  });

  it('logit-normal reproduces its 5th and 95th percentiles within Monte Carlo error', () => {
    const range = { low: 0.05, high: 0.4 };
    const p = logitNormalFromRange(range);
    const rng = new Rng(43, 0, 0);
    const x = Float64Array.from({ length: N }, () => sampleLogitNormal(p, rng)).sort();
    within(x, range.low, 458, 543);
    within(x, range.high, 9457, 9543);
  });

  it('riskquant known answer: SimpleLoss(p=0.10, 1e5, 1e6).annualized_loss() = 40,400.128', () => {
    expect(0.1 * lognormalMean(lognormalFromRange({ low: 1e5, high: 1e6 }))).toBeCloseTo(40400.128, 2);
  });

  it('rejects impossible ranges', () => {
    expect(() => lognormalFromRange({ low: 0, high: 1 })).toThrow(/0 < low <= high/);
    expect(() => logitNormalFromRange({ low: 0.5, high: 1.5 })).toThrow(/probability/);
  });

  it('weighted quantiles and Wilson intervals', () => {
    const s = new WeightedSample([1, 2, 3, 4], [1, 1, 1, 1]);
    expect(s.quantile(0.5)).toBe(2);
    expect(s.mean).toBe(2.5);
    const t = new WeightedSample([1, 2, 3, 4], [0, 0, 0, 5]);
    expect(t.quantile(0.05)).toBe(4);
    const w = wilson(0.5, 100);
    expect(w.low).toBeCloseTo(0.404, 2);
    expect(w.high).toBeCloseTo(0.596, 2);
  });

  it('the standard error of the weighted mean counts every run, the left-out zero-valued ones too', () => {
    // runs (value, weight): (2, 2), (0, 1), (0, 1): mean = 4/4 = 1,
    // se = sqrt(2^2 (2 - 1)^2 + 1^2 (0 - 1)^2 + 1^2 (0 - 1)^2) / 4 = sqrt(6) / 4
    const se = Math.sqrt(6) / 4;
    const listed = new WeightedSample([2, 0, 0], [2, 1, 1]);
    expect(listed.mean).toBe(1);
    expect(listed.meanSe).toBeCloseTo(se, 15);
    // the two zero-valued runs left out of the column, given by their weights' sum and squares' sum
    const leftOut = new WeightedSample([2], [2], { zeroWeight: 2, zeroWeightSquared: 2 });
    expect(leftOut.mean).toBe(1);
    expect(leftOut.meanSe).toBeCloseTo(se, 15);
    expect(leftOut.range(0.5)).toEqual(listed.range(0.5));
  });

  it('a range starts at the floor and ends at the level quantile when the floor carries the lower tail', () => {
    // 100 runs: 20 with no unreported infection, then 1..80
    const values = Float64Array.from({ length: 100 }, (_, i) => Math.max(0, i - 19));
    const ones = new Float64Array(100).fill(1);
    const floored = new WeightedSample(values, ones).range(0.9);
    // [0, q(0.95)] would hold 95 of the 100 runs; [0, q(0.90)] holds 90
    expect([floored.low, floored.high]).toEqual([0, 70]);
    expect(weightedRange(values, ones, 100, 0.9)).toEqual(floored);
    // no floor mass beyond the tail: the central interval, as before
    const spread = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    const central = new WeightedSample(spread, ones).range(0.9);
    expect([central.low, central.high]).toEqual([5, 95]);
    expect(weightedRange(spread, ones, 100, 0.9)).toEqual(central);
    const share = (r: { low: number; high: number }, v: Float64Array) => v.filter((x) => x >= r.low && x <= r.high).length / v.length;
    expect(share(floored, values)).toBe(0.9);
    expect(share(central, spread)).toBe(0.91);
  });

  it('streams depend only on (seed, run, substream)', () => {
    const a = new Rng(7, 12345, 2);
    const b = new Rng(7, 12345, 2);
    const c = new Rng(7, 12346, 2);
    const xa = [a.nextU32(), a.nextU32()];
    expect([b.nextU32(), b.nextU32()]).toEqual(xa);
    expect([c.nextU32(), c.nextU32()]).not.toEqual(xa);
  });
});
