/**
 * Graphs as researchers' tools write them (networkx, EoN, NDlib, Gephi): GraphML, GEXF,
 * node-link JSON (networkx `node_link_data`) and the scenario's dependencies.csv, read into one
 * plain shape. Plain TypeScript (no Nest): the CLI and POST /v1/simulations both use it.
 *
 * Node numbering is the edge list's, so the same graph gives the same runs from any format:
 * when every node id is a non-negative integer the id is the node's index; otherwise nodes are
 * numbered in order of first appearance in the edges, then nodes without edges in file order.
 */
import { GraphInputError } from '../engine/graph';

export const GRAPH_FORMATS = ['edgelist', 'graphml', 'gexf', 'node-link', 'dependencies-csv'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** A graph file's content: node ids, edges in file order, and what the file says of direction. */
export interface GraphFile {
  nodes: string[];
  src: string[];
  dst: string[];
  /** Per-edge weight in [0,1], or null when the file gives none (every weight 1). */
  weight: number[] | null;
  /** Per-edge dependency kind, or null when the file gives none (every kind `network`). */
  kind: string[] | null;
  /** From the file (GraphML edgedefault, GEXF defaultedgetype, node-link `directed`); null when it says nothing. */
  directed: boolean | null;
}

/** The format a path's extension names (edge list by default). */
export function formatOf(path: string): GraphFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.graphml') || p.endsWith('.xml')) return 'graphml';
  if (p.endsWith('.gexf')) return 'gexf';
  if (p.endsWith('.json')) return 'node-link';
  if (p.endsWith('.csv')) return 'dependencies-csv';
  return 'edgelist';
}

/** Checks the weights a format read: numbers in [0,1] (the project's dependency strengths). */
export function checkWeight(raw: unknown, file: string, where: string): number {
  const w = typeof raw === 'number' ? raw : Number(raw);
  if (raw === '' || raw === null || !Number.isFinite(w)) throw new GraphInputError(file, 0, `${where}: weight '${String(raw)}' is not a number`);
  if (w < 0 || w > 1) throw new GraphInputError(file, 0, `${where}: weight ${w} is outside [0,1] (weights are strengths)`);
  return w;
}

/** Node ids in index order (see the module comment) and the index of each id. */
export function numberNodes(g: GraphFile): { ids: string[]; index: Map<string, number>; n: number; integer: boolean } {
  const integer = g.nodes.every((id) => /^\d+$/.test(id)) && g.src.every((id) => /^\d+$/.test(id)) && g.dst.every((id) => /^\d+$/.test(id));
  const index = new Map<string, number>();
  const ids: string[] = [];
  const add = (id: string) => {
    if (!index.has(id)) {
      index.set(id, integer ? Number(id) : ids.length);
      ids.push(id);
    }
  };
  for (let i = 0; i < g.src.length; i++) {
    add(g.src[i]);
    add(g.dst[i]);
  }
  for (const id of g.nodes) add(id);
  const n = integer ? ids.reduce((m, id) => Math.max(m, Number(id) + 1), 0) : ids.length;
  return { ids, index, n, integer };
}
