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
    if (!this.serialise) return this.runRetryingDeadlocks(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * PostgreSQL aborts one of two transactions that wait on each other's row locks (40P01), e.g.
   * an article's delete cascading through the counter triggers while a comment on it is
   * inserted. The aborted one rolled back entirely, so it is run again (at most
   * DEADLOCK_ATTEMPTS times, after a short random pause) instead of failing its request with a 500.
   */
  private async runRetryingDeadlocks<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (code !== '40P01' || attempt >= DEADLOCK_ATTEMPTS) throw error;
        // A short random pause, so the two transactions do not meet in the same order again.
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }
}

const DEADLOCK_ATTEMPTS = 5;
