/** networkx `node_link_data` JSON (also EoN and NDlib users' exchange format): `nodes`, `links` or `edges`, `directed`. */
import { GraphInputError } from '../engine/graph';
import { checkWeight, type GraphFile } from './graph-file';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const id = (v: unknown): string | null => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : null);

/** From the parsed JSON value (the API posts it as an object) or its text. */
export function parseNodeLink(input: unknown, file: string): GraphFile {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (err) {
      throw new GraphInputError(file, 0, `not JSON (${(err as Error).message})`);
    }
  }
  if (!isObj(data)) throw new GraphInputError(file, 0, 'node-link data must be a JSON object {directed, nodes, links}');
  const links = data.links ?? data.edges;
  if (!Array.isArray(data.nodes) || !Array.isArray(links)) throw new GraphInputError(file, 0, 'node-link data needs arrays "nodes" and "links" (or "edges")');
  const nodes = data.nodes.map((n, i) => {
    const v = isObj(n) ? id(n.id) : null;
    if (v === null) throw new GraphInputError(file, 0, `nodes[${i}]: needs an "id" (string or number)`);
    return v;
  });
  const src: string[] = [];
  const dst: string[] = [];
  const weight: number[] = [];
  const kind: string[] = [];
  let attributed = false;
  links.forEach((l, i) => {
    const s = isObj(l) ? id(l.source) : null;
    const t = isObj(l) ? id(l.target) : null;
    if (s === null || t === null) throw new GraphInputError(file, 0, `links[${i}]: needs "source" and "target"`);
    src.push(s);
    dst.push(t);
    const link = l as Record<string, unknown>;
    weight.push(link.weight === undefined ? 1 : checkWeight(link.weight, file, `links[${i}]`));
    kind.push(link.kind === undefined ? 'network' : String(link.kind));
    if (link.weight !== undefined || link.kind !== undefined) attributed = true;
  });
  return { nodes, src, dst, weight: attributed ? weight : null, kind: attributed ? kind : null, directed: typeof data.directed === 'boolean' ? data.directed : null };
}
