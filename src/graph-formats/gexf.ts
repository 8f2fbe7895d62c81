/** GEXF (Gephi, networkx `write_gexf`): nodes, edges with `weight`, the edge attribute titled `kind`, `defaultedgetype`. */
import { XMLParser } from 'fast-xml-parser';
import { GraphInputError } from '../engine/graph';
import { checkWeight, type GraphFile } from './graph-file';

const list = (x: unknown): Array<Record<string, unknown>> => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as Array<Record<string, unknown>>;

export function parseGexf(text: string, file: string): GraphFile {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false }).parse(text);
  const graph = list(xml?.gexf?.graph)[0];
  if (!graph) throw new GraphInputError(file, 0, 'not GEXF: no <gexf><graph> element');
  let kindId: string | null = null;
  for (const a of list(graph.attributes)) if (a.class === 'edge') for (const at of list(a.attribute)) if (at.title === 'kind') kindId = String(at.id);
  const nodes = list((graph.nodes as Record<string, unknown> | undefined)?.node).map((n) => String(n.id));
  const edges = list((graph.edges as Record<string, unknown> | undefined)?.edge);
  const src: string[] = [];
  const dst: string[] = [];
  const weight: number[] = [];
  const kind: string[] = [];
  let attributed = false;
  edges.forEach((e, i) => {
    if (e.source === undefined || e.target === undefined) throw new GraphInputError(file, 0, `edge ${i + 1}: needs source and target`);
    src.push(String(e.source));
    dst.push(String(e.target));
    let w = 1;
    if (e.weight !== undefined) {
      w = checkWeight(e.weight, file, `edge ${i + 1}`);
      attributed = true;
    }
    let k = 'network';
    const values = list((e.attvalues as Record<string, unknown> | undefined)?.attvalue);
    const kv = kindId === null ? undefined : values.find((v) => String(v.for) === kindId);
    if (kv) {
      k = String(kv.value);
      attributed = true;
    }
    weight.push(w);
    kind.push(k);
  });
  const def = graph.defaultedgetype;
  return { nodes, src, dst, weight: attributed ? weight : null, kind: attributed ? kind : null, directed: def === undefined ? null : def === 'directed' };
}
