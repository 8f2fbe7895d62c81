import { Rng } from '../../../src/engine';
import { normalCdf, normalQuantile } from '../../../src/engine/distributions';
import { EXPONENTIAL_ZIGGURAT, NORMAL_ZIGGURAT } from '../../../src/engine/prng';

// The ziggurat draws (prng.ts) against their laws on several million draws. Every check allows
// 5 standard errors: with a fixed seed the outcome is fixed, and a correct generator fails one of
// them with probability about 1e-6, while the table or tail faults they are meant to catch move
// the figures by dozens of standard errors (mutation-checked, see the test names).
const N = 4_000_000;
const draws = (seed: number, draw: (rng: Rng) => number) => {
  const rng = new Rng(seed, 0, 0);
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) x[i] = draw(rng);
  return x;
};
const normals = draws(7, (r) => r.normal());
const exponentials = draws(8, (r) => r.exponential1());
// sorted copies: counts of a range by binary search (jest's sandbox makes per-draw callbacks slow)
const sortedNormals = normals.slice().sort();
const sortedExponentials = exponentials.slice().sort();

/** Number of values below t in a sorted array. */
function below(sorted: Float64Array, t: number) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
const above = (sorted: Float64Array, t: number) => sorted.length - below(sorted, t);

/** |observed - expected| of a count within 5 binomial standard errors. */
function expectCount(count: number, p: number) {
  expect(Math.abs(count - N * p)).toBeLessThan(5 * Math.sqrt(N * p * (1 - p)));
}

/**
 * Pearson's chi-square of the counts in bins against their probabilities. Under the law it has
 * mean bins - 1 and sd sqrt(2 (bins - 1)); the bound is that plus 5 sd.
 */
function expectChiSquare(counts: number[], p: number[]) {
  let chi2 = 0;
  for (let b = 0; b < counts.length; b++) chi2 += (counts[b] - N * p[b]) ** 2 / (N * p[b]);
  expect(chi2).toBeLessThan(counts.length - 1 + 5 * Math.sqrt(2 * (counts.length - 1)));
}

/** Chi-square over `bins` equal-probability bins, their edges from the quantile function. */
function expectEqualBins(sorted: Float64Array, quantile: (p: number) => number, bins: number) {
  const counts: number[] = [];
  let last = 0;
  for (let b = 1; b <= bins; b++) {
    const next = b === bins ? sorted.length : below(sorted, quantile(b / bins));
    counts.push(next - last);
    last = next;
  }
  expectChiSquare(counts, new Array<number>(bins).fill(1 / bins));
}

function moments(x: Float64Array) {
  let m1 = 0;
  for (let i = 0; i < x.length; i++) m1 += x[i];
  m1 /= x.length;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m1;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  return { mean: m1, variance: m2 / x.length, third: m3 / x.length, fourth: m4 / x.length };
}

/** Correlation of consecutive values of f(x). */
function lag1(x: Float64Array, f: (v: number) => number) {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  const m = moments(y);
  let c = 0;
  for (let i = 1; i < y.length; i++) c += (y[i] - m.mean) * (y[i - 1] - m.mean);
  return c / (y.length - 1) / m.variance;
}

