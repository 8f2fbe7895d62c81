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

  private queue<T>(task: () => Promise<T>): Promise<T> {
    if (!this.serialised) return task();
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
