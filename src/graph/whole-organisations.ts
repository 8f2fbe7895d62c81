/**
 * The whole organisations in the graph of some entities: each entity's top-level ancestor and
 * every entity below that (what "the entities of a member organisation" widens its reports'
 * entities to: AssessmentsService.organisationEntities).
 */
import { In, type EntityManager } from 'typeorm';
import { EntityNode } from './entity-node.entity';

/** Guards a cyclic or very deep parent chain (the graph forbids cycles; a bound costs nothing). */
const MAX_DEPTH = 64;
/** Ids per IN (...) list, below SQLite's bound variable limit. */
const CHUNK = 500;

async function byIds<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
  return out;
}

/** `ids` (stored or not) and the whole organisations of the stored ones. */
export async function wholeOrganisations(m: EntityManager, ids: readonly string[]): Promise<Set<string>> {
  const nodes = m.getRepository(EntityNode);
  // up: each named entity's top-level ancestor
  const parentOf = new Map<string, string | null>();
  let frontier = [...new Set(ids)];
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
  const mine = new Set(ids);
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
