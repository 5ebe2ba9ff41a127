import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION_CODES = new Set([
  '23505', // PostgreSQL unique_violation
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
]);

/** Expression indexes name no column: the field each one guards. */
const EXPRESSION_INDEX_FIELDS: Record<string, string> = {
  idx_users_username_lower: 'username',
};

/**
 * The field (camelCase column) whose unique constraint `error` violated, `'body'` when the
 * driver does not say which, or undefined when `error` is not a unique violation. Reads
 * PostgreSQL's "Key (username)=(…) already exists" and SQLite's "UNIQUE constraint failed:
 * users.username".
 */
export function uniqueViolationField(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as
    { code?: string; detail?: string; message?: string; constraint?: string } | undefined;
  if (!UNIQUE_VIOLATION_CODES.has(driverError?.code ?? '')) return undefined;
  for (const [index, field] of Object.entries(EXPRESSION_INDEX_FIELDS)) {
    if (driverError?.constraint === index || (driverError?.message ?? '').includes(index))
      return field;
  }
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
