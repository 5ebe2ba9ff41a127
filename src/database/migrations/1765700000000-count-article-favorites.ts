import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  type CountedScope,
  postgresCountingFunction,
  sqliteCountingTriggers,
} from './article-count-triggers.js';

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
  private async installTriggers(queryRunner: QueryRunner, scopes: CountedScope[]): Promise<void> {
    // PostgreSQL: the triggers stay as CreateArticleCounts made them; the function they run
    // is redefined. SQLite: the row triggers are recreated.
    const statements =
      queryRunner.connection.options.type === 'postgres'
        ? [postgresCountingFunction('favorites', scopes, { replace: true })]
        : [
            ...['insert', 'delete', 'update'].map(
              (event) => `DROP TRIGGER IF EXISTS article_counts_favorites_${event}`,
            ),
            ...sqliteCountingTriggers('favorites', scopes),
          ];
    for (const statement of statements) await queryRunner.query(statement);
  }
}
