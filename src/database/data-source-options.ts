import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app.config.js';
import { entities } from './entities.js';
import { ParameterFreeLogger } from './parameter-free-logger.js';
import { migrations } from './migrations/index.js';

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
      // just above it for when the server cannot even answer (network cut, host gone).
      connectTimeoutMS: database.connectTimeoutMs,
      extra: {
        connectionTimeoutMillis: database.connectTimeoutMs,
        statement_timeout: database.statementTimeoutMs,
        query_timeout: database.statementTimeoutMs + 1000,
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
