import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each article's `favoritesCount` becomes a maintained count too: `article_counts` rows of
 * scope `favoriters`, keyed by article id, kept by the same favorites triggers that keep each
 * user's `favorited` count (see CreateArticleCounts). A list page used to count every
 * favorite of its 20 articles; the most favorited articles (exactly what `?favorited=` of an
 * active user returns) made that read grow with the data: 22 ms at 100k, 276 ms at 1M.
 *
 * Both counts of a favorite are written by one statement, `favorited` rows before
 * `favoriters` rows, so two favoriting transactions take them in the same order. Favorites
 * still skip the `all` lock: a user's deletion can take the two scopes in the other order
 * (its own favorites, then other users' favorites of its articles), and the rare deadlock that
 * follows is retried by the TransactionRunner like any other.
 *
 * The backfill is a copy of the `favoriters` line of ArticleCounts' ACTUAL_COUNTS.
 */
export class CountArticleFavorites1765700000000 implements MigrationInterface {
  name = 'CountArticleFavorites1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO article_counts (scope, key_id, total)
       SELECT 'favoriters', article_id, COUNT(*) FROM favorites GROUP BY article_id`,
    );
    await this.installTriggers(queryRunner, [
      ['favorited', 'user_id'],
      ['favoriters', 'article_id'],
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.installTriggers(queryRunner, [['favorited', 'user_id']]);
    await queryRunner.query(`DELETE FROM article_counts WHERE scope = 'favoriters'`);
  }

  /** The favorites triggers, counting each favorite once per (scope, key column) given. */
  private async installTriggers(
    queryRunner: QueryRunner,
    scopes: Array<[string, string]>,
  ): Promise<void> {
    const statements =
      queryRunner.connection.options.type === 'postgres'
        ? postgresFunction(scopes)
        : sqliteTriggers(scopes);
    for (const statement of statements) await queryRunner.query(statement);
  }
}

const UPSERT = `ON CONFLICT (scope, key_id) DO UPDATE SET total = article_counts.total + excluded.total`;

/** The triggers stay as CreateArticleCounts made them; only the function they run changes. */
function postgresFunction(scopes: Array<[string, string]>): string[] {
  const deltas = (rows: string, sign: string) =>
    scopes
      .map(
        ([scope, column]) =>
          `SELECT '${scope}'::varchar AS scope, ${column} AS key_id, ${sign}COUNT(*) AS n FROM ${rows} GROUP BY ${column}`,
      )
      .join(' UNION ALL ');
  const apply = (source: string) =>
    `INSERT INTO article_counts (scope, key_id, total)
     SELECT scope, key_id, SUM(n) FROM (${source}) AS delta
     GROUP BY scope, key_id HAVING SUM(n) <> 0 ORDER BY scope, key_id ${UPSERT};`;
  const moved = scopes
    .map(
      ([scope, column]) =>
        `SELECT '${scope}'::varchar AS scope, o.${column} AS key_id, -COUNT(*) AS n FROM old_rows o GROUP BY o.${column}
         UNION ALL SELECT '${scope}'::varchar AS scope, n.${column} AS key_id, COUNT(*) AS n FROM new_rows n GROUP BY n.${column}`,
    )
    .join(' UNION ALL ');
  return [
    `CREATE OR REPLACE FUNCTION article_counts_favorites() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'INSERT' THEN
         ${apply(deltas('new_rows', ''))}
       ELSIF TG_OP = 'DELETE' THEN
         ${apply(deltas('old_rows', '-'))}
       ELSE
         ${apply(moved)}
       END IF;
       RETURN NULL;
     END $$`,
  ];
}

function sqliteTriggers(scopes: Array<[string, string]>): string[] {
  const values = (row: 'NEW' | 'OLD', delta: number) =>
    scopes.map(([scope, column]) => `('${scope}', ${row}.${column}, ${delta})`).join(', ');
  const moved = scopes
    .map(([scope, column]) => `('${scope}', OLD.${column}, -1), ('${scope}', NEW.${column}, 1)`)
    .join(', ');
  return [
    ...['insert', 'delete', 'update'].map(
      (event) => `DROP TRIGGER IF EXISTS article_counts_favorites_${event}`,
    ),
    `CREATE TRIGGER article_counts_favorites_insert AFTER INSERT ON favorites BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES ${values('NEW', 1)} ${UPSERT};
     END`,
    `CREATE TRIGGER article_counts_favorites_delete AFTER DELETE ON favorites BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES ${values('OLD', -1)} ${UPSERT};
     END`,
    `CREATE TRIGGER article_counts_favorites_update
     AFTER UPDATE OF ${scopes.map(([, column]) => column).join(', ')} ON favorites BEGIN
       INSERT INTO article_counts (scope, key_id, total) VALUES ${moved} ${UPSERT};
     END`,
  ];
}
