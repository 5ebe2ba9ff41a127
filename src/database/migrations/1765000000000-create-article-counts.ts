import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import {
  type CountedScope,
  postgresCountingFunction,
  sqliteCountingTriggers,
} from './article-count-triggers.js';

/**
 * Exact article counts kept by the database itself, so lists read `articlesCount` from one
 * indexed row instead of counting matching rows. One row per (scope, key):
 *
 * - `all`, 0: every article;
 * - `author`, user id: articles written by that user;
 * - `tag`, tag id: articles carrying that tag;
 * - `favorited`, user id: articles that user favorited.
 *
 * Triggers on `articles`, `article_tags` and `favorites` apply every insert and delete in the
 * writing transaction, including rows removed by ON DELETE CASCADE (deleting a user or an
 * article) and by raw SQL. A missing row means 0. PostgreSQL uses statement-level triggers
 * over transition tables (one aggregated upsert per statement, so bulk inserts stay cheap)
 * plus a BEFORE STATEMENT lock on the `all` row, so every transaction that touches article or
 * tag counts takes that row first and concurrent writers cannot deadlock on counter rows.
 * SQLite has row triggers only; it runs one writer at a time anyway.
 *
 * The backfill below is deliberately a copy of the statement `ArticleCounts` uses to verify and
 * repair (a migration must not change when application code does).
 */
export class CreateArticleCounts1765000000000 implements MigrationInterface {
  name = 'CreateArticleCounts1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'article_counts',
        columns: [
          { name: 'scope', type: 'varchar', length: '16', isPrimary: true },
          { name: 'key_id', type: 'integer', isPrimary: true },
          { name: 'total', type: 'integer', default: 0 },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO article_counts (scope, key_id, total)
       SELECT 'all', 0, COUNT(*) FROM articles
       UNION ALL SELECT 'author', author_id, COUNT(*) FROM articles GROUP BY author_id
       UNION ALL SELECT 'tag', tag_id, COUNT(*) FROM article_tags GROUP BY tag_id
       UNION ALL SELECT 'favorited', user_id, COUNT(*) FROM favorites GROUP BY user_id`,
    );
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? postgresTriggers() : sqliteTriggers())
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const [table] of COUNTED) {
      if (postgres) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS article_counts_lock ON ${table}`);
        for (const event of ['insert', 'delete', 'update'])
          await queryRunner.query(`DROP TRIGGER IF EXISTS article_counts_${event} ON ${table}`);
        await queryRunner.query(`DROP FUNCTION IF EXISTS article_counts_${table}()`);
      } else {
        for (const event of ['insert', 'delete', 'update'])
          await queryRunner.query(`DROP TRIGGER IF EXISTS article_counts_${table}_${event}`);
      }
    }
    if (postgres) {
      await queryRunner.query('DROP TRIGGER IF EXISTS article_counts_lock ON users');
      await queryRunner.query('DROP FUNCTION IF EXISTS article_counts_lock()');
    }
    await queryRunner.dropTable('article_counts');
  }
}

/** Counted table, and for each of its rows the (scope, key column) pairs it counts towards. */
const COUNTED: Array<[string, CountedScope[]]> = [
  [
    'articles',
    [
      ['all', null],
      ['author', 'author_id'],
    ],
  ],
  ['article_tags', [['tag', 'tag_id']]],
  ['favorites', [['favorited', 'user_id']]],
];

function postgresTriggers(): string[] {
  const statements = [
    // Every writer of article or tag counts locks the `all` row first (and holds it until
    // commit), so counter rows are always taken in the same order: no deadlocks.
    `CREATE FUNCTION article_counts_lock() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM 1 FROM article_counts WHERE scope = 'all' AND key_id = 0 FOR UPDATE;
       RETURN NULL;
     END $$`,
    // A user's deletion cascades to their articles, favorites and the tag links of their articles.
    `CREATE TRIGGER article_counts_lock BEFORE DELETE ON users
     FOR EACH STATEMENT EXECUTE FUNCTION article_counts_lock()`,
  ];
  for (const [table, scopes] of COUNTED) {
    const lockEvents = table === 'favorites' ? null : 'INSERT OR DELETE';
    statements.push(
      postgresCountingFunction(table, scopes),
      `CREATE TRIGGER article_counts_insert AFTER INSERT ON ${table}
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION article_counts_${table}()`,
      `CREATE TRIGGER article_counts_delete AFTER DELETE ON ${table}
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION article_counts_${table}()`,
      `CREATE TRIGGER article_counts_update AFTER UPDATE ON ${table}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION article_counts_${table}()`,
    );
    // Favorites touch one counter row per favoriting user and nothing else: no lock needed.
    if (lockEvents)
      statements.push(
        `CREATE TRIGGER article_counts_lock BEFORE ${lockEvents} ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION article_counts_lock()`,
      );
  }
  return statements;
}

function sqliteTriggers(): string[] {
  return COUNTED.flatMap(([table, scopes]) => sqliteCountingTriggers(table, scopes));
}
