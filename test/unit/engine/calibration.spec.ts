/**
 * Calibration recovers a known transmissibility: a synthetic outbreak with T = 0.3 is run on an
 * ER graph, a random 30% of the infections up to asOf are reported, and the calibrated posterior's
 * 90% range must contain 0.3 and be narrower than the prior's.
 */
import { DelayMode, finalizeAssessment, KIND_SLOTS, lognormalFromRange, mergePartials, pilotProposal, prepareScenario, Rng, runAssessment, runEvents, runShard, SpreadWorkspace, WindowMode } from '../../../src/engine';
import type { ReportRecord } from '../../../src/domain/records';
import { erScenario, weapon } from './helpers';

// the sampler's tempering stages add runs; generous for a shared machine
jest.setTimeout(900_000);

describe('calibration by importance weighting', () => {
  const n = 3000;
  const truth = 0.3;
  const asOfHours = 96;
  const { entities, dependencies } = erScenario(n, 6, 21);
  const origin = Date.parse('2017-06-27T08:00:00Z');
  const iso = (h: number) => new Date(origin + h * 3600_000).toISOString();

  function syntheticReports(seed: number): ReportRecord[] {
    // the truth, simulated with the engine's own kernel on the same graph
    const probe = prepareScenario({ entities, dependencies, weapon: weapon({ low: truth, high: truth }), reports: [{ weaponId: 'w', entityId: 'n0', observedAt: iso(0), status: 'confirmed', tlp: 'clear' }], asOf: iso(asOfHours) });
    const delay = lognormalFromRange({ low: 6, high: 48 });
    const kp = new Float64Array(KIND_SLOTS);
    kp[1 - 1] = truth; // kind 0 = network
    const mu = new Float64Array(KIND_SLOTS).fill(delay.mu);
    const sg = new Float64Array(KIND_SLOTS).fill(delay.sigma);
    const ws = new SpreadWorkspace(n);
    const rng = new Rng(seed, 0, 0);
    for (;;) {
      const count = runEvents(probe.core.graph, [0], [0], { kindProb: kp, delayMode: DelayMode.lognormal, delayMu: mu, delaySigma: sg, delayRate: new Float64Array(KIND_SLOTS), windowMode: WindowMode.none, windowRate: 0, windowMu: 0, windowSigma: 0, tEnd: asOfHours, susceptibility: null, stopAt: null }, rng, ws);
      if (count < 80) continue; // condition on an outbreak that took off
      const reports: ReportRecord[] = [{ weaponId: 'w', entityId: 'n0', observedAt: iso(0), status: 'confirmed', tlp: 'clear' }];
      for (let i = 1; i < count; i++) {
        const v = ws.order[i];
        if (rng.random() < 0.3) reports.push({ weaponId: 'w', entityId: `n${v}`, observedAt: iso(Math.min(asOfHours, ws.time[v] + 12 * rng.random())), status: 'confirmed', tlp: 'clear' });
      }
      return reports;
    }
  }

  it('the posterior 90% range of T contains the truth and is narrower than the prior', async () => {
    const reports = syntheticReports(3);
    expect(reports.length).toBeGreaterThan(20);
    const model = prepareScenario({ entities, dependencies, weapon: weapon({ low: 0.08, high: 0.7 }), reports, asOf: iso(asOfHours), horizonHours: 48 });
    const opts = { runs: 2000, seed: 17, threads: 2, reportingRate: { low: 0.15, high: 0.5 } };
    const cal = await runAssessment(model, opts);
    const post = cal.summary.calibration.parameters['transmissibility.network'];
    const prior = cal.summary.calibration.prior['transmissibility.network'];
    expect(post.low).toBeLessThanOrEqual(truth);
    expect(post.high).toBeGreaterThanOrEqual(truth);
    expect(post.high - post.low).toBeLessThan(0.6 * (prior.high - prior.low));
    expect(cal.summary.calibration.effectiveSampleSize).toBeGreaterThan(20);
    // forward mode: the ranges stay the prior's
    const fwd = await runAssessment(model, { ...opts, calibrate: false });
    // (forward runs are prior draws, so their prior range is the drawn runs'; the calibrated
    // result reports the exact prior, from which the draws differ by Monte Carlo error only)
    const fwdT = fwd.summary.calibration.parameters['transmissibility.network'];
    expect(fwdT).toEqual(fwd.summary.calibration.prior['transmissibility.network']);
    expect(fwdT.low).toBeCloseTo(prior.low, 2);
    expect(fwdT.high).toBeCloseTo(prior.high, 1);
    expect(fwd.summary.calibration.effectiveSampleSize).toBeCloseTo(2000, 6);
  });

  it('adaptive sampling (pilot proposal over the transmissibility and the reporting rate) raises the ESS, still covers the truth, and is thread- and shard-independent', async () => {
    const reports = syntheticReports(4);
    const mk = () => prepareScenario({ entities, dependencies, weapon: weapon({ low: 0.08, high: 0.7 }), reports, asOf: iso(asOfHours), horizonHours: 48 });
    const model = mk();
    const opts = { runs: 2000, seed: 17, threads: 2, reportingRate: { low: 0.15, high: 0.5 } };
    const plain = await runAssessment(model, { ...opts, sampler: 'prior' });
    const adaptive = await runAssessment(model, opts); // 'adaptive' is the default
    const essPlain = plain.summary.calibration.effectiveSampleSize;
    const essAdaptive = adaptive.summary.calibration.effectiveSampleSize;
    // (prior draws already keep about a sixth of the runs here, so the gain is under 2x)
    expect(essAdaptive).toBeGreaterThan(1.5 * essPlain);
    const post = adaptive.summary.calibration.parameters['transmissibility.network'];
    expect(post.low).toBeLessThanOrEqual(truth);
    expect(post.high).toBeGreaterThanOrEqual(truth);
    // unbiased: prior draws weighted by the same synthetic likelihood (a proposal that always
    // draws from the prior) estimate the same posterior, medians within Monte Carlo error
    const fitted = await pilotProposal(model, opts);
    const priorDraws = await runAssessment(model, { ...opts, proposal: { ...fitted!, defensive: 1 } });
    expect(priorDraws.summary.calibration.effectiveSampleSize).toBeLessThan(essAdaptive);
    expect(Math.abs(post.median - priorDraws.summary.calibration.parameters['transmissibility.network'].median)).toBeLessThan(0.03);
    // the prior is reported exactly: the 90% range given
    expect(adaptive.summary.calibration.prior['transmissibility.network'].low).toBeCloseTo(0.08, 9);
    expect(adaptive.summary.calibration.prior['transmissibility.network'].high).toBeCloseTo(0.7, 9);
    // the pilot depends on (model, settings, seed) only: same proposal in-process and on 2 threads
    const p0 = await pilotProposal(mk(), { ...opts, threads: 0 });
    const p2 = await pilotProposal(mk(), { ...opts, threads: 2 });
    expect(p0).not.toBeNull();
    expect(p2).toEqual(p0);
    // shards given the proposal merge into the whole
    const small = { ...opts, runs: 300, proposal: p0 };
    const whole = await runAssessment(model, { ...small, threads: 0 });
    const a = await runShard(model, [0, 120], { ...small, threads: 2 });
    const b = await runShard(model, [120, 300], { ...small, threads: 0 });
    const merged = finalizeAssessment(model, mergePartials([b.partial, a.partial]), small);
    expect(merged.runs.rows).toEqual(whole.runs.rows);
    expect(merged.summary.calibration.effectiveSampleSize).toBeCloseTo(whole.summary.calibration.effectiveSampleSize, 6);
  });
});
