import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION_CODES = new Set([
  '23505', // PostgreSQL unique_violation
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
]);

/**
 * The field (camelCase column) whose unique constraint `error` violated, `'body'` when the
 * driver does not say which, or undefined when `error` is not a unique violation. Reads
 * PostgreSQL's "Key (username)=(…) already exists" and SQLite's "UNIQUE constraint failed:
 * users.username".
 */
export function uniqueViolationField(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as
    { code?: string; detail?: string; message?: string } | undefined;
  if (!UNIQUE_VIOLATION_CODES.has(driverError?.code ?? '')) return undefined;
  const text = driverError?.detail ?? driverError?.message ?? error.message;
  const postgres = /Key \(([^)]+)\)=/.exec(text);
  if (postgres) return snakeToCamel(postgres[1].split(',')[0].trim());
  const sqlite = /UNIQUE constraint failed: \w+\.(\w+)/.exec(text);
  if (sqlite) return snakeToCamel(sqlite[1]);
  return 'body';
}

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
