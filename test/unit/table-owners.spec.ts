/**
 * One rule in one place: a feature reads and writes another feature's table only through its
 * owner's service. The owner of a table is the folder of its TypeORM entity (`*.entity.ts` under
 * src/<feature>/); no file outside that folder uses the entity class as a value (a repository, a
 * query builder, `findBy`, `insert`, `TypeOrmModule.forFeature`, ...). `import type` and type
 * positions are fine: a feature may hold another's rows it was given. Exempt: src/database (the
 * data source and migrations) and the relations between entities (`@ManyToOne(() => Weapon)`:
 * the schema's foreign keys, not reads). Some features also name no other feature's table in SQL.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const SRC = resolve(__dirname, '../../src');

/** Folders of src/ that may use any entity: the data source and the migrations. */
const EXEMPT = ['database'];

/** Decorators declaring a relation: their entity arguments are the schema, not reads. */
const RELATIONS = new Set(['ManyToOne', 'OneToOne', 'OneToMany', 'ManyToMany', 'ForeignKey']);

/** Features that name no table of another feature in any string (SQL, bulk helpers): `folder`. */
const NO_FOREIGN_TABLE_NAMES = ['reports', 'stix', 'taxii', 'misp', 'weapons', 'assessments', 'simulations', 'webhooks', 'scenarios', 'jobs', 'auth', 'audit'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const parse = (file: string, text = readFileSync(file, 'utf8')) => ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);

/** The owner folder (below src/, `/`-separated) of a file: the folder it lies in. */
const ownerOf = (file: string) => relative(SRC, dirname(file)).split(sep).join('/');

/** Entity class -> owner folder: the classes decorated with @Entity in `*.entity.ts` files. */
function entityOwners(files: readonly string[]): Map<string, { owner: string; file: string }> {
  const owners = new Map<string, { owner: string; file: string }>();
  for (const file of files.filter((f) => f.endsWith('.entity.ts'))) {
    for (const node of parse(file).statements) {
      const decorated = ts.isClassDeclaration(node) && (ts.getDecorators(node) ?? []).some((d) => ts.isCallExpression(d.expression) && d.expression.expression.getText() === 'Entity');
      if (decorated && node.name) owners.set(node.name.text, { owner: ownerOf(file), file });
    }
  }
  return owners;
}

const inside = (file: string, folder: string) => relative(SRC, file).split(sep).join('/').startsWith(`${folder}/`);

/** Is `node` where a value is read (not a type, an import, a declaration's or a property's name)? */
function isValueUse(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  for (let n: ts.Node = parent; !ts.isSourceFile(n); n = n.parent) {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return false;
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return false;
  }
  return true;
}

/** Is `node` an argument of a relation decorator (`@ManyToOne(() => Weapon)`)? */
function inRelation(node: ts.Node): boolean {
  for (let n: ts.Node = node.parent; !ts.isSourceFile(n); n = n.parent) {
    if (ts.isDecorator(n) && ts.isCallExpression(n.expression) && RELATIONS.has(n.expression.expression.getText())) return true;
  }
  return false;
}

/**
 * `file: Entity` for each entity of another folder that `source` (the file `file`) uses as a
 * value. Imports are resolved, so a class is found under any local name.
 */
function foreignEntityUses(file: string, source: ts.SourceFile, owners: Map<string, { owner: string; file: string }>): string[] {
  const byFile = new Map([...owners].map(([name, o]) => [o.file, name]));
  const local = new Map<string, string>();
  for (const s of source.statements) {
    if (!ts.isImportDeclaration(s) || !s.importClause || s.importClause.isTypeOnly || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const spec = s.moduleSpecifier.text;
    if (!spec.startsWith('.')) continue;
    const target = `${resolve(dirname(file), spec)}.ts`;
    if (![...byFile.keys()].includes(target)) continue;
    const bindings = s.importClause.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) {
        const imported = (el.propertyName ?? el.name).text;
        if (!el.isTypeOnly && owners.get(imported)?.file === target) local.set(el.name.text, imported);
      }
    }
  }
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && local.has(node.text) && isValueUse(node) && !(file.endsWith('.entity.ts') && inRelation(node))) {
      const entity = local.get(node.text)!;
      if (!inside(file, owners.get(entity)!.owner)) found.add(entity);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found].sort().map((entity) => `${relative(SRC, file).split(sep).join('/')}: ${entity}`);
}

/** Every value use of an entity outside its owner folder in src/ (but the exempt folders). */
function violations(files: readonly string[], owners: Map<string, { owner: string; file: string }>): string[] {
  return files.filter((f) => !EXEMPT.some((folder) => inside(f, folder))).flatMap((f) => foreignEntityUses(f, parse(f), owners));
}

