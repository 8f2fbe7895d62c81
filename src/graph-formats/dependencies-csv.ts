/** The scenario folder's dependencies.csv (sourceId,targetId,kind,weight,bidirectional): directed, a bidirectional row is both arcs. */
import { parse } from 'csv-parse/sync';
import { GraphInputError } from '../engine/graph';
import { checkWeight, type GraphFile } from './graph-file';

export function parseDependenciesCsv(text: string, file: string): GraphFile {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true });
  } catch (err) {
    throw new GraphInputError(file, 0, `not CSV (${(err as Error).message})`);
  }
  const src: string[] = [];
  const dst: string[] = [];
  const weight: number[] = [];
  const kind: string[] = [];
  rows.forEach((r, i) => {
    const line = i + 2;
    if (!r.sourceId || !r.targetId) throw new GraphInputError(file, line, 'needs sourceId and targetId');
    const w = r.weight === undefined || r.weight === '' ? 1 : checkWeight(r.weight, file, `line ${line}`);
    const k = r.kind || 'network';
    const both = /^(true|1|yes)$/i.test(r.bidirectional ?? '');
    for (const [s, t] of both ? [[r.sourceId, r.targetId], [r.targetId, r.sourceId]] : [[r.sourceId, r.targetId]]) {
      src.push(s);
      dst.push(t);
      weight.push(w);
      kind.push(k);
    }
  });
  return { nodes: [], src, dst, weight, kind, directed: true };
}
