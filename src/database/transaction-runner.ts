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
 *
 * A PostgreSQL deadlock or serialization failure aborts the whole transaction and is not the
 * request's fault: the unit of work is run again from the start (a few times, with a short
 * random pause), as PostgreSQL's documentation recommends. The same holds on SQLite for a
 * transaction that read before another process (the counters CLI, a cluster worker) committed
 * a write: in WAL mode its upgrade to a writer fails at once with SQLITE_BUSY_SNAPSHOT, which no
 * busy timeout can wait out. Units of work must therefore only
 * touch the database through `manager` (anything else would happen twice).
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'postgres';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.runRetryingConflicts(work);
    const result = this.queue.then(() => this.runRetryingConflicts(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runRetryingConflicts<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await sleep(Math.random() * RETRY_PAUSE_MS * attempt);
      }
    }
  }
}

const MAX_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 20;
/**
 * deadlock_detected and serialization_failure on PostgreSQL, a stale snapshot or an expired busy
 * wait on SQLite: the transaction lost a race, nothing more.
 */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);

/** True for a database error (raw or wrapped by TypeORM) that a retry can cure. */
export function isRetryableConflict(error: unknown): boolean {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
