/**
 * Whether the stored graph's service-dependency matrix lets an inoperability cascade settle
 * (spectral radius below 1), answered from the functional dependencies alone and kept until they
 * change. An assessment request refuses an unstable graph with this before it queues a job: at a
 * million entities reading and preparing the whole graph in the request took minutes, the
 * functional dependencies are a quarter of the rows, and an unchanged graph costs one count.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DEFAULT_FUNCTIONAL_KINDS, FunctionalArcs, isStable, spectralRadius, UnstableDependencyMatrixError } from '../engine';
import { storedBoolean } from './stored-graph';
import { unstableMatrix } from './unstable-matrix';

/** Rows a page of the read holds (keyset pages on the primary key, as the graph read). */
const PAGE_ROWS = 50_000;

@Injectable()
export class ServiceStability {
  /**
   * The last radius and the functional dependencies' count and newest id it was computed on.
   * Dependencies are only added (new, higher ids) or removed (a lower count; removing an entity
   * removes its dependencies), never edited in place, so an equal mark is an equal matrix.
   */
  private known: { mark: string; radius: number } | null = null;

  /** Throws the 422 when the stored matrix is unstable; returns its spectral radius. */
  async checkWithin(m: EntityManager): Promise<number> {
    const radius = await this.radiusWithin(m);
    if (!isStable(radius)) throw unstableMatrix(new UnstableDependencyMatrixError(radius));
    return radius;
  }

  private async radiusWithin(m: EntityManager): Promise<number> {
    const kinds = DEFAULT_FUNCTIONAL_KINDS;
    const postgres = m.connection.options.type === 'postgres';
    const p = (i: number) => (postgres ? `$${i}` : '?');
    const functional = `"kind" IN (${kinds.map((_, i) => p(i + 1)).join(', ')}) AND "weight" > 0`;
    const [count] = await m.query(`SELECT COUNT(*) AS "count", MAX("id") AS "last" FROM "dependencies" WHERE ${functional}`, [...kinds]);
    const mark = `${count.count}:${count.last}`;
    if (this.known?.mark === mark) return this.known.radius;

    const arcs = new FunctionalArcs(kinds);
    const index = new Map<string, number>();
    const at = (id: string) => {
      let i = index.get(id);
      if (i === undefined) index.set(id, (i = index.size));
      return i;
    };
    for (let after = -Infinity; ;) {
      const rows: Array<{ id: number | string; sourceId: string; targetId: string; kind: string; weight: number | string; bidirectional: unknown }> = await m.query(
        `SELECT "id", "sourceId", "targetId", "kind", "weight", "bidirectional" FROM "dependencies" WHERE ${functional}` +
          (after === -Infinity ? '' : ` AND "id" > ${p(kinds.length + 1)}`) + ` ORDER BY "id" LIMIT ${PAGE_ROWS}`,
        after === -Infinity ? [...kinds] : [...kinds, after],
      );
      for (const d of rows) {
        arcs.add(at(d.sourceId), at(d.targetId), d.kind, Number(d.weight), storedBoolean(d.bidirectional));
      }
      if (rows.length < PAGE_ROWS) break;
      after = Number(rows[rows.length - 1].id);
    }
    // The radius does not depend on how entities are numbered, nor on entities without a functional dependency.
    const radius = spectralRadius(arcs.matrix(index.size));
    this.known = { mark, radius };
    return radius;
  }
}
