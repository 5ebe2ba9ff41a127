import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  EntityManager,
  EntityTarget,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
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

/** One list filter resolved: the id of its tag or user (0 if none has the name) and its count. */
export interface ResolvedFilter {
  filter: keyof ArticleFilters;
  keyId: number;
  total: number;
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
 * must be 0). The CreateArticleCounts and CountArticleFavorites migrations backfilled with a
 * copy of this statement.
 */
const ACTUAL_COUNTS = `SELECT 'all' AS scope, 0 AS key_id, COUNT(*) AS total FROM articles
  UNION ALL SELECT 'author', author_id, COUNT(*) FROM articles GROUP BY author_id
  UNION ALL SELECT 'tag', tag_id, COUNT(*) FROM article_tags GROUP BY tag_id
  UNION ALL SELECT 'favorited', user_id, COUNT(*) FROM favorites GROUP BY user_id
  UNION ALL SELECT 'favoriters', article_id, COUNT(*) FROM favorites GROUP BY article_id`;

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
  /** Every list page reads one of these: compiled once. */
  private readonly allCount: CompiledSelect<ArticleCount, Total>;
  private readonly resolvers: {
    tag: CompiledSelect<Tag, KeyAndTotal>;
    author: CompiledSelect<User, KeyAndTotal>;
    favorited: CompiledSelect<User, KeyAndTotal>;
  };
  private readonly feedCount: CompiledSelect<ArticleCount, Total>;
  private readonly favoritesCounts: CompiledSelect<ArticleCount, KeyAndTotal>;

  constructor(@InjectRepository(ArticleCount) private readonly counts: Repository<ArticleCount>) {
    const compile = <Row extends ObjectLiteral = Total>(
      build: (builder: CountQuery) => CountQuery,
    ) => new CompiledSelect<ArticleCount, Row>(counts, 'count', build);
    this.allCount = compile((builder) =>
      builder.select('count.total', 'total').where("count.scope = 'all' AND count.keyId = 0"),
    );
    // The key (tag or user) by its name, with its counter if it has one.
    const resolver = <Key extends ObjectLiteral>(entity: EntityTarget<Key>, where: string) =>
      new CompiledSelect<Key, KeyAndTotal>(counts.manager.getRepository(entity), 'key', (builder) =>
        builder
          .select('key.id', 'keyId')
          .addSelect('COALESCE(count.total, 0)', 'total')
          .leftJoin(ArticleCount, 'count', 'count.scope = :scope AND count.keyId = key.id')
          .where(where),
      );
    // Usernames match case-insensitively, as profiles do.
    const byUsername = () => resolver(User, 'LOWER(key.username) = :name');
    this.resolvers = {
      tag: resolver(Tag, 'key.name = :name'),
      author: byUsername(),
      favorited: byUsername(),
    };
    this.feedCount = compile((builder) =>
      builder
        .select('COALESCE(SUM(count.total), 0)', 'total')
        .innerJoin(Follow, 'follow', 'follow.followeeId = count.keyId')
        .where("count.scope = 'author'")
        .andWhere('follow.followerId = :viewerId'),
    );
    this.favoritesCounts = compile<KeyAndTotal>((builder) =>
      builder
        .select('count.keyId', 'keyId')
        .addSelect('count.total', 'total')
        .where("count.scope = 'favoriters'")
        .andWhere('count.keyId IN (:...articleIds)'),
    );
  }

  /** Every article, from one indexed row. */
  forAll(): Promise<number> {
    return read(this.allCount, {});
  }

  /**
   * The one filter given, resolved in one statement: the id of the tag or user it names and
   * the count of the articles it matches (0 and 0 for an unknown name). The list then filters
   * by that id as a value: PostgreSQL plans with the id's own statistics, so the most used tag
   * or the most prolific author walk an index in page order and stop after one page, where a
   * filter by name (the id unknown when planning) fetched and sorted every matching article.
   * Undefined unless exactly one filter is given: no counter holds an intersection.
   */
  async resolveSingleFilter(filters: ArticleFilters): Promise<ResolvedFilter | undefined> {
    const given = givenFilters(filters);
    if (given.length !== 1) return undefined;
    const filter = given[0];
    const name = filter === 'tag' ? filters.tag : filters[filter]!.toLowerCase();
    const row = await this.resolvers[filter].one({ scope: filter, name });
    return { filter, keyId: Number(row?.keyId ?? 0), total: Number(row?.total ?? 0) };
  }

  /** Articles in the viewer's feed: the sum of the followed authors' counts (one per follow). */
  forFeed(viewerId: number): Promise<number> {
    return read(this.feedCount, { viewerId });
  }

  /**
   * How many users favorite each article, one indexed row per article however popular it is
   * (in the unit of work of `manager` when given, so a favorite's response sees its own
   * write). Articles nobody favorites are absent: 0.
   */
  async favoritesOf(articleIds: number[], manager?: EntityManager): Promise<Map<number, number>> {
    const rows = await this.favoritesCounts.all({ articleIds }, manager);
    return new Map(rows.map((row) => [Number(row.keyId), Number(row.total)]));
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
interface KeyAndTotal extends Total {
  keyId: unknown;
}

async function read(
  query: CompiledSelect<ArticleCount, Total>,
  parameters: Record<string, unknown>,
): Promise<number> {
  const row = await query.one(parameters);
  return Number(row?.total ?? 0);
}
