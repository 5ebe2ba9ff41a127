import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type EntityManager,
  type FindOneOptions,
  type ObjectLiteral,
  Repository,
  type SelectQueryBuilder,
} from 'typeorm';
import { CacheService } from '../../common/cache/cache.service.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { isForeignKeyViolation } from '../../common/errors/foreign-key-violation.js';
import { uniqueViolationField } from '../../common/errors/unique-violation.js';
import { CompiledList, type ListFilter } from '../../common/pagination/compiled-list.js';
import type { ListDefinition, Page } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { TagsService } from '../tags/index.js';
import { ArticleCounts } from './article-counts.js';
import {
  type ArticleRecord,
  ArticleRecordReader,
  type ArticleRecordRow,
  selectArticleRecord,
} from './article-record.js';
import { ArticleViews } from './article-views.js';
import type { ArticleSummaryView, ArticleView } from './dto/article.response.js';
import type { NewArticleFields } from './dto/create-article.dto.js';
import type { FeedQuery, ListArticlesQuery } from './dto/list-articles.query.js';
import type { UpdateArticleFields } from './dto/update-article.dto.js';
import { Article } from './entities/article.entity.js';
import { Favorite } from './entities/favorite.entity.js';
import { isReservedSlug, slugify, suffixedSlug } from './slug.js';

const ARTICLE_LIST: ListDefinition<Article> = {
  name: 'articles',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'article.createdAt', type: 'date' },
  },
  tieBreaker: { column: 'article.id' },
};

/**
 * Combined filters of `GET /api/articles`, by name, in the order they are applied (a single
 * filter goes by its resolved id: {@link FILTER_BY_ID}). Usernames are unique
 * case-insensitively, and matched that way (as profiles are).
 */
const LIST_FILTERS = {
  author: {
    condition: 'article.authorId = (SELECT u.id FROM users u WHERE LOWER(u.username) = :author)',
    value: (name: string) => name.toLowerCase(),
  },
  tag: {
    condition:
      'article.id IN (SELECT tl.article_id FROM article_tags tl INNER JOIN tags t ON t.id = tl.tag_id WHERE t.name = :tag)',
    value: (name: string) => name,
  },
  favorited: {
    condition:
      'article.id IN (SELECT f.article_id FROM favorites f INNER JOIN users fu ON fu.id = f.user_id WHERE LOWER(fu.username) = :favorited)',
    value: (name: string) => name.toLowerCase(),
  },
} as const;
const LIST_FILTER_NAMES = Object.keys(LIST_FILTERS) as Array<keyof typeof LIST_FILTERS>;

const FEED_FILTER =
  'article.authorId IN (SELECT fo.followee_id FROM follows fo WHERE fo.follower_id = :viewerId)';

const SLUG_ATTEMPTS = 3;

/** A single list filter by the id it resolved to (0 matches nothing: ids start at 1). */
const FILTER_BY_ID = {
  tag: 'article.id IN (SELECT tl.article_id FROM article_tags tl WHERE tl.tag_id = :keyId)',
  author: 'article.authorId = :keyId',
  favorited: 'article.id IN (SELECT f.article_id FROM favorites f WHERE f.user_id = :keyId)',
} as const;

/** Cache namespace of everything shown for one slug; every write to that article invalidates it. */
const articleCache = (slug: string) => `article:${slug}`;

/** Articles: writing, reading, listing, favoriting. Ownership is enforced by the guard. */
@Injectable()
export class ArticlesService {
  /** Lists and single reads run on every page view: their statements are compiled once. */
  private readonly articleList: CompiledList<Article>;
  private readonly bySlug: CompiledSelect<Article, ArticleRecordRow>;
  private readonly byId: CompiledSelect<Article, ArticleRecordRow>;
  private readonly records: ArticleRecordReader;

  constructor(
    @InjectRepository(Article) private readonly articles: Repository<Article>,
    private readonly views: ArticleViews,
    private readonly tags: TagsService,
    private readonly paginator: Paginator,
    private readonly tx: TransactionRunner,
    private readonly cache: CacheService,
    private readonly counts: ArticleCounts,
  ) {
    this.articleList = new CompiledList(ARTICLE_LIST, articles);
    this.records = new ArticleRecordReader(articles);
    // One statement with the author: not findOne(), which with a relation adds take: 1, and
    // TypeORM then runs a DISTINCT id query before the real one.
    const single = (column: 'slug' | 'id') =>
      new CompiledSelect<Article, ArticleRecordRow>(articles, 'article', (builder) =>
        selectArticleRecord(builder.innerJoin('article.author', 'author'), true).where(
          `article.${column} = :value`,
        ),
      );
    this.bySlug = single('slug');
    this.byId = single('id');
  }

