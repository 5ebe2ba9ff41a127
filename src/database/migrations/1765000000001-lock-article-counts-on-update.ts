import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL: article UPDATEs also take the `all` count row first (see CreateArticleCounts).
 * An article edit that retags locks the article row (UPDATE articles) and then the `all` row
 * (its tag-link DELETE); an article deletion takes them in the other order, so the two could
 * deadlock. Locking the `all` row before any article write restores one order for everyone.
 * SQLite runs one writer at a time and has no such trigger.
 */
export class LockArticleCountsOnUpdate1765000000001 implements MigrationInterface {
  name = 'LockArticleCountsOnUpdate1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    await queryRunner.query('DROP TRIGGER article_counts_lock ON articles');
    await queryRunner.query(
      `CREATE TRIGGER article_counts_lock BEFORE INSERT OR DELETE OR UPDATE ON articles
       FOR EACH STATEMENT EXECUTE FUNCTION article_counts_lock()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    await queryRunner.query('DROP TRIGGER article_counts_lock ON articles');
    await queryRunner.query(
      `CREATE TRIGGER article_counts_lock BEFORE INSERT OR DELETE ON articles
       FOR EACH STATEMENT EXECUTE FUNCTION article_counts_lock()`,
    );
  }
}
