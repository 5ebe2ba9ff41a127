import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

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
const COUNTED: Array<[string, Array<[string, string | null]>]> = [
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

const UPSERT = `ON CONFLICT (scope, key_id) DO UPDATE SET total = article_counts.total + excluded.total`;

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
    const keyed = scopes.filter(([, column]) => column !== null) as Array<[string, string]>;
    const moved = keyed
      .map(
        ([scope, column]) =>
          `SELECT '${scope}'::varchar AS scope, o.${column} AS key_id, -COUNT(*) AS n FROM old_rows o GROUP BY o.${column}
           UNION ALL SELECT '${scope}'::varchar AS scope, n.${column} AS key_id, COUNT(*) AS n FROM new_rows n GROUP BY n.${column}`,
      )
      .join(' UNION ALL ');
    const lockEvents = table === 'favorites' ? null : 'INSERT OR DELETE';
    statements.push(
      `CREATE FUNCTION article_counts_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
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
  const statements: string[] = [];
  for (const [table, scopes] of COUNTED) {
    const values = (row: 'NEW' | 'OLD', delta: number) =>
      scopes
        .map(([scope, column]) => `('${scope}', ${column ? `${row}.${column}` : 0}, ${delta})`)
        .join(', ');
    const keyed = scopes.filter(([, column]) => column !== null) as Array<[string, string]>;
    statements.push(
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
    );
  }
  return statements;
}
