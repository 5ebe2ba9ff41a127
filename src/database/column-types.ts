/**
 * Column types that differ between the two supported dialects. Decorators are evaluated when
 * entity files are imported, so the dialect is read from the environment directly: it is a
 * process-wide choice (DATABASE_URL set → PostgreSQL, otherwise SQLite).
 */
const isPostgres = /^postgres(ql)?:/.test(process.env.DATABASE_URL?.trim() ?? '');

/** Timestamp with time zone on PostgreSQL; UTC text (millisecond precision) on SQLite. */
export const timestampColumnType = isPostgres ? 'timestamptz' : 'datetime';

/** SQL default producing the current time with millisecond precision. */
export const currentTimestampSql = isPostgres ? 'now()' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";

/** Builds the options shared by every created/updated timestamp column. */
export function timestampColumn(name: string) {
  return { name, type: timestampColumnType, default: () => currentTimestampSql } as const;
}
