import { Injectable } from '@nestjs/common';
import { invalid } from '../common/errors/domain-error';
import { COUNTRY_NAMES } from '../scenario/countries';
import { DatabaseService } from '../database/database.service';
import { buildHierarchy, hierarchyToJson, HierarchyJson, parseLevels } from './hierarchy';

interface Row {
  id: string;
  name: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  hosts: number;
  dailyValueUsd: number;
  populationServed: number;
}

export type EntityTotals = 'hosts' | 'dailyValueUsd' | 'populationServed';

/** A hierarchy node with a display name (the organisation's or country's name, else the key). */
export interface NamedNode extends Omit<HierarchyJson<EntityTotals>, 'children'> {
  name: string;
  children?: NamedNode[];
}

@Injectable()
export class HierarchyService {
  constructor(private readonly db: DatabaseService) {}

  /** The world tree over the requested levels with counts and sums of hosts, daily value and population served. */
  async tree(levelsParam: string | undefined): Promise<NamedNode> {
    const { levels, error } = parseLevels(levelsParam);
    if (error) throw invalid(`invalid levels: ${error}`, [{ field: 'levels', rule: 'isIn', message: error }]);
    const rows = await this.db.read<Row[]>((m) =>
      m.query('SELECT "id", "name", "parentId", "country", "sector", "hosts", "dailyValueUsd", "populationServed" FROM "entities"'),
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