  async list(
    query: ListArticlesQuery,
    viewerId: number | undefined,
  ): Promise<Page<ArticleSummaryView>> {
    // One filter: by the id it resolves to, with the count from the same statement.
    const resolved = await this.counts.resolveSingleFilter(query);
    if (resolved) {
      const byId: ListFilter<Article> = {
        shape: `${resolved.filter} id`,
        build: () => this.baseQuery().andWhere(FILTER_BY_ID[resolved.filter]),
        parameters: { keyId: resolved.keyId },
      };
      return this.page(byId, query, viewerId, async () => resolved.total);
    }
    // No filter: the maintained total. Combined filters: by name, and COUNT(*) of the query.
    const given = LIST_FILTER_NAMES.filter((name) => query[name] !== undefined);
    const parameters: ObjectLiteral = {};
    for (const name of given) parameters[name] = LIST_FILTERS[name].value(query[name]!);
    const filter: ListFilter<Article> = {
      shape: given.join(','),
      build: () => {
        const builder = this.baseQuery();
        for (const name of given) builder.andWhere(LIST_FILTERS[name].condition);
        return builder;
      },
      parameters,
    };
    return this.page(
      filter,
      query,
      viewerId,
      given.length === 0 ? () => this.counts.forAll() : undefined,
    );
  }

  /** Articles by authors the viewer follows, newest first. */
  feed(query: FeedQuery, viewerId: number): Promise<Page<ArticleSummaryView>> {
    const filter: ListFilter<Article> = {
      shape: 'feed',
      build: () => this.baseQuery().andWhere(FEED_FILTER),
      parameters: { viewerId },
    };
    return this.page(filter, query, viewerId, () => this.counts.forFeed(viewerId));
  }

  /**
   * The anonymous view is cached (it is the same for everyone); a signed-in viewer's
   * `favorited` and `following` are looked up on top of it.
   */
  async get(slug: string, viewerId: number | undefined): Promise<ArticleView> {
    const anonymous = await this.cache.getOrLoad(
      `article:${slug}`,
      [articleCache(slug), ...this.views.cacheDependencies],
      async () => this.views.anonymous(await this.load(slug)),
    );
    return this.views.personalise(anonymous, viewerId);
  }

  /**
   * Creates the article and its tags in one transaction; a taken slug gets a suffix. The
   * response is built inside the transaction: nothing is read after COMMIT, so a committed
   * article always gets its 201.
   */
  async create(authorId: number, fields: NewArticleFields): Promise<ArticleView> {
    const view = await this.withSlugRetry((attempt) =>
      this.tx.run(async (manager) => {
        const slug = await this.freeSlug(manager, slugify(fields.title), undefined, attempt);
        const { identifiers } = await manager.insert(Article, {
          slug,
          title: fields.title,
          description: fields.description,
          body: fields.body,
          authorId,
        });
        const articleId = Number(identifiers[0].id);
        await this.tags.setArticleTags(manager, articleId, fields.tagList ?? []);
        return this.views.full(await this.loadById(manager, articleId), authorId, manager);
      }),
    );
    // Nothing should be cached under a new slug, but a failed invalidation of a deleted
    // article's slug might have left something behind.
    await this.cache.invalidate(articleCache(view.slug));
    await this.tags.linksChanged();
    return view;
  }

  /**
   * Updates fields (and tags when given) in one transaction; a new title regenerates the slug.
   * The response is built inside the transaction (nothing is read after COMMIT).
   */
  async update(slug: string, fields: UpdateArticleFields, viewerId: number): Promise<ArticleView> {
    const article = await this.load(slug);
    const view = await this.withSlugRetry((attempt) =>
      this.tx.run(async (manager) => {
        const patch: Partial<Article> = { updatedAt: new Date() };
        if (fields.title !== undefined && fields.title !== article.title) {
          patch.title = fields.title;
          patch.slug = await this.freeSlug(manager, slugify(fields.title), article, attempt);
        }
        if (fields.description !== undefined) patch.description = fields.description;
        if (fields.body !== undefined) patch.body = fields.body;
        // No row: the article was deleted since it was loaded (a concurrent delete).
        const { affected } = await manager.update(Article, { id: article.id }, patch);
        if (affected === 0) throw new NotFoundError('article', slug);
        if (fields.tagList !== undefined)
          await this.tags.setArticleTags(manager, article.id, fields.tagList);
        return this.views.full(await this.loadById(manager, article.id), viewerId, manager);
      }),
    );
    await this.cache.invalidate(articleCache(article.slug), articleCache(view.slug));
    if (fields.tagList !== undefined) await this.tags.linksChanged();
    return view;
  }

  /** Deletes the article with its comments, favorites and tag links; unused tags go too. */
  async delete(slug: string): Promise<void> {
    const article = await this.load(slug);
    await this.tx.run(async (manager) => {
      const tagIds = await this.tags.tagIdsOf(manager, article.id);
      await manager.delete(Article, { id: article.id });
      await this.tags.deleteUnused(manager, tagIds);
    });
    await this.cache.invalidate(articleCache(article.slug));
    await this.tags.linksChanged();
  }

