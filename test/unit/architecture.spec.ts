/**
 * The layout's rules, checked on the sources: the simulation core imports no framework and no
 * other folder but the vocabulary, and no two folders of src/ import each other (directly or
 * through others), so each folder can be read from the ones below it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../../src');

/**
 * Layers, lowest first: a folder imports only folders of its own layer or lower. Folders not named
 * are features (the Nest modules over the tables); the entry points (cli, the top-level files) sit
 * above them, and nothing imports an entry point.
 */
const FEATURES = 'features';
const LAYERS: string[][] = [
  ['domain'],
  ['engine', 'config'],
  ['database', 'scenario-format', 'graph-formats'],
  ['common'],
  ['tlp'],
  [FEATURES],
  ['cli', ''],
];

/**
 * The features over the job rows, lowest first: the jobs (rows, scheduler, runners) know no
 * kind's feature, the results (stored parts through the reader's TLP) know no feature that
 * reads them, assessments and simulations do not know each other, decisions read assessments.
 */
const JOB_FEATURES: string[][] = [['jobs'], ['results'], ['assessments', 'simulations'], ['decisions']];

/** Edges among `order`'s folders that go up a level or across one, as 'from -> to (file)'. */
function againstOrder(graph: Map<string, Map<string, string>>, order: string[][]): string[] {
  const level = (folder: string) => order.findIndex((l) => l.includes(folder));
  return [...graph].flatMap(([from, edges]) =>
    [...edges].filter(([to]) => level(from) >= 0 && level(to) >= level(from)).map(([to, file]) => `${from} -> ${to} (${file})`));
}

function layerOf(folder: string): number {
  const i = LAYERS.findIndex((l) => l.includes(folder));
  return i >= 0 ? i : LAYERS.findIndex((l) => l.includes(FEATURES));
}

/** Edges from a lower layer to a higher one, as 'from -> to (file)'. */
function upwardImports(graph: Map<string, Map<string, string>>): string[] {
  return [...graph].flatMap(([from, edges]) =>
    [...edges].filter(([to]) => layerOf(to) > layerOf(from)).map(([to, file]) => `${from || '(top)'} -> ${to || '(top)'} (${file})`));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'public' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

/** The top folder of src/ a path lies in (a folder imported whole counts as itself; '' for files at the top). */
function folderOf(path: string): string {
  const rel = relative(SRC, path);
  if (rel.includes(sep)) return rel.split(sep)[0];
  return existsSync(path) && statSync(path).isDirectory() ? rel : '';
}

/** Folder -> folders it imports, with one file per edge for the message. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(resolve(dirname(file), spec));
      if (to === from || to.startsWith('..')) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(SRC, file));
    }
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

describe('layout of src/', () => {
  it('src/engine imports no framework, no database library and no folder but domain', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(SRC, 'engine'))) {
      for (const spec of importsOf(file)) {
        const framework = /^(@nestjs\/|typeorm|pg$|sqlite3|bullmq|ioredis|express)/.test(spec);
        const folder = spec.startsWith('.') ? folderOf(resolve(dirname(file), spec)) : 'engine';
        if (framework || !['engine', 'domain'].includes(folder)) offending.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('no import cycle between folders', () => {
    const graph = folderGraph();
    const describe = (c: string[]) =>
      `${c.join(' <-> ')}: ${c.flatMap((a) => c.filter((b) => graph.get(a)?.has(b)).map((b) => `${a} -> ${b} (${graph.get(a)!.get(b)})`)).join(', ')}`;
    expect(cycles(graph).map(describe)).toEqual([]);
  });

  it('no lower layer imports a higher one (domain < engine, config < database, scenario-format, graph-formats < common < tlp < features < cli)', () => {
    expect(upwardImports(folderGraph())).toEqual([]);
  });

  it('jobs < results < assessments, simulations (apart) < decisions', () => {
    expect(againstOrder(folderGraph(), JOB_FEATURES)).toEqual([]);
  });

  it('finds a job feature importing one above or beside it (the order checker itself)', () => {
    const graph = new Map([
      ['jobs', new Map([['assessments', 'jobs/x.ts'], ['database', 'jobs/y.ts']])],
      ['simulations', new Map([['assessments', 'simulations/z.ts'], ['results', 'simulations/w.ts']])],
      ['decisions', new Map([['assessments', 'decisions/v.ts']])],
    ]);
    expect(againstOrder(graph, JOB_FEATURES)).toEqual(['jobs -> assessments (jobs/x.ts)', 'simulations -> assessments (simulations/z.ts)']);
  });

  it('finds an upward import when there is one (the layer checker itself)', () => {
    const graph = new Map([
      ['common', new Map([['reports', 'common/x.ts'], ['domain', 'common/y.ts']])],
      ['reports', new Map([['common', 'reports/z.ts'], ['stix', 'reports/w.ts']])],
      ['scenarios', new Map([['cli', 'scenarios/v.ts']])],
    ]);
    expect(upwardImports(graph)).toEqual(['common -> reports (common/x.ts)', 'scenarios -> cli (scenarios/v.ts)']);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
      ['d', new Map([['a', 'd/w.ts']])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
