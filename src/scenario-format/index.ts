/**
 * Scenario folders: reading (with every problem reported at once) and writing.
 * The format is documented in fixtures/README.md:
 *
 *   scenario.json      {id, title, description, weaponId, asOf, horizonHours, synthetic, sources[]}
 *   entities.csv       id,name,kind,parentId,country,sector,hosts,dailyValueUsd,populationServed,tags,protected
 *   dependencies.csv   sourceId,targetId,kind,weight,bidirectional
 *   weapon.json        a WeaponRecord
 *   reports.json       an array of ReportRecord (optional file; ids optional)
 *   README.md          what it models, what is synthetic, a source for every figure
 *
 * Plain TypeScript (no Nest, no TypeORM): used by the CLI, the API's admin loader and tests.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { DependencyRecord, EntityRecord, ReportRecord, WeaponRecord } from '../domain/records';
import { CsvSyntaxError, csvLine, parseCsvStream } from './csv';
import { isDateTime } from '../domain/date-time';
import { SLUG } from '../domain/ids';
import { checkDependencySet, DEPENDENCY_COLUMNS } from '../domain/rules/dependency';
import { checkEntitySet, ENTITY_COLUMNS, resolveProtected } from '../domain/rules/entity';
import type { RowError } from '../domain/rules/fields';
import { checkWeapon } from '../domain/rules/weapon';
import { checkDependencyHeader, checkEntityHeader, checkReports, dependencyFromCsv, entityFromCsv, type CsvColumns } from './validate';

export * from './csv';
export * from './validate';

export const SCENARIO_FILES = {
  scenario: 'scenario.json',
  entities: 'entities.csv',
  dependencies: 'dependencies.csv',
  weapon: 'weapon.json',
  reports: 'reports.json',
  readme: 'README.md',
} as const;

export interface ScenarioSource {
  title: string;
  url?: string;
  /** What the scenario takes from it. */
  note?: string;
}

export interface ScenarioMeta {
  id: string;
  title: string;
  description?: string;
  weaponId: string;
  /** The assessment time the scenario is meant for (RFC 3339). */
  asOf: string;
  /** Forecast horizon after asOf, hours. */
  horizonHours: number;
  /** True when the whole scenario is generated; real-scenario fixtures say false (their graphs are partly synthetic: see README). */
  synthetic: boolean;
  sources: ScenarioSource[];
}

export interface ScenarioData {
  scenario: ScenarioMeta;
  entities: EntityRecord[];
  dependencies: DependencyRecord[];
  weapon: WeaponRecord;
  reports: ReportRecord[];
  /** README.md text (when read; written when given). */
  readme?: string;
}

/** One problem in a scenario folder. `row` is the 1-based data row (0 = the CSV header). */
export interface ScenarioProblem extends RowError {
  file: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(`scenario ${dir}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${formatProblems(problems, 50)}`);
  }
}

/** Human-readable lines, at most `limit` of them. */
export function formatProblems(problems: readonly ScenarioProblem[], limit = Infinity): string {
  const lines = problems.slice(0, limit).map((p) => `  ${p.file}${p.row !== undefined ? ` row ${p.row}` : ''} ${p.field} [${p.rule}]: ${p.message}`);
  if (problems.length > limit) lines.push(`  ... and ${problems.length - limit} more`);
  return lines.join('\n');
}

const META_FIELDS = new Set(['id', 'title', 'description', 'weaponId', 'asOf', 'horizonHours', 'synthetic', 'sources']);

