/** GraphML (networkx `write_graphml`, Gephi, yEd): nodes, edges, `edgedefault`, edge keys `weight` and `kind`. */
import { XMLParser } from 'fast-xml-parser';
import { GraphInputError } from '../engine/graph';
import { checkWeight, type GraphFile } from './graph-file';

const list = (x: unknown): Array<Record<string, unknown>> => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as Array<Record<string, unknown>>;

export function parseGraphml(text: string, file: string): GraphFile {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, textNodeName: '#text' }).parse(text);
  const root = xml?.graphml;
  const graph = list(root?.graph)[0];
  if (!graph) throw new GraphInputError(file, 0, 'not GraphML: no <graphml><graph> element');
  // Edge data keys by the attribute name they carry.
  const keyName = new Map<string, string>();
  for (const k of list(root.key)) if (k.for === 'edge' || k.for === 'all') keyName.set(String(k.id), String(k['attr.name'] ?? k.id));
  const nodes = list(graph.node).map((n) => String(n.id));
  const edges = list(graph.edge);
  const src: string[] = [];
  const dst: string[] = [];
  const weight: number[] = [];
  const kind: string[] = [];
  let weighted = false;
  let kinded = false;
  edges.forEach((e, i) => {
    if (e.source === undefined || e.target === undefined) throw new GraphInputError(file, 0, `edge ${i + 1}: needs source and target`);
    src.push(String(e.source));
    dst.push(String(e.target));
    let w = 1;
    let k = 'network';
    for (const d of list(e.data)) {
      const name = keyName.get(String(d.key));
      const value = typeof d === 'object' ? d['#text'] : d;
      if (name === 'weight') {
        w = checkWeight(value, file, `edge ${i + 1}`);
        weighted = true;
      } else if (name === 'kind') {
        k = String(value);
        kinded = true;
      }
    }
    weight.push(w);
    kind.push(k);
  });
  const def = graph.edgedefault;
  return { nodes, src, dst, weight: weighted || kinded ? weight : null, kind: weighted || kinded ? kind : null, directed: def === undefined ? null : def === 'directed' };
}
