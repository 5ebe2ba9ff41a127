/**
 * The SQL of the triggers that keep `article_counts` (see CreateArticleCounts), shared by the
 * migrations that create or change them. What it produces is part of applied migrations:
 * change it only in ways that leave their statements as they are (new options, new callers).
 */

/** A count a table's rows feed: its scope, and the column holding its key (null: key 0). */
export type CountedScope = [scope: string, column: string | null];

const UPSERT = `ON CONFLICT (scope, key_id) DO UPDATE SET total = article_counts.total + excluded.total`;

/**
 * PostgreSQL: the statement-level function `article_counts_<table>()` that applies one
 * aggregated upsert per statement and (scope, key), in a fixed order; its triggers run it
 * after INSERT, DELETE and UPDATE with the transition tables `new_rows` / `old_rows`.
 * `replace` redefines an existing function (its triggers keep calling it).
 */
export function postgresCountingFunction(
  table: string,
  scopes: CountedScope[],
  { replace = false } = {},
): string {
  // One delta row per (scope, key) of the statement's rows, in a fixed order.
  const deltas = (rows: string, sign: string) =>
    scopes
      .map(([scope, column]) =>
        column === null
          ? `SELECT '${scope}'::varchar AS scope, 0 AS key_id, ${sign}COUNT(*) AS n FROM ${rows} HAVING COUNT(*) > 0`
          : `SELECT '${scope}'::varchar AS scope, ${column} AS key_id, ${sign}COUNT(*) AS n FROM ${rows} GROUP BY ${column}`,
      )
      .join(' UNION ALL ');
  const apply = (source: string) =>
    `INSERT INTO article_counts (scope, key_id, total)
     SELECT scope, key_id, SUM(n) FROM (${source}) AS delta
     GROUP BY scope, key_id HAVING SUM(n) <> 0 ORDER BY scope, key_id ${UPSERT};`;
  // An UPDATE that moves a row to another key (e.g. an article's author): -1 old, +1 new.
  const moved = keyedOf(scopes)
    .map(
      ([scope, column]) =>
        `SELECT '${scope}'::varchar AS scope, o.${column} AS key_id, -COUNT(*) AS n FROM old_rows o GROUP BY o.${column}
         UNION ALL SELECT '${scope}'::varchar AS scope, n.${column} AS key_id, COUNT(*) AS n FROM new_rows n GROUP BY n.${column}`,
    )
    .join(' UNION ALL ');
  return `CREATE ${replace ? 'OR REPLACE ' : ''}FUNCTION article_counts_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'INSERT' THEN
         ${apply(deltas('new_rows', ''))}
       ELSIF TG_OP = 'DELETE' THEN
         ${apply(deltas('old_rows', '-'))}
       ELSE
         ${apply(moved)}
       END IF;
       RETURN NULL;
     END $$`;
}

/** SQLite: the row triggers `article_counts_<table>_insert|delete|update` doing the same. */
export function sqliteCountingTriggers(table: string, scopes: CountedScope[]): string[] {
  const values = (row: 'NEW' | 'OLD', delta: number) =>
    scopes
      .map(([scope, column]) => `('${scope}', ${column ? `${row}.${column}` : 0}, ${delta})`)
      .join(', ');
  const keyed = keyedOf(scopes);
  return [
    `CREATE TRIGGER article_counts_${table}_insert AFTER INSERT ON ${table} BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES ${values('NEW', 1)} ${UPSERT};
     END`,
    `CREATE TRIGGER article_counts_${table}_delete AFTER DELETE ON ${table} BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES ${values('OLD', -1)} ${UPSERT};
     END`,
    `CREATE TRIGGER article_counts_${table}_update
     AFTER UPDATE OF ${keyed.map(([, column]) => column).join(', ')} ON ${table} BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES
         ${keyed.map(([scope, column]) => `('${scope}', OLD.${column}, -1), ('${scope}', NEW.${column}, 1)`).join(', ')}
         ${UPSERT};
     END`,
  ];
}

function keyedOf(scopes: CountedScope[]): Array<[string, string]> {
  return scopes.filter(([, column]) => column !== null) as Array<[string, string]>;
}
