/**
 * Reads a graph in any of the researchers' formats and turns it into what the CLI (the engine's
 * EdgeListGraph) and POST /v1/simulations (edges [u, v, weight, kind]) take.
 */
import { readFileSync } from 'node:fs';
import { buildCsr, GraphInputError, kindIndex, readEdgeList, type EdgeListGraph } from '../engine/graph';
import { DEPENDENCY_KINDS } from '../domain/vocabulary';
import { parseDependenciesCsv } from './dependencies-csv';
import { parseGexf } from './gexf';
import { formatOf, numberNodes, type GraphFile, type GraphFormat } from './graph-file';
import { parseGraphml } from './graphml';
import { parseNodeLink } from './node-link';

export { formatOf, GRAPH_FORMATS, numberNodes } from './graph-file';
export type { GraphFile, GraphFormat } from './graph-file';

/** Parses a file's content (node-link may come as a parsed JSON value) in a format other than the edge list. */
export function parseGraphFile(content: unknown, format: Exclude<GraphFormat, 'edgelist'>, file: string): GraphFile {
  if (format === 'node-link') return parseNodeLink(content, file);
  if (typeof content !== 'string') throw new GraphInputError(file, 0, `${format} content must be text`);
  if (format === 'graphml') return parseGraphml(content, file);
  if (format === 'gexf') return parseGexf(content, file);
  return parseDependenciesCsv(content, file);
}

/**
 * Reads a graph file for the CLI. The edge list keeps its own reader; other formats are numbered
 * as the edge list numbers nodes (graph-file.ts), so the same graph gives the same runs. A format
 * that states its direction overrides `directed`.
 */
export function readGraphFile(path: string, opts: { format?: GraphFormat; directed?: boolean } = {}): EdgeListGraph & { directed: boolean } {
  const format = opts.format ?? formatOf(path);
  if (format === 'edgelist') return { ...readEdgeList(path, { directed: opts.directed }), directed: opts.directed === true };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GraphInputError(path, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const g = parseGraphFile(text, format, path);
  const directed = g.directed ?? opts.directed === true;
  const { ids, index, n, integer } = numberNodes(g);
  const m = g.src.length;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  const weight = g.weight ? new Float32Array(m) : undefined;
  const kind = g.kind ? new Uint8Array(m) : undefined;
  for (let i = 0; i < m; i++) {
    src[i] = index.get(g.src[i])!;
    dst[i] = index.get(g.dst[i])!;
    if (src[i] === dst[i]) throw new GraphInputError(path, 0, `edge ${i + 1}: self-loop on '${g.src[i]}'`);
    if (weight) weight[i] = g.weight![i];
    if (kind) {
      const k = kindIndex(g.kind![i]);
      if (k < 0) throw new GraphInputError(path, 0, `edge ${i + 1}: unknown kind '${g.kind![i]}' (one of ${DEPENDENCY_KINDS.join(', ')})`);
      kind[i] = k;
    }
  }
  const graph = buildCsr({ n, src, dst, weight, kind, undirected: !directed });
  const labels = integer ? null : ids;
  return {
    graph,
    file: path,
    edges: m,
    labels,
    directed,
    lookup: (id: string) => index.get(id) ?? -1,
  };
}

/** A graph file as the API's posted graph: nodes in index order (so numbering matches posted edges), edges [u, v, weight, kind]. */
export function toPostedShape(g: GraphFile): { nodes: string[]; edges: Array<[string, string, number, string]>; directed: boolean | null } {
  const { ids } = numberNodes(g);
  const edges = g.src.map((s, i): [string, string, number, string] => [s, g.dst[i], g.weight ? g.weight[i] : 1, g.kind ? g.kind[i] : 'network']);
  return { nodes: ids, edges, directed: g.directed };
}
