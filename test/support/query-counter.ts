import type { DataSource, Logger } from 'typeorm';

/**
 * Counts the SQL statements the application sends while `work` runs. Every TypeORM query
 * runner (PostgreSQL and better-sqlite3 alike) reports each statement to
 * `dataSource.logger.logQuery` before executing it, so swapping in a counting logger sees all of
 * them, including the auth guard's session lookup. Nothing else may use the data source
 * meanwhile: run measured requests one at a time.
 */
export async function countQueries(
  dataSource: DataSource,
  work: () => Promise<unknown>,
): Promise<{ count: number; queries: string[] }> {
  const queries: string[] = [];
  const original = dataSource.logger;
  const counting: Logger = {
    logQuery: (query) => void queries.push(query),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  (dataSource as { logger: Logger }).logger = counting;
  try {
    await work();
  } finally {
    (dataSource as { logger: Logger }).logger = original;
  }
  return { count: queries.length, queries };
}