/** Checks scenario.json. */
export function checkScenarioMeta(input: unknown, errors: RowError[]): ScenarioMeta | null {
  const before = errors.length;
  const add = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return add('scenario', 'isObject', 'scenario.json must hold an object'), null;
  const o = input as Record<string, unknown>;
  for (const k in o) if (!META_FIELDS.has(k)) add(k, 'unknownProperty', `property '${k}' is not allowed`);
  if (typeof o.id !== 'string' || !SLUG.test(o.id)) add('id', o.id === undefined ? 'required' : 'slug', 'id must be a slug');
  if (typeof o.title !== 'string' || !o.title.trim()) add('title', 'required', 'title is required');
  if (o.description !== undefined && typeof o.description !== 'string') add('description', 'isString', 'description must be a string');
  if (typeof o.weaponId !== 'string' || !SLUG.test(o.weaponId)) add('weaponId', o.weaponId === undefined ? 'required' : 'slug', 'weaponId must be a slug');
  if (!isDateTime(o.asOf)) add('asOf', o.asOf === undefined ? 'required' : 'isDateTime', 'asOf must be an RFC 3339 date-time with offset');
  if (typeof o.horizonHours !== 'number' || !Number.isFinite(o.horizonHours)) add('horizonHours', o.horizonHours === undefined ? 'required' : 'isNumber', 'horizonHours must be a number');
  else if (o.horizonHours <= 0) add('horizonHours', 'min', 'horizonHours must be positive');
  if (typeof o.synthetic !== 'boolean') add('synthetic', o.synthetic === undefined ? 'required' : 'isBoolean', 'synthetic must be true or false');
  const sources: ScenarioSource[] = [];
  if (o.sources !== undefined) {
    if (!Array.isArray(o.sources)) add('sources', 'isArray', 'sources must be an array');
    else
      o.sources.forEach((s, i) => {
        if (typeof s === 'string' && s.trim()) sources.push({ title: s.trim() });
        else if (typeof s === 'object' && s !== null && typeof (s as ScenarioSource).title === 'string') {
          const { title, url, note } = s as ScenarioSource;
          sources.push({ title, ...(typeof url === 'string' ? { url } : {}), ...(typeof note === 'string' ? { note } : {}) });
        } else add(`sources[${i}]`, 'isObject', 'each source is a string or {title, url?, note?}');
      });
  }
  if (errors.length > before) return null;
  return {
    id: o.id as string,
    title: (o.title as string).trim(),
    ...(o.description !== undefined ? { description: o.description as string } : {}),
    weaponId: o.weaponId as string,
    asOf: new Date(o.asOf as string).toISOString(),
    horizonHours: o.horizonHours as number,
    synthetic: o.synthetic as boolean,
    sources,
  };
}

async function readCsvFile<T>(
  path: string,
  file: string,
  header: (h: string[], errors: RowError[]) => CsvColumns | null,
  row: (cols: CsvColumns, values: string[], row: number, errors: RowError[]) => T | null,
  problems: ScenarioProblem[],
): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  const errors: RowError[] = [];
  let cols: CsvColumns | null | undefined;
  try {
    for await (const batch of parseCsvStream(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }))) {
      if (cols === undefined) {
        if (batch.header.length === 0) {
          errors.push({ row: 0, field: 'header', rule: 'required', message: 'the file is empty: a header line is required' });
          cols = null;
        } else cols = header(batch.header, errors);
      }
      if (cols === null) continue;
      for (let i = 0; i < batch.rows.length; i++) out.push(row(cols, batch.rows[i], batch.firstRow + i, errors));
    }
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    errors.push({ row: err.record - 1, field: 'row', rule: 'csv', message: err.message });
  }
  for (const e of errors) problems.push({ file, ...e });
  return out;
}