describe('Rng: ziggurat normal', () => {
  it('is deterministic per (seed, run, sub-stream), and sub-streams differ', () => {
    const a = new Rng(11, 5, 2);
    const b = new Rng(11, 5, 2);
    const c = new Rng(11, 5, 3);
    const xa = Array.from({ length: 1000 }, () => a.normal());
    expect(Array.from({ length: 1000 }, () => b.normal())).toEqual(xa);
    expect(Array.from({ length: 1000 }, () => c.normal())).not.toEqual(xa);
  });

  it('has the moments of N(0, 1): mean 0, variance 1, third moment 0, fourth 3', () => {
    const m = moments(normals);
    // standard errors (delta method on the central moments): sqrt(1/N), sqrt(2/N), sqrt(6/N), sqrt(96/N)
    expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m.third)).toBeLessThan(5 * Math.sqrt(6 / N));
    expect(Math.abs(m.fourth - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
  });

  it('has the tails of N(0, 1): P(Z > 3), P(Z < -4), P(|Z| > r) (the tail layer)', () => {
    const z = sortedNormals;
    expectCount(above(z, 3), 1.3498980316300945e-3);
    expectCount(below(z, -3), 1.3498980316300945e-3);
    expectCount(above(z, 4), 3.167124183311992e-5);
    expectCount(below(z, -4), 3.167124183311992e-5);
    const r = NORMAL_ZIGGURAT.x[1];
    expectCount(above(z, r) + below(z, -r), 2 * 2.880542561983208e-4);
  });

  it('fills 1,024 equal-probability bins as N(0, 1) does (chi-square), down to the layers of the ziggurat', () => {
    expectEqualBins(sortedNormals, normalQuantile, 1024);
  });

  it('has layers of equal area v (the base with its tail) and a top layer that closes on the mode', () => {
    for (const [z, f, tail] of [
      [NORMAL_ZIGGURAT, (x: number) => Math.exp(-0.5 * x * x), (r: number) => Math.sqrt(2 * Math.PI) * (1 - normalCdf(r))],
      [EXPONENTIAL_ZIGGURAT, (x: number) => Math.exp(-x), (r: number) => Math.exp(-r)],
    ] as const) {
      const { x } = z;
      const n = x.length - 1;
      const r = x[1];
      const v = x[0] * f(r);
      // the base: the rectangle under f(r) up to r and the tail beyond (normalCdf: 1.2e-7 relative)
      expect(Math.abs(r * f(r) + tail(r) - v) / v).toBeLessThan(1e-6);
      for (let i = 1; i < n; i++) expect(Math.abs(x[i] * (f(x[i + 1]) - f(x[i])) - v) / v).toBeLessThan(1e-12);
      expect(x[n]).toBe(0);
      expect(z.f[n]).toBe(1);
      for (let i = 0; i < n; i++) expect(z.ratio[i]).toBe(x[i + 1] / x[i]);
    }
  });

  it('gives each layer of the ziggurat its probability (chi-square on the layer edges)', () => {
    // bins of |z|: the tail [r, inf) (r = x[1]) and [x[i+1], x[i]) for i = 1..127 (x[128] = 0)
    const { x } = NORMAL_ZIGGURAT;
    const z = sortedNormals;
    const counts: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < x.length - 1; i++) {
      const hi = i === 0 ? Infinity : x[i];
      const lo = x[i === 0 ? 1 : i + 1];
      counts.push(below(z, hi) - below(z, lo) + below(z, -lo) - below(z, -hi));
      p.push(2 * (normalCdf(hi) - normalCdf(lo)));
    }
    expectChiSquare(counts, p);
  });

  it('draws consecutive values independently (lag-1 correlation of Z, Z^2 and |Z| beyond r)', () => {
    const r = NORMAL_ZIGGURAT.x[1];
    for (const f of [(z: number) => z, (z: number) => z * z, (z: number) => (Math.abs(z) > r ? 1 : 0)]) {
      expect(Math.abs(lag1(normals, f))).toBeLessThan(5 / Math.sqrt(N));
    }
  });
});

describe('Rng: ziggurat exponential', () => {
  it('has the moments of Exp(1): mean 1, variance 1, third central moment 2', () => {
    const m = moments(exponentials);
    // standard errors: sqrt(1/N), sqrt((mu4 - 1) / N) = sqrt(8/N), sqrt((mu6 - mu3^2 - 6 mu4 + 9) / N) = sqrt(216/N)
    expect(Math.abs(m.mean - 1)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(8 / N));
    expect(Math.abs(m.third - 2)).toBeLessThan(5 * Math.sqrt(216 / N));
  });

  it('has the tail of Exp(1) beyond the base layer (r = 7.697) and at 10', () => {
    expectCount(above(sortedExponentials, 7.697117470131049714), 4.541343538414968e-4);
    expectCount(above(sortedExponentials, 10), 4.539992976248485e-5);
  });

  it('fills 1,024 equal-probability bins as Exp(1) does (chi-square)', () => {
    expectEqualBins(sortedExponentials, (p) => -Math.log1p(-p), 1024);
  });

  it('draws consecutive values independently (lag-1 correlation)', () => {
    expect(Math.abs(lag1(exponentials, (e) => e))).toBeLessThan(5 / Math.sqrt(N));
  });

  it('scales by the rate: exponential(rate) = exponential1() / rate on the same stream', () => {
    const a = new Rng(3, 1, 1);
    const b = new Rng(3, 1, 1);
    for (let i = 0; i < 100; i++) expect(a.exponential(4)).toBe(b.exponential1() / 4);
  });

  it('floor(E / -ln(1 - p)) is geometric: P(gap >= k) = (1 - p)^k (the spread kernels\' skips)', () => {
    const p = 0.3;
    const rate = -Math.log(1 - p);
    const gaps = new Float64Array(N);
    for (let i = 0; i < N; i++) gaps[i] = Math.floor(sortedExponentials[i] / rate);
    for (const k of [1, 2, 5, 10]) expectCount(above(gaps, k), (1 - p) ** k);
  });
});
