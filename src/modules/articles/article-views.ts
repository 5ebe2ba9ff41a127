import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ProfilesService } from '../profiles/index.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { lookUpAll } from '../../common/persistence/lookups.js';
import { TagsService } from '../tags/index.js';
import { ArticleCounts } from './article-counts.js';
import type { ArticleRecord } from './article-record.js';
import type { ArticleSummaryView, ArticleView } from './dto/article.response.js';
import { Favorite } from './entities/favorite.entity.js';

/** An article's anonymous view with the ids needed to personalise it; plain data (cacheable). */
export interface AnonymousArticleView {
  articleId: number;
  authorId: number;
  view: ArticleView;
}

/**
 * Turns loaded articles into API views for a given viewer. Whatever the number of articles,
 * it issues at most four queries (tags, maintained favorite counts, the viewer's favorites,
 * the viewer's follows), so list endpoints have no N+1. A write builds its response inside its
 * own transaction (pass the unit of work's `manager`), so nothing is read after COMMIT: once a
 * write has committed, nothing can fail its response any more.
 */
@Injectable()
export class ArticleViews {
  private readonly viewerFavoritesQuery: CompiledSelect<Favorite, { articleId: number | string }>;

  constructor(
    @InjectRepository(Favorite) favorites: Repository<Favorite>,
    private readonly counts: ArticleCounts,
    private readonly tags: TagsService,
    private readonly profiles: ProfilesService,
  ) {
    // Runs for every article view and list page: compiled once (CompiledSelect).
    this.viewerFavoritesQuery = new CompiledSelect(favorites, 'favorite', (builder) =>
      builder
        .select('favorite.articleId', 'articleId')
        .where('favorite.userId = :viewerId')
        .andWhere('favorite.articleId IN (:...articleIds)'),
    );
  }

  /** List items: everything but the body. */
  summaries(
    articles: ArticleRecord[],
    viewerId: number | undefined,
  ): Promise<ArticleSummaryView[]> {
    return this.build(articles, viewerId, undefined, false);
  }

  /** `article` must have been read with its body. */
  async full(
    article: ArticleRecord,
    viewerId: number | undefined,
    manager?: EntityManager,
  ): Promise<ArticleView> {
    const [view] = await this.build([article], viewerId, manager, true);
    return view as ArticleView;
  }

  /** The view anyone without a session gets: shareable, so cacheable. */
  async anonymous(article: ArticleRecord): Promise<AnonymousArticleView> {
    return {
      articleId: article.id,
      authorId: article.authorId,
      view: await this.full(article, undefined),
    };
  }

  /**
   * An anonymous view as `viewerId` sees it: their own `favorited` and `author.following`, in
   * two queries (none without a viewer).
   */
  async personalise(
    { articleId, authorId, view }: AnonymousArticleView,
    viewerId: number | undefined,
  ): Promise<ArticleView> {
    if (viewerId === undefined) return view;
    const [favorited, followed] = await Promise.all([
      this.favoritedBy(viewerId, [articleId]),
      this.profiles.followedAmong(viewerId, [authorId]),
    ]);
    return {
      ...view,
      favorited: favorited.has(articleId),
      author: { ...view.author, following: followed.has(authorId) },
    };
  }

  /** How many users favorite the article (in the unit of work of `manager` when given). */
  async favoritesCountOf(articleId: number, manager?: EntityManager): Promise<number> {
    return (await this.counts.favoritesOf([articleId], manager)).get(articleId) ?? 0;
  }

  /** Cache namespaces (besides the article's own) that an anonymous view depends on. */
  get cacheDependencies(): string[] {
    return [this.profiles.cacheDependency];
  }

  /** Views with the body (`withBody`) or summaries: properties in the order the API shows. */
  private async build(
    articles: ArticleRecord[],
    viewerId: number | undefined,
    manager: EntityManager | undefined,
    withBody: boolean,
  ): Promise<ArticleSummaryView[]> {
    if (articles.length === 0) return [];
    const ids = articles.map((article) => article.id);
    const authors = [
      ...new Map(articles.map((article) => [article.authorId, article.author])).values(),
    ];
    const [tagLists, counts, favorited, profiles] = await lookUpAll(manager, [
      () => this.tags.tagListsOf(ids, manager),
      () => this.counts.favoritesOf(ids, manager),
      () => this.favoritedBy(viewerId, ids, manager),
      () => this.profiles.viewsOf(authors, viewerId, manager),
    ]);
    const rest = (article: ArticleRecord) => ({
      tagList: tagLists.get(article.id) ?? [],
      createdAt: article.createdAt.toISOString(),
      updatedAt: article.updatedAt.toISOString(),
      favorited: favorited.has(article.id),
      favoritesCount: counts.get(article.id) ?? 0,
      author: profiles.get(article.authorId)!,
    });
    return articles.map((article) =>
      withBody
        ? {
            slug: article.slug,
            title: article.title,
            description: article.description,
            body: article.body!,
            ...rest(article),
          }
        : {
            slug: article.slug,
            title: article.title,
            description: article.description,
            ...rest(article),
          },
    );
  }

  private async favoritedBy(
    viewerId: number | undefined,
    articleIds: number[],
    manager?: EntityManager,
  ): Promise<Set<number>> {
    if (viewerId === undefined) return new Set();
    const rows = await this.viewerFavoritesQuery.all({ viewerId, articleIds }, manager);
    return new Set(rows.map((row) => Number(row.articleId)));
  }
}
