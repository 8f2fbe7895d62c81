import { DelayMode, KIND_SLOTS, Rng, runEvents, SpreadWorkspace, WindowMode } from '../../../src/engine';
import { buildCsr } from '../../../src/engine/graph';

// runEvents opens each arc with its own chance p = kindProb x weight, whether it skips to the
// candidates (largest chance below 0.3: geometric gaps, then thinning) or draws once per arc.
// A star: the seed's arcs to `leaves` leaves, weights alternating between two values; a leaf is
// infected exactly when its arc opened. 5 binomial standard errors per weight class.
const leaves = 200;
const runs = 500;

function openShares(weights: [number, number], kindProb: number): number[] {
  const n = leaves + 1;
  const src = new Int32Array(leaves);
  const dst = Int32Array.from({ length: leaves }, (_, i) => i + 1);
  const weight = Float32Array.from({ length: leaves }, (_, i) => weights[i % 2]);
  const g = buildCsr({ n, src, dst, weight, kind: new Uint8Array(leaves) });
  const kp = new Float64Array(KIND_SLOTS);
  kp[0] = kindProb;
  const zero = new Float64Array(KIND_SLOTS);
  const cfg = { kindProb: kp, delayMode: DelayMode.fixed, delayMu: zero, delaySigma: zero, delayRate: zero, windowMode: WindowMode.none, windowRate: 0, windowMu: 0, windowSigma: 0, tEnd: 10, susceptibility: null, stopAt: null };
  const ws = new SpreadWorkspace(n);
  const infected = [0, 0];
  for (let r = 0; r < runs; r++) {
    runEvents(g, [0], [0], cfg, new Rng(5, r, 2), ws);
    for (let i = 0; i < ws.count; i++) if (ws.order[i] !== 0) infected[(ws.order[i] - 1) % 2]++;
  }
  return infected;
}

function expectShares(weights: [number, number], kindProb: number) {
  const infected = openShares(weights, kindProb);
  const trials = (leaves / 2) * runs;
  for (const c of [0, 1]) {
    const p = kindProb * Math.fround(weights[c]);
    expect(Math.abs(infected[c] - trials * p)).toBeLessThan(5 * Math.sqrt(trials * p * (1 - p)));
  }
}

describe('runEvents: the chance that an arc opens', () => {
  it('is kindProb x weight with one draw per arc (largest chance 0.9)', () => expectShares([0.9, 0.4], 1));
  it('is kindProb x weight with skips and thinning (largest chance 0.2)', () => expectShares([0.2, 0.05], 1));
  it('is kindProb on a uniform graph, one draw per arc (0.6) or by skips (0.1)', () => {
    expectShares([1, 1], 0.6);
    expectShares([1, 1], 0.1);
  });
});
