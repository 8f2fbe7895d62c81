import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The one way services touch the database: `write` runs a function in a transaction
 * (one per request, so a failed request leaves nothing behind), `read` runs a query.
 *
 * TypeORM's sqlite3 driver has a single connection shared by every caller, so two
 * interleaved transactions would nest as savepoints of each other. On SQLite both
 * reads and writes therefore pass through one FIFO queue; PostgreSQL has a pool and
 * real isolation, so nothing is queued there.
 */
@Injectable()
export class DatabaseService {
  private tail: Promise<unknown> = Promise.resolve();
  readonly serialised: boolean;

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    this.serialised = dataSource.options.type === 'sqlite';
  }

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.queue(() => this.dataSource.transaction(work));
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.queue(() => work(this.dataSource.manager));
  }

  /**
   * Keeps PostgreSQL's planner statistics current after a bulk write: ANALYZEs the table when
   * the rows just written exceed a fifth of the rows its statistics last counted (none for a
   * table never analysed). Autovacuum would, but later; until then the planner takes a
   * million-row table for an empty one and picks sequential scans. Growth by a fifth each time
   * bounds the ANALYZEs of a 10M-row import in 100,000-row requests to about 25, each reading a
   * fixed sample (~0.1-0.5 s). SQLite: nothing to do.
   */
  async analyzeAfterBulk(table: string, written: number): Promise<void> {
    if (this.serialised || written === 0) return;
    const [row] = await this.dataSource.query('SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)', [`"${table}"`]);
    if (!row) return;
    const counted = Math.max(0, Number(row.reltuples));
    if (written > counted / 5) await this.dataSource.query(`ANALYZE "${table}"`);
  }

  private queue<T>(task: () => Promise<T>): Promise<T> {
    if (!this.serialised) return task();
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