function readJson(path: string, file: string, problems: ScenarioProblem[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push({ file, field: file, rule: 'json', message: `not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

export interface ScenarioCheck {
  /** Null when there were problems. */
  data: ScenarioData | null;
  problems: ScenarioProblem[];
}

/**
 * Reads and validates a scenario folder, collecting every problem (all files, all rows) instead of
 * stopping at the first. Entity and dependency files are streamed, so large generated folders read
 * in bounded extra memory; ids in dependencies and reports share the entity id strings.
 */
export async function checkScenario(dir: string): Promise<ScenarioCheck> {
  const problems: ScenarioProblem[] = [];
  const need = (file: string) => {
    const ok = existsSync(join(dir, file));
    if (!ok) problems.push({ file, field: file, rule: 'required', message: `${file} is missing from ${dir}` });
    return ok;
  };
  if (!existsSync(dir)) return { data: null, problems: [{ file: dir, field: 'dir', rule: 'required', message: `no folder ${dir}` }] };

  let scenario: ScenarioMeta | null = null;
  if (need(SCENARIO_FILES.scenario)) {
    const raw = readJson(join(dir, SCENARIO_FILES.scenario), SCENARIO_FILES.scenario, problems);
    if (raw !== undefined) {
      const errors: RowError[] = [];
      scenario = checkScenarioMeta(raw, errors);
      for (const e of errors) problems.push({ file: SCENARIO_FILES.scenario, ...e });
    }
  }
  const readme = need(SCENARIO_FILES.readme) ? readFileSync(join(dir, SCENARIO_FILES.readme), 'utf8') : undefined;

  let entities: (EntityRecord | null)[] = [];
  if (need(SCENARIO_FILES.entities)) {
    entities = await readCsvFile(join(dir, SCENARIO_FILES.entities), SCENARIO_FILES.entities, checkEntityHeader, (c, v, r, e) => entityFromCsv(c, v, r, e, true), problems);
  }
  const entityErrors: RowError[] = [];
  const index = checkEntitySet(entities, entityErrors);
  for (const e of entityErrors) problems.push({ file: SCENARIO_FILES.entities, ...e });

  let dependencies: (DependencyRecord | null)[] = [];
  if (need(SCENARIO_FILES.dependencies)) {
    dependencies = await readCsvFile(join(dir, SCENARIO_FILES.dependencies), SCENARIO_FILES.dependencies, checkDependencyHeader, (c, v, r, e) => dependencyFromCsv(c, v, r, e, true), problems);
  }
  const depErrors: RowError[] = [];
  checkDependencySet(dependencies, index, depErrors);
  for (const e of depErrors) problems.push({ file: SCENARIO_FILES.dependencies, ...e });
  // Share id strings with the entity list (saves one string per endpoint on big graphs).
  for (const d of dependencies) {
    if (!d) continue;
    const s = index.position.get(d.sourceId);
    const t = index.position.get(d.targetId);
    if (s !== undefined) d.sourceId = entities[s]!.id;
    if (t !== undefined) d.targetId = entities[t]!.id;
  }

  let weapon: WeaponRecord | null = null;
  if (need(SCENARIO_FILES.weapon)) {
    const raw = readJson(join(dir, SCENARIO_FILES.weapon), SCENARIO_FILES.weapon, problems);
    if (raw !== undefined) {
      const errors: RowError[] = [];
      weapon = checkWeapon(raw, errors, { entities: index });
      for (const e of errors) problems.push({ file: SCENARIO_FILES.weapon, ...e });
    }
  }
  if (scenario && weapon && scenario.weaponId !== weapon.id) {
    problems.push({ file: SCENARIO_FILES.scenario, field: 'weaponId', rule: 'reference', message: `weaponId '${scenario.weaponId}' is not the id of weapon.json ('${weapon.id}')` });
  }

  let reports: ReportRecord[] = [];
  if (existsSync(join(dir, SCENARIO_FILES.reports))) {
    const raw = readJson(join(dir, SCENARIO_FILES.reports), SCENARIO_FILES.reports, problems);
    if (raw !== undefined) {
      const errors: RowError[] = [];
      const weaponIds = new Set<string>();
      if (weapon) weaponIds.add(weapon.id);
      if (scenario) weaponIds.add(scenario.weaponId);
      reports = checkReports(raw, errors, { entities: index, weapons: weaponIds });
      for (const e of errors) problems.push({ file: SCENARIO_FILES.reports, ...e });
    }
  }

  if (problems.length || !scenario || !weapon) return { data: null, problems };
  return {
    data: { scenario, entities: entities as EntityRecord[], dependencies: dependencies as DependencyRecord[], weapon, reports, readme },
    problems,
  };
}

/** Reads a scenario folder; throws a {@link ScenarioError} listing every problem (file, row, field, rule). */
export async function readScenario(dir: string): Promise<ScenarioData> {
  const { data, problems } = await checkScenario(dir);
  if (!data) throw new ScenarioError(dir, problems);
  return data;
}

/** The CSV cells of one entity, in {@link ENTITY_COLUMNS} order; `protected` is left empty when it equals the default. */
export function entityCsvRow(e: EntityRecord): unknown[] {
  const dflt = resolveProtected(e.sector, e.kind);
  return [
    e.id, e.name, e.kind, e.parentId ?? '', e.country ?? '', e.sector ?? '', e.hosts, e.dailyValueUsd, e.populationServed,
    e.tags.join(';'), e.protected === undefined || e.protected === dflt ? '' : String(e.protected),
  ];
}

/** The CSV cells of one dependency, in {@link DEPENDENCY_COLUMNS} order. */
export function dependencyCsvRow(d: DependencyRecord): unknown[] {
  return [d.sourceId, d.targetId, d.kind, d.weight, d.bidirectional ? 'true' : ''];
}

/** Writes CSV lines to a file in large blocks (LF line ends). */
export function writeCsvFile<T>(path: string, header: readonly string[], items: Iterable<T>, cells: (item: T) => unknown[]): number {
  const fd = openSync(path, 'w');
  let count = 0;
  try {
    let block = csvLine(header) + '\n';
    for (const item of items) {
      block += csvLine(cells(item)) + '\n';
      count++;
      if (block.length > 1 << 20) {
        writeSync(fd, block);
        block = '';
      }
    }
    if (block) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return count;
}

/** Writes a scenario folder (creating it). Does not validate: call {@link checkScenario} on the result if unsure. */
export function writeScenario(dir: string, data: ScenarioData): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, SCENARIO_FILES.scenario), JSON.stringify(data.scenario, null, 2) + '\n');
  writeCsvFile(join(dir, SCENARIO_FILES.entities), ENTITY_COLUMNS, data.entities, entityCsvRow);
  writeCsvFile(join(dir, SCENARIO_FILES.dependencies), DEPENDENCY_COLUMNS, data.dependencies, dependencyCsvRow);
  writeFileSync(join(dir, SCENARIO_FILES.weapon), JSON.stringify(data.weapon, null, 2) + '\n');
  writeFileSync(join(dir, SCENARIO_FILES.reports), reportsJson(data.reports));
  if (data.readme !== undefined) writeFileSync(join(dir, SCENARIO_FILES.readme), data.readme);
}

/** reports.json text: one report per line, so diffs stay readable. */
export function reportsJson(reports: readonly ReportRecord[]): string {
  if (!reports.length) return '[]\n';
  return `[\n${reports.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

export interface ScenarioSummary {
  id: string;
  entities: number;
  dependencies: number;
  reports: number;
  protected: number;
  hosts: number;
  dailyValueUsd: number;
  populationServed: number;
  countries: number;
  byKind: Record<string, number>;
  bySector: Record<string, number>;
  topCountries: Record<string, number>;
  dependenciesByKind: Record<string, number>;
  reportsByStatus: Record<string, number>;
  tags: Record<string, number>;
  weapon: { id: string; requiredTags: string[]; vectors: string[] };
}

/** Counts for `scenario check` and for tests. */
export function summarise(data: ScenarioData): ScenarioSummary {
  const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  const byKind: Record<string, number> = {};
  const bySector: Record<string, number> = {};
  const byCountry: Record<string, number> = {};
  const tags: Record<string, number> = {};
  let prot = 0;
  let hosts = 0;
  let value = 0;
  let pop = 0;
  for (const e of data.entities) {
    inc(byKind, e.kind);
    inc(bySector, e.sector ?? '(none)');
    inc(byCountry, e.country ?? '(none)');
    for (const t of e.tags) inc(tags, t);
    if (e.protected) prot++;
    hosts += e.hosts;
    value += e.dailyValueUsd;
    pop += e.populationServed;
  }
  const dependenciesByKind: Record<string, number> = {};
  for (const d of data.dependencies) inc(dependenciesByKind, d.kind);
  const reportsByStatus: Record<string, number> = {};
  for (const r of data.reports) inc(reportsByStatus, r.status);
  const sortDesc = (m: Record<string, number>, n = Infinity) =>
    Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n));
  return {
    id: data.scenario.id,
    entities: data.entities.length,
    dependencies: data.dependencies.length,
    reports: data.reports.length,
    protected: prot,
    hosts,
    dailyValueUsd: Math.round(value),
    populationServed: pop,
    countries: Object.keys(byCountry).filter((c) => c !== '(none)').length,
    byKind: sortDesc(byKind),
    bySector: sortDesc(bySector),
    topCountries: sortDesc(byCountry, 15),
    dependenciesByKind: sortDesc(dependenciesByKind),
    reportsByStatus: sortDesc(reportsByStatus),
    tags: sortDesc(tags, 20),
    weapon: { id: data.weapon.id, requiredTags: data.weapon.requiredTags ?? [], vectors: Object.keys(data.weapon.vectors) },
  };
}
