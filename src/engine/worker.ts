/**
 * Worker-thread entry: receives an init message (the model, whose typed arrays sit on
 * SharedArrayBuffers and are therefore shared, not copied) and then tasks (run ranges).
 */
import { parentPort } from 'node:worker_threads';
import type { Graph } from './graph';
import type { ScenarioCore } from './model';
import { RunEngine } from './runner';
import type { RunSettings } from './settings';
import { emptyPartial, trimPartial } from './partial';
import { simulateRange, type SimulateSpec } from './simulate';

type Init = { kind: 'simulate'; graph: Graph; spec: SimulateSpec } | { kind: 'assess'; core: ScenarioCore; settings: RunSettings };

let init: Init | null = null;
let control: Int32Array | null = null;
let engine: RunEngine | null = null;

parentPort!.on('message', (m: { type: string; init?: Init; control?: Int32Array; id?: number; task?: { start: number; end: number; at?: Float64Array } }) => {
  try {
    if (m.type === 'init') {
      init = m.init!;
      control = m.control!;
      if (init.kind === 'assess') engine = new RunEngine(init.core, init.settings);
      return;
    }
    if (m.type !== 'task' || !init) return;
    const { start, end } = m.task!;
    if (init.kind === 'simulate') {
      const r = simulateRange(init.graph, init.spec, start, end, control!);
      parentPort!.postMessage({ type: 'result', id: m.id, result: r }, [r.finals.buffer as ArrayBuffer]);
      return;
    }
    const eng = engine!;
    const at = m.task!.at;
    if (at !== undefined) {
      // pilot runs of the sampler at the given parameters
      const D = eng.adaptDims.prior.length;
      const W = eng.pilotWidth;
      const out = new Float64Array((end - start) * W);
      for (let r = start; r < end; r++) {
        if (Atomics.load(control!, 0) !== 0) {
          parentPort!.postMessage({ type: 'cancelled', id: m.id });
          return;
        }
        eng.pilotRun(r, at.subarray((r - start) * D, (r - start + 1) * D), out, (r - start) * W);
        Atomics.add(control!, 1, 1);
      }
      parentPort!.postMessage({ type: 'result', id: m.id, result: { out, arcs: eng.arcsExamined } }, [out.buffer]);
      eng.arcsExamined = 0;
      return;
    }
    const p = emptyPartial(init.core, init.settings, end - start, eng.paramCount);
    for (let r = start; r < end; r++) {
      if (Atomics.load(control!, 0) !== 0) {
        parentPort!.postMessage({ type: 'cancelled', id: m.id });
        return;
      }
      eng.run(r, p);
      Atomics.add(control!, 1, 1);
    }
    const t = trimPartial(p);
    const result = { partial: t, arcs: eng.arcsExamined };
    eng.arcsExamined = 0;
    const transfer = [t.infected, t.disrupted, t.loss, t.early, t.carry, t.runIndex, t.logLik, t.logPriorRatio ?? null, t.params, t.totals, t.timeline, t.groupRun, t.groupId, t.groupValues]
      .filter((a): a is NonNullable<typeof a> => a !== null)
      .map((a) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ type: 'result', id: m.id, result }, [...new Set(transfer)]);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage({ type: msg === 'cancelled' ? 'cancelled' : 'error', id: m.id, message: msg });
  }
});
