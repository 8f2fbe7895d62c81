/**
 * Worker-thread entry of a counterfactual: fits the assessment's sampler proposal again (the
 * pilot depends only on the model, settings and seed), re-runs the assessment's runs with the
 * variant, and checks each run's totals against the stored run table. Off the request thread,
 * so the API keeps answering (a counterfactual of 200 NotPetya runs takes a minute or more).
 * The model's typed arrays are shared with the main thread, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { settingsOf, type AssessmentOptions } from '../engine/options';
import { pilotProposal } from '../engine/pilot';
import { runCounterfactual, type Variant } from '../engine/counterfactual';
import type { ScenarioModel } from '../engine/model';
import { TOTALS_WIDTH } from '../engine/partial';

export interface CounterfactualTask {
  model: ScenarioModel;
  options: AssessmentOptions;
  runs: number[];
  weights: number[];
  variant: Variant;
  level: number;
  /** The stored run table's totals of these runs (runs x TOTALS_WIDTH). */
  stored: Float64Array;
}

export type CounterfactualMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: ReturnType<typeof runCounterfactual> }
  | { type: 'mismatch'; run: number }
  | { type: 'error'; message: string };

const post = (m: CounterfactualMessage) => parentPort!.postMessage(m);

/** Thrown out of the run loop when a recomputed run differs from the stored one. */
class Mismatch extends Error {
  constructor(readonly run: number) {
    super(`run ${run} differs`);
  }
}

parentPort!.once('message', (t: CounterfactualTask) => {
  void (async () => {
    try {
      const options = { ...t.options, threads: 0 };
      const proposal = await pilotProposal(t.model, options);
      const settings = { ...settingsOf(options), proposal };
      post({ type: 'progress', fraction: 0.1 });
      let last = Date.now();
      const result = runCounterfactual(t.model.core, settings, t.runs, t.weights, t.variant, t.level, (i, run, totals) => {
        for (let j = 0; j < TOTALS_WIDTH; j++) if (totals[j] !== t.stored[i * TOTALS_WIDTH + j]) throw new Mismatch(run);
        if (Date.now() - last > 250) {
          last = Date.now();
          post({ type: 'progress', fraction: 0.1 + (0.9 * (i + 1)) / t.runs.length });
        }
      });
      post({ type: 'done', result });
    } catch (err) {
      if (err instanceof Mismatch) post({ type: 'mismatch', run: err.run });
      else post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
