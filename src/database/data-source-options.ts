import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app.config.js';
import { entities } from './entities.js';
import { ParameterFreeLogger } from './parameter-free-logger.js';
import { SelfDiscardingClient } from './self-discarding-pg-client.js';
import { migrations } from './migrations/index.js';

/**
 * How long the PostgreSQL client waits for any answer before giving up on a query: one second
 * beyond the server's statement_timeout, so a slow statement fails on the server (cleanly) and
 * only a server that cannot answer at all (frozen or cut network) hits this one.
 */
export function clientQueryTimeoutMs(database: { statementTimeoutMs: number }): number {
  return database.statementTimeoutMs + 1000;
}

/**
 * The single place that turns configuration into TypeORM options; used by the app module,
 * the migration CLI (ormconfig.ts) and the tests, so all three see the same schema.
 */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: database.logging,
    logger: new ParameterFreeLogger(database.logging),
  } as const;

  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      poolSize: database.poolSize,
      // An unreachable database must turn into a quick 503, not a request hanging for minutes:
      // a bounded wait for a connection, a server-side statement limit, and a client-side limit
      // just above it for when the server cannot even answer (network cut or frozen, host gone).
      connectTimeoutMS: database.connectTimeoutMs,
      extra: {
        // A connection whose query timed out or whose ROLLBACK failed is destroyed, never
        // lent again with its transaction still open (see SelfDiscardingClient).
        Client: SelfDiscardingClient,
        connectionTimeoutMillis: database.connectTimeoutMs,
        statement_timeout: database.statementTimeoutMs,
        query_timeout: clientQueryTimeoutMs(database),
        // The server's side of the same bound: a transaction left open by a client that
        // vanished (frozen network, no reset) is rolled back and its locks freed.
        idle_in_transaction_session_timeout: clientQueryTimeoutMs(database),
        keepAlive: true,
      },
    };
  }

  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: database.path !== ':memory:',
    // Concurrent writers wait for the lock instead of failing with SQLITE_BUSY.
    timeout: 10_000,
  };
}