/** Table name -> owner folder (the folder of the file declaring it with @Entity). */
function tableOwners(files: readonly string[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of files.filter((f) => f.endsWith('.entity.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/@Entity\(\s*'([a-z_]+)'/g)) owners.set(m[1], ownerOf(file));
  }
  return owners;
}

/**
 * The tables of folders other than `folder` that the strings of a source name: a string that is
 * the name, or SQL quoting it (`"reports"`). Comments, types (`'reports' | 'responders'`) and
 * OpenAPI tags (`@ApiTags('reports')` on the STIX routes) are not reads.
 */
function namedForeignTables(source: ts.SourceFile, folder: string, owners: Map<string, string>): string[] {
  const named = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isTypeNode(node) || (ts.isDecorator(node) && node.expression.getText().startsWith('ApiTags('))) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const [table, owner] of owners) if (owner !== folder && (node.text === table || node.text.includes(`"${table}"`))) named.add(table);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...named];
}

describe('table owners', () => {
  const files = sourceFiles(SRC);
  const owners = entityOwners(files);
  const found = violations(files, owners);

  it('knows the entities and their owners (the checker reads @Entity)', () => {
    expect(owners.get('EntityNode')?.owner).toBe('graph');
    expect(owners.get('Organization')?.owner).toBe('auth');
    expect(owners.get('Weapon')?.owner).toBe('weapons');
    expect(owners.get('IdempotencyRecord')?.owner).toBe('common/idempotency');
    expect(owners.size).toBeGreaterThanOrEqual(14);
  });

  it('no file uses another folder\'s entity as a value', () => {
    expect(found).toEqual([]);
  });

  it.each(NO_FOREIGN_TABLE_NAMES)('src/%s names no table of another folder', (folder) => {
    const tables = tableOwners(files);
    const named = sourceFiles(join(SRC, folder)).flatMap((file) => namedForeignTables(parse(file), folder, tables).map((t) => `${relative(SRC, file)}: ${t}`));
    expect(named).toEqual([]);
  });

  describe('the checkers themselves', () => {
    const file = join(SRC, 'stix', 'example.ts');
    const uses = (text: string) => foreignEntityUses(file, parse(file, text), owners);

    it('finds value uses under any local name, in any call', () => {
      expect(uses("import { Weapon } from '../weapons/weapon.entity';\nconst w = m.findBy(Weapon, { id });")).toEqual(['stix/example.ts: Weapon']);
      expect(uses("import { EntityNode as E } from '../graph/entity-node.entity';\nm.createQueryBuilder(E, 'e');")).toEqual(['stix/example.ts: EntityNode']);
      expect(uses("import { Organization } from '../auth/organization.entity';\n@Module({ imports: [TypeOrmModule.forFeature([Organization])] }) class M {}")).toEqual(['stix/example.ts: Organization']);
    });

    it('lets types, type-only imports, the owner and relations be', () => {
      expect(uses("import type { Weapon } from '../weapons/weapon.entity';\nlet w: Weapon;")).toEqual([]);
      expect(uses("import { type Weapon } from '../weapons/weapon.entity';\nfunction f(w: Weapon[]): Promise<Weapon> {}")).toEqual([]);
      expect(uses("import { Weapon } from '../weapons/weapon.entity';\nconst x: Map<string, Weapon> = new Map(); const o = { Weapon: 1 }; o.Weapon;")).toEqual([]);
      expect(uses("import { StixVersion } from './stix-version.entity';\nm.insert(StixVersion, rows);")).toEqual([]);
      const entityFile = join(SRC, 'stix', 'example.entity.ts');
      const relation = "import { Weapon } from '../weapons/weapon.entity';\nclass R { @ManyToOne(() => Weapon) weapon: Weapon; }";
      expect(foreignEntityUses(entityFile, parse(entityFile, relation), owners)).toEqual([]);
    });

    it('finds a foreign table when one is named', () => {
      const tables = tableOwners(files);
      const named = (text: string, folder: string) => namedForeignTables(parse(file, text), folder, tables);
      expect(named("await selectIn(m, 'weapons', ['id'], 'id', ids); await insertRows(m, 'reports', COLUMNS, rows);", 'reports')).toEqual(['weapons']);
      expect(named('m.query(`SELECT e."id" FROM "entities" e WHERE ${where}`);', 'weapons')).toEqual(['entities']);
      expect(named("@ApiTags('reports') class StixController {}\n// read back from `reports`\ntype Key = 'reports' | 'responders';", 'stix')).toEqual([]);
    });
  });
});
