import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs a unit of work in one transaction. Every write in the services goes through here.
 *
 * Why not `dataSource.transaction()` directly: TypeORM's better-sqlite3 driver shares ONE
 * connection, so a second concurrent transaction would become a savepoint inside the first,
 * and a write issued meanwhile would be rolled back with someone else's failure. On SQLite
 * units of work are therefore queued (one writer at a time, which is SQLite's model anyway);
 * PostgreSQL runs them concurrently on pooled connections; a connection whose statement timed
 * out or whose ROLLBACK failed is destroyed rather than returned to the pool (see
 * SelfDiscardingClient), so a failed unit of work never leaks into the next borrower's.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'postgres';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }
}
