import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import { CacheService } from '../../common/cache/cache.service.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { AppConfig } from '../../config/app.config.js';
import { ArticleTag } from './entities/article-tag.entity.js';
import { Tag } from './entities/tag.entity.js';

/** Cache namespace of the tag list; any change to article–tag links invalidates it. */
const TAG_LIST_CACHE = 'tag-list';

/** Tag names and their links to articles. */
@Injectable()
export class TagsService {
  private readonly inUseQuery: CompiledSelect<Tag, { name: string }>;
  private readonly tagListsQuery: CompiledSelect<
    ArticleTag,
    { articleId: number | string; name: string }
  >;

  constructor(
    @InjectRepository(Tag) private readonly tags: Repository<Tag>,
    @InjectRepository(ArticleTag) private readonly links: Repository<ArticleTag>,
    private readonly cache: CacheService,
    config: AppConfig,
  ) {
    // Both run for every uncached tag list or article view: compiled once (CompiledSelect).
    // The list is bounded (TAGS_LIST_LIMIT), so no user can grow every response by inventing
    // tags. Uses come from the per-tag counters the database keeps exact (article_counts, see
    // ArticleCounts): one row per tag, where counting the links read every link (2.5 million
    // at a million articles, over 400 ms already at 100k).
    this.inUseQuery = new CompiledSelect(tags, 'tag', (builder) =>
      builder
        .innerJoin(
          'article_counts',
          'uses',
          "uses.scope = 'tag' AND uses.key_id = tag.id AND uses.total > 0",
        )
        .select('tag.name', 'name')
        .orderBy('uses.total', 'DESC')
        .addOrderBy('tag.name', 'ASC')
        .limit(config.tags.listLimit),
    );
    this.tagListsQuery = new CompiledSelect(links, 'link', (builder) =>
      builder
        .innerJoin('link.tag', 'tag')
        .select('link.articleId', 'articleId')
        .addSelect('tag.name', 'name')
        .where('link.articleId IN (:...articleIds)')
        .orderBy('tag.name', 'ASC'),
    );
  }

  /**
   * The TAGS_LIST_LIMIT tags in use most, most used first, then by name (cached until
   * {@link linksChanged}). Bounded, so no user can grow every response by inventing tags.
   */
  listInUse(): Promise<string[]> {
    return this.cache.getOrLoad('tags', [TAG_LIST_CACHE], () => this.queryInUse());
  }

  /**
   * Call after committing a transaction that used {@link setArticleTags} or
   * {@link deleteUnused} (or deleted an article): the tag list changed for everyone.
   */
  linksChanged(): Promise<void> {
    return this.cache.invalidate(TAG_LIST_CACHE);
  }

  private async queryInUse(): Promise<string[]> {
    const rows = await this.inUseQuery.all({});
    return rows.map((row) => row.name);
  }

  /**
   * Replaces an article's tags inside the caller's transaction: creates missing tags, links
   * the article and deletes tags no article uses any more.
   */
  async setArticleTags(manager: EntityManager, articleId: number, names: string[]): Promise<void> {
    const previous = await manager.find(ArticleTag, {
      where: { articleId },
      select: { tagId: true },
    });
    await manager.delete(ArticleTag, { articleId });
    if (names.length > 0) {
      // "DO UPDATE" rather than "DO NOTHING": it row-locks existing tags until commit, so a
      // concurrent deleteUnused cannot remove one before the link below is written. Sorted, so
      // two writers sharing tags lock them in the same order and cannot deadlock.
      await manager
        .createQueryBuilder()
        .insert()
        .into(Tag)
        .values([...names].sort().map((name) => ({ name })))
        .orUpdate(['name'], ['name'])
        .execute();
      const tags = await manager.find(Tag, { where: { name: In(names) }, select: { id: true } });
      await manager.insert(
        ArticleTag,
        tags.map((tag) => ({ articleId, tagId: tag.id })),
      );
    }
    await this.deleteUnused(
      manager,
      previous.map((link) => link.tagId),
    );
  }

  /**
   * Sorted tag lists of several articles in one query; inside a unit of work pass its
   * `manager`, so the lists are read in that transaction.
   */
  async tagListsOf(articleIds: number[], manager?: EntityManager): Promise<Map<number, string[]>> {
    const lists = new Map<number, string[]>(articleIds.map((id) => [id, []]));
    if (articleIds.length === 0) return lists;
    const rows = await this.tagListsQuery.all({ articleIds }, manager);
    for (const row of rows) lists.get(Number(row.articleId))?.push(row.name);
    // Code-point order whatever the database collation, so both dialects agree.
    for (const list of lists.values()) list.sort();
    return lists;
  }

  /** Ids of the tags linked to an article (to clean up after deleting it). */
  async tagIdsOf(manager: EntityManager, articleId: number): Promise<number[]> {
    const links = await manager.find(ArticleTag, { where: { articleId }, select: { tagId: true } });
    return links.map((link) => link.tagId);
  }

  /** Deletes those of `tagIds` that no article links to any more. */
  async deleteUnused(manager: EntityManager, tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    if (manager.dataSource.options.type === 'postgres') {
      // Lock the tags first (in the upsert's order), then look for links in a new statement.
      // A writer that upserted one of them meanwhile has committed its link by the time the
      // lock is granted, and the new statement sees it; a single DELETE would judge "unused"
      // by its start-of-statement snapshot and cascade away the new link. (SQLite needs no
      // lock: TransactionRunner runs its transactions one at a time.)
      await manager
        .createQueryBuilder(Tag, 'tag')
        .select('tag.id')
        .where('tag.id IN (:...tagIds)', { tagIds })
        .orderBy('tag.name')
        .setLock('pessimistic_write')
        .getMany();
    }
    await manager
      .createQueryBuilder()
      .delete()
      .from(Tag)
      .where('id IN (:...tagIds)', { tagIds })
      .andWhere('NOT EXISTS (SELECT 1 FROM article_tags link WHERE link.tag_id = tags.id)')
      .execute();
  }
}
