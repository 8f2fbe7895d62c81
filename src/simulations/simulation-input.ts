/**
 * The body of POST /v1/simulations, checked by hand (a posted graph has up to 200,000 edges:
 * class-validator over nested arrays would be slow and would not name `edges[i][j]`).
 * Every problem becomes one error detail naming its field; at most MAX_DETAILS are listed.
 */
import { DomainError, ErrorDetail, invalid } from '../common/errors/domain-error';
import { DEPENDENCY_KINDS } from '../domain/vocabulary';
import { GraphInputError, kindIndex, labelledGraph, type EntityGraph } from '../engine/graph';
import { GRAPH_FORMATS, parseGraphFile, toPostedShape, type GraphFormat } from '../graph-formats';

export const MAX_EDGES = 200_000;
export const MAX_NODES = 1_000_000;
export const MAX_SEEDS = 1_000;
export const MAX_SIM_RUNS = 100_000;
/** Points of a time grid (`times`). */
export const MAX_TIMES = 1_000;
/** Runs whose every infection is returned (`fullData`). */
export const MAX_FULL_DATA_RUNS = 1_000;
/** Synchronous answer (200) when edges x runs is at most this; otherwise a job (202). */
export const SYNC_BUDGET = 5_000_000;
/** Below this many edge-runs a synchronous simulation runs in the request's thread (no worker start-up). */
export const IN_THREAD_BUDGET = 250_000;
const MAX_DETAILS = 50;
const ID_RE = /^[^\s]{1,200}$/;

export interface SimulationRequest {
  model: string;
  params: Record<string, unknown>;
  graph: 'stored' | 'posted';
  /** Posted graph only. */
  posted?: PostedGraph;
  /** Node ids (entity ids for the stored graph). */
  seeds: string[];
  runs: number;
  seed?: number;
  confidenceLevel: number;
  mode: 'auto' | 'job';
  includeRuns: boolean;
  /** S, I, R counts of every run at these times. */
  times?: number[];
  /** Every run's infected nodes with their infection and recovery times. */
  fullData: boolean;
}

/** A checked posted graph, as a simulation job keeps it until it has run. */
export interface StoredGraph {
  nodes: string[] | null;
  edges: Array<[string, string, number, string]>;
  directed: boolean;
}

export interface PostedGraph extends StoredGraph {
  /** Dotted prefix of the graph's fields in error details ('' or 'graph.'). */
  prefix: string;
}

const TOP_FIELDS = new Set(['model', 'params', 'graph', 'nodes', 'edges', 'directed', 'seeds', 'runs', 'seed', 'confidenceLevel', 'mode', 'includeRuns', 'times', 'fullData']);
const GRAPH_FIELDS = new Set(['nodes', 'edges', 'directed', 'format', 'data']);

class Details {
  readonly list: ErrorDetail[] = [];
  count = 0;
  add(field: string, rule: string, message: string): void {
    this.count++;
    if (this.list.length < MAX_DETAILS) this.list.push({ field, rule, message });
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nodeId = (v: unknown): string | null =>
  typeof v === 'string' ? (ID_RE.test(v) ? v : null) : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : null;

/** Parses and checks the request body; throws a DomainError (400, or 413 for too many edges). */
export function parseSimulationRequest(body: unknown): SimulationRequest {
  const d = new Details();
  if (!isObj(body)) throw invalid('the body must be a JSON object', [{ field: 'body', rule: 'type', message: 'expected a JSON object' }]);
  for (const k of Object.keys(body)) if (!TOP_FIELDS.has(k)) d.add(k, 'unknownProperty', `property '${k}' is not allowed`);

  const model = body.model ?? 'ic';
  if (typeof model !== 'string') d.add('model', 'type', 'model must be a string (a model id from GET /v1/models)');
  const params = body.params ?? {};
  if (!isObj(params)) d.add('params', 'type', 'params must be an object');

  const int = (field: string, v: unknown, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      d.add(field, 'range', `${field} must be an integer in ${min}..${max}`);
      return undefined;
    }
    return v;
  };
  const runs = int('runs', body.runs, 1, MAX_SIM_RUNS) ?? 100;
  const seed = int('seed', body.seed, 0, 4294967295);
  let confidenceLevel = 0.9;
  if (body.confidenceLevel !== undefined) {
    const c = body.confidenceLevel;
    if (typeof c !== 'number' || !(c >= 0.5 && c <= 0.999)) d.add('confidenceLevel', 'range', 'confidenceLevel must be a number in [0.5, 0.999]');
    else confidenceLevel = c;
  }
  const mode = body.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'job') d.add('mode', 'isIn', "mode must be 'auto' (answer now when small, else a job) or 'job'");
  const includeRuns = body.includeRuns ?? false;
  if (typeof includeRuns !== 'boolean') d.add('includeRuns', 'type', 'includeRuns must be a boolean');
  const fullData = body.fullData ?? false;
  if (typeof fullData !== 'boolean') d.add('fullData', 'type', 'fullData must be a boolean');
  else if (fullData && runs > MAX_FULL_DATA_RUNS) d.add('fullData', 'maxRuns', `fullData returns every infection of every run: at most ${MAX_FULL_DATA_RUNS} runs`);
  let times: number[] | undefined;
  if (body.times !== undefined) {
    const t = body.times;
    if (!Array.isArray(t) || t.length === 0 || t.length > MAX_TIMES) d.add('times', 'size', `times must list 1..${MAX_TIMES} times`);
    else if (!t.every((x, j) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && (j === 0 || x > (t[j - 1] as number))))
      d.add('times', 'ascending', 'times must be numbers >= 0 in strictly ascending order (sir: model time; ic: generations)');
    else times = t as number[];
  }

