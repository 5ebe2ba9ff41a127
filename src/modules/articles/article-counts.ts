import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { Follow } from '../profiles/index.js';
import { Tag } from '../tags/index.js';
import { User } from '../users/index.js';
import { ArticleCount, type ArticleCountScope } from './entities/article-count.entity.js';

/** The filters of `GET /api/articles`. */
export interface ArticleFilters {
  tag?: string;
  author?: string;
  favorited?: string;
}

/** A stored count that differs from the rows it counts. */
export interface CountMismatch {
  scope: ArticleCountScope;
  keyId: number;
  stored: number;
  actual: number;
}

/**
 * Every count, recomputed from the rows: what `article_counts` must hold (rows absent here
 * must be 0). The CreateArticleCounts migration backfills with a copy of this statement.
 */
const ACTUAL_COUNTS = `SELECT 'all' AS scope, 0 AS key_id, COUNT(*) AS total FROM articles
  UNION ALL SELECT 'author', author_id, COUNT(*) FROM articles GROUP BY author_id
  UNION ALL SELECT 'tag', tag_id, COUNT(*) FROM article_tags GROUP BY tag_id
  UNION ALL SELECT 'favorited', user_id, COUNT(*) FROM favorites GROUP BY user_id`;

/**
 * Stored and actual counts side by side, differences only. One statement, so on a live
 * PostgreSQL database both sides come from the same snapshot.
 */
const MISMATCHES = `SELECT COALESCE(a.scope, s.scope) AS scope, COALESCE(a.key_id, s.key_id) AS key_id,
    COALESCE(s.total, 0) AS stored, COALESCE(a.total, 0) AS actual
  FROM (${ACTUAL_COUNTS}) a
  FULL OUTER JOIN article_counts s ON s.scope = a.scope AND s.key_id = a.key_id
  WHERE COALESCE(s.total, 0) <> COALESCE(a.total, 0)
  ORDER BY 1, 2`;

const REPAIR_BATCH = 500;

const givenFilters = (filters: ArticleFilters) =>
  (['tag', 'author', 'favorited'] as const).filter((name) => filters[name] !== undefined);

/**
 * Reads the exact article counts that database triggers keep in `article_counts` (see the
 * CreateArticleCounts migration): every write to articles, tag links and favorites, cascades
 * included (deleting a user or an article), updates them in its own transaction, so nothing
 * here needs calling after a write. {@link mismatches} and {@link repair} check and fix them
 * (`npm run counters -- --verify | --repair`).
 */
@Injectable()
export class ArticleCounts {
  /** One per filter (or none) and the feed: every list page reads one, so compiled once. */
  private readonly listCounts: Record<
    'all' | keyof ArticleFilters,
    CompiledSelect<ArticleCount, Total>
  >;
  private readonly feedCount: CompiledSelect<ArticleCount, Total>;

  constructor(@InjectRepository(ArticleCount) private readonly counts: Repository<ArticleCount>) {
    const compile = (build: (builder: CountQuery) => CountQuery) =>
      new CompiledSelect<ArticleCount, Total>(counts, 'count', build);
    const ofScope = (builder: CountQuery) =>
      builder.select('count.total', 'total').where('count.scope = :scope');
    // Usernames match case-insensitively, as the list's own filter does.
    const ofUser = () =>
      compile((builder) =>
        ofScope(builder).innerJoin(
          User,
          'user',
          'user.id = count.keyId AND LOWER(user.username) = :name',
        ),
      );
    this.listCounts = {
      all: compile((builder) => ofScope(builder).andWhere('count.keyId = 0')),
      tag: compile((builder) =>
        ofScope(builder).innerJoin(Tag, 'tag', 'tag.id = count.keyId AND tag.name = :name'),
      ),
      author: ofUser(),
      favorited: ofUser(),
    };
    this.feedCount = compile((builder) =>
      builder
        .select('COALESCE(SUM(count.total), 0)', 'total')
        .innerJoin(Follow, 'follow', 'follow.followeeId = count.keyId')
        .where("count.scope = 'author'")
        .andWhere('follow.followerId = :viewerId'),
    );
  }

  /** Whether one counter holds the count for these filters: at most one filter given. */
  static covers(filters: ArticleFilters): boolean {
    return givenFilters(filters).length <= 1;
  }

  /**
   * Articles matching at most one filter, from one indexed row (0 for an unknown tag or user).
   * Throws for combined filters ({@link covers}): no counter holds an intersection.
   */
  forList(filters: ArticleFilters): Promise<number> {
    const given = givenFilters(filters);
    if (given.length > 1) throw new Error('article counts: no counter for combined filters');
    if (given.length === 0) return read(this.listCounts.all, { scope: 'all' });
    const filter = given[0];
    const name = filter === 'tag' ? filters.tag : filters[filter]?.toLowerCase();
    return read(this.listCounts[filter], { scope: filter, name });
  }

  /** Articles in the viewer's feed: the sum of the followed authors' counts (one per follow). */
  forFeed(viewerId: number): Promise<number> {
    return read(this.feedCount, { viewerId });
  }

  /** Every stored count that differs from a fresh COUNT(*) of its rows. */
  async mismatches(manager: EntityManager = this.counts.manager): Promise<CountMismatch[]> {
    const rows =
      await manager.query<
        Array<{ scope: ArticleCountScope; key_id: unknown; stored: unknown; actual: unknown }>
      >(MISMATCHES);
    return rows.map((row) => ({
      scope: row.scope,
      keyId: Number(row.key_id),
      stored: Number(row.stored),
      actual: Number(row.actual),
    }));
  }

  /**
   * Rewrites every wrong count, inside the caller's transaction, and returns what was wrong.
   * Safe on a live database: it first holds what every counting writer needs (the `all` row
   * on PostgreSQL, which article, tag-link and user deletions lock first, and favorites in
   * SHARE mode; the write lock on SQLite), so no count moves between reading and writing.
   */
  async repair(manager: EntityManager): Promise<CountMismatch[]> {
    if (manager.connection.options.type === 'postgres') {
      await manager.query(
        `SELECT 1 FROM article_counts WHERE scope = 'all' AND key_id = 0 FOR UPDATE`,
      );
      await manager.query('LOCK TABLE favorites IN SHARE MODE');
    } else {
      // Any write takes SQLite's database lock; reads after it see the latest commit.
      await manager.query(`UPDATE article_counts SET total = total WHERE scope = 'all'`);
    }
    const wrong = await this.mismatches(manager);
    for (let start = 0; start < wrong.length; start += REPAIR_BATCH) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ArticleCount)
        .values(
          wrong
            .slice(start, start + REPAIR_BATCH)
            .map(({ scope, keyId, actual }) => ({ scope, keyId, total: actual })),
        )
        .orUpdate(['total'], ['scope', 'key_id'])
        .execute();
    }
    return wrong;
  }
}

type CountQuery = SelectQueryBuilder<ArticleCount>;
interface Total {
  total: unknown;
}

async function read(
  query: CompiledSelect<ArticleCount, Total>,
  parameters: Record<string, unknown>,
): Promise<number> {
  const row = await query.one(parameters);
  return Number(row?.total ?? 0);
}
