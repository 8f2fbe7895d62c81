import { Injectable } from '@nestjs/common';
import { invalid } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import { buildHierarchy, hierarchyToJson, HierarchyJson, parseLevels } from './hierarchy';

interface Row {
  id: string;
  parentId: string | null;
  country: string | null;
  sector: string | null;
  hosts: number;
  dailyValueUsd: number;
  populationServed: number;
}

export type EntityTotals = 'hosts' | 'dailyValueUsd' | 'populationServed';

@Injectable()
export class HierarchyService {
  constructor(private readonly db: DatabaseService) {}

  /** The world tree over the requested levels with counts and sums of hosts, daily value and population served. */
  async tree(levelsParam: string | undefined): Promise<HierarchyJson<EntityTotals>> {
    const { levels, error } = parseLevels(levelsParam);
    if (error) throw invalid(`invalid levels: ${error}`, [{ field: 'levels', rule: 'isIn', message: error }]);
    const rows = await this.db.read<Row[]>((m) =>
      m.query('SELECT "id", "parentId", "country", "sector", "hosts", "dailyValueUsd", "populationServed" FROM "entities"'),
    );
    const root = buildHierarchy(rows, levels, {
      hosts: (r) => Number(r.hosts),
      dailyValueUsd: (r) => Number(r.dailyValueUsd),
      populationServed: (r) => Number(r.populationServed),
    });
    return hierarchyToJson(root);
  }
}