  // ---- graph: "stored", {nodes?, edges, directed?}, or edges/nodes/directed at the top level
  let graph: 'stored' | 'posted' | 'unreadable' = 'posted';
  let src: Record<string, unknown> = body;
  let prefix = '';
  if (body.graph === 'stored') {
    graph = 'stored';
    for (const k of ['nodes', 'edges', 'directed']) if (body[k] !== undefined) d.add(k, 'storedGraph', `${k} is not allowed with graph "stored"`);
  } else if (isObj(body.graph)) {
    src = body.graph;
    prefix = 'graph.';
    for (const k of Object.keys(src)) if (!GRAPH_FIELDS.has(k)) d.add(`graph.${k}`, 'unknownProperty', `property 'graph.${k}' is not allowed`);
    for (const k of ['nodes', 'edges', 'directed']) if (body[k] !== undefined) d.add(k, 'ambiguousGraph', `give ${k} inside graph or at the top level, not both`);
    if (src.format !== undefined || src.data !== undefined) {
      const converted = fromGraphFile(src, d);
      if (converted === null) graph = 'unreadable';
      else src = converted;
    }
  } else if (body.graph !== undefined) {
    d.add('graph', 'isIn', 'graph must be "stored" or an object {nodes?, edges, directed?}');
  }

  let posted: PostedGraph | undefined;
  if (graph === 'posted' && (body.graph === undefined || isObj(body.graph))) {
    posted = parsePosted(src, prefix, d);
  }

  // ---- seeds
  const seeds: string[] = [];
  if (!Array.isArray(body.seeds)) d.add('seeds', body.seeds === undefined ? 'required' : 'type', 'seeds must be a non-empty array of node ids');
  else if (body.seeds.length === 0 || body.seeds.length > MAX_SEEDS) d.add('seeds', 'size', `seeds must list 1..${MAX_SEEDS} node ids`);
  else {
    const seen = new Set<string>();
    body.seeds.forEach((s, i) => {
      const id = nodeId(s);
      if (id === null) return d.add(`seeds[${i}]`, 'type', 'a node id is a string without spaces or a non-negative integer');
      if (seen.has(id)) return d.add(`seeds[${i}]`, 'unique', `seed '${id}' is listed twice`);
      seen.add(id);
      seeds.push(id);
    });
    if (posted && d.count === 0) {
      const known = new Set<string>(posted.nodes ?? []);
      if (!posted.nodes) for (const e of posted.edges) known.add(e[0]).add(e[1]);
      seeds.forEach((s, i) => {
        if (!known.has(s)) d.add(`seeds[${i}]`, 'knownNode', `seed '${s}' is not a node of the posted graph`);
      });
    }
  }

  if (d.count) {
    const tooMany = d.list.find((x) => x.rule === 'maxItems' && x.field.endsWith('edges'));
    const msg = `invalid simulation request: ${[...new Set(d.list.map((x) => x.field))].slice(0, 8).join(', ')}${d.count > d.list.length ? ` (${d.count} problems, first ${d.list.length} listed)` : ''}`;
    if (tooMany) throw new DomainError('PAYLOAD_TOO_LARGE', tooMany.message, [tooMany]);
    throw invalid(msg, d.list);
  }
  return {
    model: model as string, params: params as Record<string, unknown>, graph: graph as 'stored' | 'posted', posted, seeds, runs, seed, confidenceLevel,
    mode: mode as 'auto' | 'job', includeRuns: includeRuns as boolean, times, fullData: fullData === true,
  };
}

/**
 * A posted graph file ({format, data}) as the posted-graph fields {nodes, edges, directed}, which
 * then pass the same checks; nodes in the order posted edges would number them, so a file and the
 * same graph as edges give the same runs.
 */
