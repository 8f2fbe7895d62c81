import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { invalid } from '../common/errors/domain-error';
import { COUNTRY_NAMES } from '../domain/countries';
import type { NewEntity } from '../domain/rules/entity';
import { DatabaseService } from '../database/database.service';
import { EVERYONE } from '../tlp/policy';
import { buildHierarchy, HierarchyLevel, hierarchyToJson, HierarchyJson, parseLevels } from './hierarchy';

type Row = Pick<NewEntity, 'id' | 'name' | 'parentId' | 'country' | 'sector' | 'hosts' | 'dailyValueUsd' | 'populationServed'>;

export type EntityTotals = 'hosts' | 'dailyValueUsd' | 'populationServed';

/** A hierarchy node with a display name (the organisation's or country's name, else the key). */
export interface NamedNode extends Omit<HierarchyJson<EntityTotals>, 'children'> {
  name: string;
  children?: NamedNode[];
}

/** Trees kept, one per distinct `levels` asked for. */
const MAX_CACHED_TREES = 16;

/**
 * The hierarchy of the shared graph. Building it reads every entity, so trees are cached per
 * `levels` and rebuilt only when the entities changed: each request compares the table's
 * fingerprint (row count, newest `updatedAt`, newest audit entry about an entity: each answered
 * from an index) with the one the cached tree was built on. Every entity write is audited in its
 * own transaction (API, bulk, scenario loads, inline entities, other processes), and `updatedAt`
 * has only second precision on SQLite: the audit entry catches a change within the second.
 *
 * Entities created inline by reports are in the tree only when that report is open to every
 * reader (TLP clear or green): the tree is the same for every reader, and a count must not
 * reveal a restricted report.
 */
@Injectable()
export class HierarchyService {
  private readonly trees = new Map<string, { fingerprint: string; tree: NamedNode }>();

  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
  ) {}

  /** The world tree over the requested levels with counts and sums of hosts, daily value and population served. */
  async tree(levelsParam: string | undefined): Promise<NamedNode> {
    const { levels, error } = parseLevels(levelsParam);
    if (error) throw invalid(`invalid levels: ${error}`, [{ field: 'levels', rule: 'isIn', message: error }]);
    const key = levels.join(',');
    const fingerprint = await this.fingerprint();
    const cached = this.trees.get(key);
    if (cached?.fingerprint === fingerprint) return cached.tree;
    const tree = await this.build(levels);
    this.trees.delete(key);
    if (this.trees.size >= MAX_CACHED_TREES) this.trees.delete(this.trees.keys().next().value!);
    this.trees.set(key, { fingerprint, tree });
    return tree;
  }

  private async fingerprint(): Promise<string> {
    // Two reads (the audit log is the audit feature's): a write between them gives a fingerprint
    // no state had, so the next request rebuilds once more; the tree, built after both, is never
    // older than what the fingerprint saw.
    const { row, audited } = await this.db.read(async (m) => {
      const [row] = await m.query<Array<{ n: unknown; at: unknown }>>(`SELECT COUNT(*) AS "n", MAX("updatedAt") AS "at" FROM "entities"`);
      return { row, audited: await this.audit.newestIdWithin(m, 'entity') };
    });
    const at = row?.at instanceof Date ? row.at.toISOString() : String(row?.at ?? '');
    return `${String(row?.n ?? 0)}|${at}|${String(audited ?? '')}`;
  }

  private async build(levels: HierarchyLevel[]): Promise<NamedNode> {
    const rows = await this.db.read<Row[]>((m) =>
      m.query(
        `SELECT "id", "name", "parentId", "country", "sector", "hosts", "dailyValueUsd", "populationServed" FROM "entities" WHERE "originTlp" IS NULL OR "originTlp" IN (${EVERYONE.map((t) => `'${t}'`).join(', ')})`,
      ),
    );
    const root = buildHierarchy(rows, levels, {
      hosts: (r) => Number(r.hosts),
      dailyValueUsd: (r) => Number(r.dailyValueUsd),
      populationServed: (r) => Number(r.populationServed),
    });
    // Display names: organisations by their entity's name, countries by their short English name.
    const names = new Map(rows.map((r) => [r.id, r.name]));
    const named = (node: HierarchyJson<EntityTotals>): NamedNode => ({
      ...node,
      name: node.level === 'organization' ? names.get(node.key) ?? node.key : node.level === 'country' ? COUNTRY_NAMES[node.key] ?? node.key : node.key,
      children: node.children?.map(named),
    });
    return named(hierarchyToJson(root));
  }
}
