import { QueryFailedError } from 'typeorm';

const FOREIGN_KEY_VIOLATION_CODES = new Set([
  '23503', // PostgreSQL foreign_key_violation
  'SQLITE_CONSTRAINT_FOREIGNKEY',
]);

/**
 * True when `error` is a foreign-key violation: in this schema (every foreign key cascades on
 * delete) that means a row was written referencing a parent that no longer exists, e.g. a
 * comment posted while its article was being deleted.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string } | undefined)?.code ?? '';
  return FOREIGN_KEY_VIOLATION_CODES.has(code);
}

/**
 * True when `error` says the referenced parent row is missing (PostgreSQL names it: "Key
 * (article_id)=(5) is not present in table \"articles\""), as opposed to a parent that cannot
 * be deleted because rows still reference it.
 */
export function isMissingParentViolation(error: unknown): boolean {
  if (!isForeignKeyViolation(error)) return false;
  const detail = ((error as QueryFailedError).driverError as { detail?: string }).detail ?? '';
  return /is not present in table/.test(detail);
}