function fromGraphFile(g: Record<string, unknown>, d: Details): Record<string, unknown> | null {
  const formats = GRAPH_FORMATS.filter((f) => f !== 'edgelist');
  for (const k of ['nodes', 'edges']) if (g[k] !== undefined) d.add(`graph.${k}`, 'ambiguousGraph', `give graph.${k} or graph.format with graph.data, not both`);
  if (typeof g.format !== 'string' || !(formats as string[]).includes(g.format)) {
    d.add('graph.format', 'isIn', `graph.format must be one of ${formats.join(', ')} (an edge list is graph.edges)`);
    return null;
  }
  if (g.data === undefined) {
    d.add('graph.data', 'required', `graph.data must hold the ${g.format} file (text; node-link also as a JSON object)`);
    return null;
  }
  try {
    const shape = toPostedShape(parseGraphFile(g.data, g.format as Exclude<GraphFormat, 'edgelist'>, 'graph.data'));
    return { nodes: shape.nodes, edges: shape.edges, directed: shape.directed ?? g.directed ?? false };
  } catch (err) {
    if (!(err instanceof GraphInputError)) throw err;
    d.add('graph.data', 'format', `graph.data is not a readable ${g.format} file: ${err.message}`);
    return null;
  }
}

function parsePosted(src: Record<string, unknown>, prefix: string, d: Details): PostedGraph | undefined {
  const directed = src.directed ?? false;
  if (typeof directed !== 'boolean') d.add(`${prefix}directed`, 'type', 'directed must be a boolean');
  let nodes: string[] | null = null;
  if (src.nodes !== undefined) {
    if (!Array.isArray(src.nodes)) d.add(`${prefix}nodes`, 'type', 'nodes must be an array of node ids');
    else if (src.nodes.length > MAX_NODES) d.add(`${prefix}nodes`, 'maxItems', `at most ${MAX_NODES} nodes`);
    else {
      nodes = [];
      const seen = new Set<string>();
      src.nodes.forEach((v, i) => {
        const id = nodeId(v);
        if (id === null) return d.add(`${prefix}nodes[${i}]`, 'type', 'a node id is a string without spaces or a non-negative integer');
        if (seen.has(id)) return d.add(`${prefix}nodes[${i}]`, 'unique', `node '${id}' is listed twice`);
        seen.add(id);
        nodes!.push(id);
      });
    }
  }
  const raw = src.edges;
  if (!Array.isArray(raw)) {
    d.add(`${prefix}edges`, raw === undefined ? 'required' : 'type', 'edges must be an array of [u, v, weight?, kind?] (or give graph: "stored")');
    return undefined;
  }
  if (raw.length > MAX_EDGES) {
    d.add(`${prefix}edges`, 'maxItems', `${prefix}edges has ${raw.length} edges; a posted graph has at most ${MAX_EDGES.toLocaleString('en')} (use the stored graph or the CLI for larger ones)`);
    return undefined;
  }
  if (raw.length === 0) d.add(`${prefix}edges`, 'minItems', 'edges must list at least one edge');
  const known = nodes ? new Set(nodes) : null;
  const edges: Array<[string, string, number, string]> = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i];
    const f = `${prefix}edges[${i}]`;
    if (!Array.isArray(e) || e.length < 2 || e.length > 4) {
      d.add(f, 'type', 'an edge is [u, v], [u, v, weight] or [u, v, weight, kind]');
      continue;
    }
    const u = nodeId(e[0]);
    const v = nodeId(e[1]);
    if (u === null) d.add(`${f}[0]`, 'type', 'a node id is a string without spaces or a non-negative integer');
    if (v === null) d.add(`${f}[1]`, 'type', 'a node id is a string without spaces or a non-negative integer');
    if (u === null || v === null) continue;
    if (u === v) d.add(f, 'noSelfLoop', `self-loop on '${u}': an entity cannot infect itself; remove the edge`);
    if (known && !known.has(u)) d.add(`${f}[0]`, 'knownNode', `'${u}' is not in nodes`);
    if (known && !known.has(v)) d.add(`${f}[1]`, 'knownNode', `'${v}' is not in nodes`);
    let w = 1;
    if (e.length >= 3 && e[2] !== null) {
      if (typeof e[2] !== 'number' || !(e[2] >= 0 && e[2] <= 1)) d.add(`${f}[2]`, 'range', 'weight must be a number in [0,1]');
      else w = e[2];
    }
    let kind = 'network';
    if (e.length === 4) {
      if (typeof e[3] !== 'string' || kindIndex(e[3]) < 0) d.add(`${f}[3]`, 'isIn', `kind must be one of ${DEPENDENCY_KINDS.join(', ')}`);
      else kind = e[3];
    }
    edges[i] = [u, v, w, kind];
  }
  return { nodes, edges, directed: directed === true, prefix };
}

/** The CSR graph of a validated posted graph, with the node ids in index order (graph.ts, labelledGraph). */
export function buildPostedGraph(p: PostedGraph): EntityGraph {
  return labelledGraph(p.nodes, p.edges, p.directed);
}
