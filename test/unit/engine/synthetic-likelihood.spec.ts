/**
 * The synthetic likelihood against cases with a known answer: the regression and residual
 * covariance of simulated summaries, and the posterior of a linear-normal model (conjugate, so
 * its mean and variance are exact).
 */
import { Rng } from '../../../src/engine';
import { fitPosterior, fitSyntheticLikelihood, syntheticLogLikelihood } from '../../../src/engine/synthetic-likelihood';

describe('synthetic likelihood', () => {
  // summaries y = a + B z + e, e ~ N(0, S) with correlated components; z in 2 dimensions
  const a = [1.5, -0.5];
  const Bm = [
    [0.8, -0.3],
    [0.2, 0.6],
  ];
  const Lchol = [
    [0.3, 0],
    [0.12, 0.2],
  ]; // S = L L^T
  function simulate(N: number, seed: number) {
    const rng = new Rng(seed, 0, 0);
    const z = new Float64Array(N * 2);
    const y = new Float64Array(N * 2);
    for (let i = 0; i < N; i++) {
      z[2 * i] = rng.normal();
      z[2 * i + 1] = 2 * rng.normal();
      const e0 = rng.normal();
      const e1 = rng.normal();
      for (let b = 0; b < 2; b++) y[2 * i + b] = a[b] + Bm[b][0] * z[2 * i] + Bm[b][1] * z[2 * i + 1] + Lchol[b][0] * e0 + Lchol[b][1] * e1;
    }
    return { z, y };
  }

  it('recovers the regression and the residual covariance of simulated summaries', () => {
    const { z, y } = simulate(4000, 1);
    const sl = fitSyntheticLikelihood(z, y, new Float64Array(4000).fill(1), { center: [0, 0], scale: [1, 1], squares: false, observed: [0, 0], counts: 0 });
    // coef per summary: intercept, slope on z0, slope on z1
    for (let b = 0; b < 2; b++) {
      expect(sl.coef[b * 3]).toBeCloseTo(a[b], 1);
      expect(sl.coef[b * 3 + 1]).toBeCloseTo(Bm[b][0], 1);
      expect(sl.coef[b * 3 + 2]).toBeCloseTo(Bm[b][1], 1);
    }
    const S00 = Lchol[0][0] ** 2;
    const S01 = Lchol[0][0] * Lchol[1][0];
    const S11 = Lchol[1][0] ** 2 + Lchol[1][1] ** 2;
    expect(sl.residual[0]).toBeCloseTo(S00, 2);
    expect(sl.residual[1]).toBeCloseTo(S01, 2);
    expect(sl.residual[3]).toBeCloseTo(S11, 2);
    // weights: runs with zero weight do not count (a far-off cloud with another slope is ignored)
    const far = simulate(500, 2);
    for (let i = 0; i < far.y.length; i++) far.y[i] += 50 * far.z[i - (i % 2)];
    const zAll = new Float64Array([...z, ...far.z]);
    const yAll = new Float64Array([...y, ...far.y]);
    const w = new Float64Array(4500).fill(1).fill(0, 4000);
    const weighted = fitSyntheticLikelihood(zAll, yAll, w, { center: [0, 0], scale: [1, 1], squares: false, observed: [0, 0], counts: 0 });
    expect(weighted.coef.map((c) => Number(c.toFixed(6)))).toEqual(sl.coef.map((c) => Number(c.toFixed(6))));
  });

  it('the posterior of a linear-normal synthetic likelihood is the conjugate one', () => {
    // one summary y = 2 + 1.5 z + N(0, 0.5^2), prior z ~ N(0.3, 0.8^2), observed y0 = 4
    const sl = { observed: [4], counts: 0, center: [0], scale: [1], squares: false, coef: [2, 1.5], residual: [0.25] };
    const prior = [{ mu: 0.3, sigma: 0.8 }];
    const precision = 1 / 0.64 + 1.5 ** 2 / 0.25;
    const mean = (0.3 / 0.64 + (1.5 * (4 - 2)) / 0.25) / precision;
    // the log-likelihood is the normal density of the observed summary
    expect(syntheticLogLikelihood(sl, [1])).toBeCloseTo(-0.5 * ((4 - 3.5) ** 2 / 0.25 + Math.log(0.25) + Math.log(2 * Math.PI)), 10);
    const fit = fitPosterior(sl, prior, { mean: [0.3], cov: [0.64] }, new Rng(3, 0, 0), 20_000);
    expect(fit.mean[0]).toBeCloseTo(mean, 2);
    expect(fit.cov[0]).toBeCloseTo(1 / precision, 2);
    // the last iteration draws near the posterior: most draws count
    expect(fit.ess).toBeGreaterThan(0.5 * 20_000);
  });

  it('count summaries add the Poisson noise of the observed count; others do not', () => {
    const base = { observed: [Math.log(100.5)], center: [0], scale: [1], squares: false, coef: [Math.log(100.5), 0], residual: [0.01] };
    const withCount = syntheticLogLikelihood({ ...base, counts: 1 }, [0]);
    const without = syntheticLogLikelihood({ ...base, counts: 0 }, [0]);
    // at d = 0 the density is -0.5 (log variance + log 2 pi): variance 0.01 + 1/100.5 vs 0.01
    expect(withCount).toBeCloseTo(-0.5 * (Math.log(0.01 + 1 / 100.5) + Math.log(2 * Math.PI)), 10);
    expect(without).toBeCloseTo(-0.5 * (Math.log(0.01) + Math.log(2 * Math.PI)), 10);
  });
});
