import type { DataSource, QueryRunner } from 'typeorm';
import { ProgressBar } from './progress-bar.js';
import type { DataPlan } from './seed-args.js';
import { SEED_EMAIL_DOMAIN, SeedDataGenerator } from './seed-data.js';

/**
 * Writes a generated dataset with bulk inserts in one transaction: all of it or nothing.
 * PostgreSQL gets one `INSERT … SELECT FROM unnest($1::type[], …)` per 5,000 rows (one
 * parameter per column, however many rows); SQLite gets multi-row VALUES statements, which
 * better-sqlite3 runs in-process without round trips.
 */

type PgType = 'int' | 'text' | 'timestamptz';
interface Column {
  name: string;
  pg: PgType;
}

const int = (name: string): Column => ({ name, pg: 'int' });
const text = (name: string): Column => ({ name, pg: 'text' });
const time = (name: string): Column => ({ name, pg: 'timestamptz' });

const TABLES = {
  users: [
    int('id'),
    text('email'),
    text('username'),
    text('password_hash'),
    text('bio'),
    text('image'),
    text('role'),
    time('created_at'),
    time('updated_at'),
  ],
  articles: [
    int('id'),
    text('slug'),
    text('title'),
    text('description'),
    text('body'),
    int('author_id'),
    time('created_at'),
    time('updated_at'),
  ],
  article_tags: [int('article_id'), int('tag_id')],
  follows: [int('follower_id'), int('followee_id'), time('created_at')],
  favorites: [int('user_id'), int('article_id'), time('created_at')],
  comments: [
    int('id'),
    text('body'),
    int('article_id'),
    int('author_id'),
    time('created_at'),
    time('updated_at'),
  ],
} satisfies Record<string, Column[]>;

type Table = keyof typeof TABLES;
type Row = (string | number | null)[];

const PG_BATCH_ROWS = 5_000;
/** SQLite binds at most 32,766 parameters per statement. */
const SQLITE_MAX_PARAMETERS = 30_000;

export interface SeedOutcome {
  rows: Record<Table, number>;
  seconds: number;
}

