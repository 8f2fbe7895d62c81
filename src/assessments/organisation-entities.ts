/**
 * The entities of a member organisation, as far as the service can tell: the API-key
 * organisations are not linked to the dependency graph, so an organisation's entities are the
 * ones its own reports name (any weapon, any version: it reports on its own sites and
 * constituency), each with its whole organisation in the graph (its top-level ancestor and every
 * entity below that). Read on each call: a report filed a moment ago counts.
 */
import { In, type EntityManager } from 'typeorm';
import { EntityNode } from '../graph/entity-node.entity';
import { Report } from '../reports/report.entity';

/** Guards a cyclic or very deep parent chain (the graph forbids cycles; a bound costs nothing). */
const MAX_DEPTH = 64;
/** Ids per IN (...) list, below SQLite's bound variable limit. */
const CHUNK = 500;

async function byIds<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
  return out;
}

export async function organisationEntities(m: EntityManager, organizationId: string): Promise<Set<string>> {
  const named = await m.getRepository(Report).createQueryBuilder('r')
    .select('DISTINCT r.entityId', 'entityId')
    .where('r.organizationId = :org', { org: organizationId })
    .getRawMany<{ entityId: string }>();
  const nodes = m.getRepository(EntityNode);
  // up: each named entity's top-level ancestor
  const parentOf = new Map<string, string | null>();
  let frontier = [...new Set(named.map((r) => r.entityId))];
  for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
    const rows = await byIds(frontier, (chunk) => nodes.find({ select: { id: true, parentId: true }, where: { id: In(chunk) } }));
    for (const r of rows) parentOf.set(r.id, r.parentId);
    frontier = [...new Set(rows.map((r) => r.parentId).filter((p): p is string => !!p && !parentOf.has(p)))];
  }
  const top = (id: string) => {
    let at = id;
    for (let depth = 0; parentOf.get(at) && depth < MAX_DEPTH; depth++) at = parentOf.get(at)!;
    return at;
  };
  const mine = new Set(named.map((r) => r.entityId));
  // down: every entity below those top-level ancestors
  frontier = [...new Set([...parentOf.keys()].map(top))];
  for (const id of frontier) mine.add(id);
  for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
    const rows = await byIds(frontier, (chunk) => nodes.find({ select: { id: true }, where: { parentId: In(chunk) } }));
    frontier = rows.map((r) => r.id).filter((id) => !mine.has(id));
    for (const id of frontier) mine.add(id);
  }
  return mine;
}