  /**
   * Idempotent; the count stays exact under concurrency (one row per user and article). What
   * the favorite does not change is read before the write, the count inside its transaction:
   * nothing is read after COMMIT, and a crowd of favorites holds each connection briefly.
   */
  async favorite(slug: string, userId: number): Promise<ArticleView> {
    return this.changeFavorite(slug, userId, true, (manager, articleId) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(Favorite)
        .values({ userId, articleId })
        .orIgnore()
        .execute(),
    );
  }

  async unfavorite(slug: string, userId: number): Promise<ArticleView> {
    return this.changeFavorite(slug, userId, false, (manager, articleId) =>
      manager.delete(Favorite, { userId, articleId }),
    );
  }

  private async changeFavorite(
    slug: string,
    userId: number,
    favorited: boolean,
    write: (manager: EntityManager, articleId: number) => Promise<unknown>,
  ): Promise<ArticleView> {
    const article = await this.load(slug);
    const before = await this.views.full(article, userId);
    const favoritesCount = await this.tx
      .run(async (manager) => {
        await write(manager, article.id);
        return this.views.favoritesCountOf(article.id, manager);
      })
      .catch((error: unknown) => {
        // The article was deleted between the lookup and the insert.
        if (isForeignKeyViolation(error)) throw new NotFoundError('article', slug);
        throw error;
      });
    await this.cache.invalidate(articleCache(article.slug));
    return { ...before, favorited, favoritesCount };
  }

  /** Resolves a slug to the article id, or 404. */
  async idOf(slug: string): Promise<number> {
    const article = await this.findBySlug(slug, { select: { id: true } });
    if (!article) throw new NotFoundError('article', slug);
    return article.id;
  }

  /** The author's id, or undefined when no such article (for the ownership guard). */
  async authorIdOf(slug: string): Promise<number | undefined> {
    const article = await this.findBySlug(slug, { select: { id: true, authorId: true } });
    return article?.authorId;
  }

  /**
   * Lists read only what a summary shows: no body (often the largest column) and no author
   * email or role, so less is sent and parsed per row.
   */
  private baseQuery(): SelectQueryBuilder<Article> {
    // A LEFT JOIN gives the same rows (author_id is a NOT NULL foreign key), and lets the
    // database drop the join from the list's COUNT(*) when no author column is filtered on.
    return selectArticleRecord(
      this.articles.createQueryBuilder('article').leftJoin('article.author', 'author'),
      false,
    );
  }

  private async page(
    filter: ListFilter<Article>,
    query: ListArticlesQuery | FeedQuery,
    viewerId: number | undefined,
    total: (() => Promise<number>) | undefined,
  ): Promise<Page<ArticleSummaryView>> {
    const page = await this.paginator.paginateCompiled<Article, ArticleRecordRow>(
      this.articleList,
      filter,
      query,
      { withTotal: true, total },
    );
    const records = page.items.map((row) => this.records.read(row));
    return { ...page, items: await this.views.summaries(records, viewerId) };
  }

  private async load(slug: string): Promise<ArticleRecord> {
    // No NUL in a slug (PostgreSQL would fail the query): not found, as in findBySlug.
    const article = slug.includes('\u0000') ? undefined : await this.loadWhere('slug', slug);
    if (!article) throw new NotFoundError('article', slug);
    return article;
  }

  /**
   * The article with that slug, if any. A slug never contains a NUL character, and PostgreSQL
   * fails a query that does (instead of finding nothing), so such a slug is not looked up.
   */
  private async findBySlug(
    slug: string,
    options: Omit<FindOneOptions<Article>, 'where'>,
  ): Promise<Article | null> {
    if (slug.includes('\u0000')) return null;
    return this.articles.findOne({ ...options, where: { slug } });
  }

  private async loadById(manager: EntityManager, id: number): Promise<ArticleRecord> {
    const article = await this.loadWhere('id', id, manager);
    if (!article) throw new NotFoundError('article', id);
    return article;
  }

  /**
   * The article (with its author) whose unique `column` equals `value`, in one statement.
   * Inside a unit of work pass its `manager`.
   */
  private async loadWhere(
    column: 'slug' | 'id',
    value: string | number,
    manager?: EntityManager,
  ): Promise<ArticleRecord | undefined> {
    const row = await (column === 'slug' ? this.bySlug : this.byId).one({ value }, manager);
    return row && this.records.read(row);
  }

  /** `base` if free (or already this article's), otherwise a suffixed variant. */
  private async freeSlug(
    manager: EntityManager,
    base: string,
    current: ArticleRecord | undefined,
    attempt: number,
  ) {
    // A reserved word (e.g. "feed", a route of its own) counts as taken.
    if (isReservedSlug(base)) return suffixedSlug(base);
    if (current?.slug === base) return base;
    if (attempt > 0) return suffixedSlug(base);
    const taken = await manager.exists(Article, { where: { slug: base } });
    return taken ? suffixedSlug(base) : base;
  }

  /** Two writers can pick the same free slug at once; the unique index decides, we retry. */
  private async withSlugRetry<T>(work: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work(attempt);
      } catch (error) {
        if (attempt + 1 >= SLUG_ATTEMPTS || uniqueViolationField(error) !== 'slug') throw error;
      }
    }
  }
}
