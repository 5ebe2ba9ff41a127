import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app.config.js';
import { entities } from './entities.js';
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
  } as const;

  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      poolSize: database.poolSize,
      extra: { connectionTimeoutMillis: 5000 },
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
