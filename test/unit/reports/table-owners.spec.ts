/**
 * The reports feature reads and writes other features' tables only through their owners'
 * services, and the STIX feature reads reports through the reports feature's: no source of
 * src/reports or src/stix names a table that another folder declares (@Entity).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Table name -> the file (below src/) declaring it. */
function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/@Entity\(\s*'([a-z_]+)'/g)) owners.set(m[1], relative(SRC, file));
  }
  return owners;
}

/** The quoted names of tables of folders other than `folder` in a source text. */
function namedForeignTables(text: string, folder: string, owners: Map<string, string>): string[] {
  // OpenAPI tags share names with tables (`@ApiTags('reports')` on the STIX routes) and are not reads.
  const code = text.replace(/@ApiTags\([^)]*\)/g, '');
  return [...owners].filter(([table, owner]) => owner.split(sep)[0] !== folder && new RegExp(`['"\`]${table}['"\`]`).test(code)).map(([table]) => table);
}

/** `file: table` for each quoted table name of another folder in `folder`. */
function foreignTables(folder: string, owners: Map<string, string>): string[] {
  return sourceFiles(join(SRC, folder)).flatMap((file) => namedForeignTables(readFileSync(file, 'utf8'), folder, owners).map((t) => `${relative(SRC, file)}: ${t}`));
}

describe('table owners', () => {
  const owners = tableOwners();

  it('knows the tables of the features (the checker reads @Entity)', () => {
    expect(owners.get('entities')).toMatch(/^graph/);
    expect(owners.get('organizations')).toMatch(/^auth/);
    expect(owners.get('weapons')).toMatch(/^weapons/);
  });

  it('src/reports names no table of another feature', () => {
    expect(foreignTables('reports', owners)).toEqual([]);
  });

  it('src/stix names no table of another feature (reports through ReportsService)', () => {
    expect(foreignTables('stix', owners)).toEqual([]);
  });

  it('finds a foreign table when one is named (the checker itself)', () => {
    const source = "await selectIn(m, 'weapons', ['id'], 'id', ids); await insertRows(m, 'reports', COLUMNS, rows);";
    expect(namedForeignTables(source, 'reports', owners)).toEqual(['weapons']);
    expect(namedForeignTables("@ApiTags('reports') class StixController {}", 'stix', owners)).toEqual([]);
  });
});