export class BulkSeeder {
  private readonly postgres: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: (message: string) => void,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /** Number of seeded accounts present (recognised by their email domain). */
  async seededUsers(): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number | string }[]>(
      `SELECT COUNT(*) AS count FROM users WHERE email LIKE '%@${SEED_EMAIL_DOMAIN}'`,
    );
    return Number(row.count);
  }

  /**
   * Deletes seeded accounts; their articles, comments, follows, favorites and sessions go by
   * cascade, then tags no article uses any more. Other data (the administrator, real users)
   * stays.
   */
  async reset(): Promise<void> {
    const started = Date.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM users WHERE email LIKE '%@${SEED_EMAIL_DOMAIN}'`);
      await manager.query(
        'DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM article_tags l WHERE l.tag_id = tags.id)',
      );
    });
    this.log(`reset: seeded data deleted in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  /** Inserts the dataset; every seeded user gets `passwordHash` (hashed once by the caller). */
  async seed(plan: DataPlan, passwordHash: string): Promise<SeedOutcome> {
    const started = Date.now();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const rows = {} as Record<Table, number>;
    const favoritesAndComments = plan.favorites + plan.comments;
    const progress = new ProgressBar(
      plan.users * (1 + plan.followsPerUser) + plan.articles + favoritesAndComments,
    );
    try {
      await runner.startTransaction();
      const first = {
        user: (await this.maxId(runner, 'users')) + 1,
        article: (await this.maxId(runner, 'articles')) + 1,
        comment: (await this.maxId(runner, 'comments')) + 1,
      };
      const generator = new SeedDataGenerator(plan, first, new Date());
      const at = (date: Date) => this.timestamp(date);

      rows.users = await this.insert(runner, 'users', progress, generator.users(), (user) => [
        user.id,
        user.email,
        user.username,
        passwordHash,
        user.bio,
        user.image,
        'user',
        at(user.createdAt),
        at(user.createdAt),
      ]);

      const tagIds = await this.ensureTags(runner, generator.tagNames);
      const links: Row[] = [];
      rows.article_tags = 0;
      rows.articles = await this.insert(
        runner,
        'articles',
        progress,
        generator.articles(),
        (article) => {
          for (const index of article.tagIndexes) links.push([article.id, tagIds[index]]);
          return [
            article.id,
            article.slug,
            article.title,
            article.description,
            article.body,
            article.authorId,
            at(article.createdAt),
            at(article.createdAt),
          ];
        },
        // Links of each batch right after it: the articles exist, and memory stays bounded.
        async () => {
          rows.article_tags += await this.insert(runner, 'article_tags', null, links, (l) => l);
          links.length = 0;
        },
      );

      rows.follows = await this.insert(runner, 'follows', progress, generator.follows(), (f) => [
        f.followerId,
        f.followeeId,
        at(f.createdAt),
      ]);
      rows.favorites = await this.insert(
        runner,
        'favorites',
        progress,
        generator.favorites(),
        (f) => [f.userId, f.articleId, at(f.createdAt)],
      );
      rows.comments = await this.insert(runner, 'comments', progress, generator.comments(), (c) => [
        c.id,
        c.body,
        c.articleId,
        c.authorId,
        at(c.createdAt),
        at(c.createdAt),
      ]);

      if (this.postgres) {
        // Explicit ids bypassed the sequences: move them past the new rows.
        for (const table of ['users', 'articles', 'comments'])
          await runner.query(
            `SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT MAX(id) FROM ${table}), 1))`,
          );
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      progress.finish();
      await runner.release();
    }
    // Fresh statistics, so the planner sees the new table sizes at once (as autovacuum
    // eventually would).
    await this.dataSource.query('ANALYZE');
    return { rows, seconds: (Date.now() - started) / 1000 };
  }

  private async maxId(runner: QueryRunner, table: string): Promise<number> {
    const [row] = (await runner.query(`SELECT MAX(id) AS max FROM ${table}`)) as {
      max: number | string | null;
    }[];
    return Number(row.max ?? 0);
  }

  /** Ids of the tag names (in order), creating the missing ones. */
  private async ensureTags(runner: QueryRunner, names: string[]): Promise<number[]> {
    const ids = new Map<string, number>();
    for (let i = 0; i < names.length; i += 500) {
      const batch = names.slice(i, i + 500);
      const placeholders = batch.map((_, j) => this.placeholder(j + 1)).join(', ');
      await runner.query(
        `INSERT INTO tags (name) VALUES ${batch.map((_, j) => `(${this.placeholder(j + 1)})`).join(', ')} ON CONFLICT (name) DO NOTHING`,
        batch,
      );
      const found = (await runner.query(
        `SELECT id, name FROM tags WHERE name IN (${placeholders})`,
        batch,
      )) as { id: number; name: string }[];
      for (const row of found) ids.set(row.name, Number(row.id));
    }
    return names.map((name) => ids.get(name)!);
  }

  /**
   * Streams `source` into `table` in batches; `afterBatch` runs after each batch is written.
   * Returns the number of rows.
   */
  private async insert<T>(
    runner: QueryRunner,
    table: Table,
    progress: ProgressBar | null,
    source: Iterable<T>,
    toRow: (item: T) => Row,
    afterBatch?: () => Promise<void>,
  ): Promise<number> {
    const columns = TABLES[table];
    const batchRows = this.postgres
      ? PG_BATCH_ROWS
      : Math.floor(SQLITE_MAX_PARAMETERS / columns.length);
    let batch: Row[] = [];
    let count = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.write(runner, table, columns, batch);
      count += batch.length;
      progress?.tick(table, batch.length);
      batch = [];
      await afterBatch?.();
    };
    for (const item of source) {
      batch.push(toRow(item));
      if (batch.length >= batchRows) await flush();
    }
    await flush();
    progress?.phaseDone(`${table} ${count}`);
    return count;
  }

  private async write(runner: QueryRunner, table: Table, columns: Column[], rows: Row[]) {
    const names = columns.map((column) => column.name).join(', ');
    if (this.postgres) {
      const arrays = columns.map((_, index) => rows.map((row) => row[index]));
      const unnest = columns.map((column, index) => `$${index + 1}::${column.pg}[]`).join(', ');
      await runner.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest})`, arrays);
      return;
    }
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await runner.query(
      `INSERT INTO ${table} (${names}) VALUES ${rows.map(() => tuple).join(', ')}`,
      rows.flat(),
    );
  }

  private placeholder(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  /** Timestamps as each dialect stores them (SQLite: UTC text with milliseconds). */
  private timestamp(date: Date): string {
    const iso = date.toISOString();
    return this.postgres ? iso : iso.replace('T', ' ').replace('Z', '');
  }
}
