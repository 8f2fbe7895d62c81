import { exceedanceAt, exceedanceCsv, exceedanceCurve, lossSample, oneIn } from '../../../src/decisions/exceedance';

/** Four runs: collateral losses 0, 10, 10, 40 with weights 0.1, 0.2, 0.3, 0.4. */
const RUNS = {
  columns: ['run', 'weight', 'collateral.lossTotal', 'total.lossTotal'],
  rows: [
    [0, 0.1, 0, 5],
    [1, 0.2, 10, 20],
    [2, 0.3, 10, 30],
    [3, 0.4, 40, 50],
    [4, 0, 1000, 1000],
  ],
};

describe('exceedance', () => {
  const s = lossSample(RUNS, 'collateral');

  it('is the run weight strictly above the threshold (ties and zero-weight runs excluded)', () => {
    expect([-1, 0, 5, 10, 39, 40, 1000].map((x) => +exceedanceAt(s, x).p.toFixed(10))).toEqual([1, 0.9, 0.9, 0.4, 0.4, 0, 0]);
    expect(s.runs).toBe(5);
    // Kish: 1 / (0.01 + 0.04 + 0.09 + 0.16)
    expect(s.nEff).toBeCloseTo(1 / 0.3, 10);
  });

  it('has a Monte Carlo band around each point and a curve that never rises', () => {
    const c = exceedanceCurve(s, 'collateral');
    expect(c.points.map((p) => p.thresholdUsd)).toEqual([0, 10, 40]);
    for (const p of c.points) expect(p.probability.low).toBeLessThanOrEqual(p.probability.p), expect(p.probability.high).toBeGreaterThanOrEqual(p.probability.p);
    for (let i = 1; i < c.points.length; i++) expect(c.points[i].probability.p).toBeLessThanOrEqual(c.points[i - 1].probability.p);
  });

  it('reads the total loss column for the total part, and refuses a table without losses', () => {
    expect(exceedanceAt(lossSample(RUNS, 'total'), 25).p).toBeCloseTo(0.7, 10);
    expect(() => lossSample({ columns: ['run', 'weight'], rows: [] }, 'collateral')).toThrow(/no per-run losses/);
  });

  it('says a probability as about 1 in N with the band, and bounds a threshold no run passed', () => {
    expect(oneIn({ p: 0.04, low: 0.02, high: 0.08 }, 'a loss above $5bn')).toEqual({
      n: 25, nLow: 13, nHigh: 50, wording: 'About 1 in 25 of the weighted runs had a loss above $5bn (between 1 in 13 and 1 in 50; 4%).',
    });
    expect(oneIn({ p: 0, low: 0, high: 0.001 }, 'a loss above $5bn').wording).toBe('No simulated run had a loss above $5bn: less likely than about 1 in 1000 (95% Monte Carlo bound).');
    expect(oneIn({ p: 0.6, low: 0.5, high: 0.7 }, 'a loss above $1m').wording).toBe('A loss above $1m is more likely than not: 60% (between 50% and 70%).');
  });

  it('writes CSV rows per part and threshold', () => {
    const csv = exceedanceCsv([exceedanceCurve(s, 'collateral')]);
    expect(csv.split('\n')[0]).toBe('part,thresholdUsd,probability,low,high');
    expect(csv.split('\n')[2]).toMatch(/^collateral,10,0\.4\d*,/);
  });
});
