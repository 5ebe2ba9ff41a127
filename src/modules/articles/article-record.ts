import type { Repository, SelectQueryBuilder } from 'typeorm';
import { hydratorOf } from '../../common/persistence/compiled-select.js';
import type { Article } from './entities/article.entity.js';

/** What an article's view is built from: its columns and its author's public profile. */
export interface ArticleRecord {
  id: number;
  slug: string;
  title: string;
  description: string;
  /** Absent when read for a list, which does not show it. */
  body?: string;
  authorId: number;
  createdAt: Date;
  updatedAt: Date;
  author: { id: number; username: string; bio: string | null; image: string | null };
}

/** A row selected by {@link selectArticleRecord}, as the driver returns it. */
export interface ArticleRecordRow extends Pick<
  ArticleRecord,
  'id' | 'slug' | 'title' | 'description' | 'body' | 'authorId'
> {
  /** Raw driver values: converted by the column's hydration. */
  createdAt: unknown;
  updatedAt: unknown;
  authorUsername: string;
  authorBio: string | null;
  authorImage: string | null;
}

/**
 * Selects what an {@link ArticleRecord} holds from `article` and its joined `author`, under
 * plain aliases: read raw (no entity hydration), for the article reads that every view and
 * list page runs. The body only `withBody` (often the largest column; lists do not show it).
 */
export function selectArticleRecord(
  builder: SelectQueryBuilder<Article>,
  withBody: boolean,
): SelectQueryBuilder<Article> {
  builder
    .select('article.id', 'id')
    .addSelect('article.slug', 'slug')
    .addSelect('article.title', 'title')
    .addSelect('article.description', 'description');
  if (withBody) builder.addSelect('article.body', 'body');
  return builder
    .addSelect('article.authorId', 'authorId')
    .addSelect('article.createdAt', 'createdAt')
    .addSelect('article.updatedAt', 'updatedAt')
    .addSelect('author.username', 'authorUsername')
    .addSelect('author.bio', 'authorBio')
    .addSelect('author.image', 'authorImage');
}

/** Turns rows of {@link selectArticleRecord} into records (dates as entity hydration reads them). */
export class ArticleRecordReader {
  private readonly createdAt: (raw: unknown) => Date;
  private readonly updatedAt: (raw: unknown) => Date;

  constructor(articles: Repository<Article>) {
    this.createdAt = hydratorOf(articles, 'createdAt');
    this.updatedAt = hydratorOf(articles, 'updatedAt');
  }

  read(row: ArticleRecordRow): ArticleRecord {
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      description: row.description,
      body: row.body,
      authorId: row.authorId,
      createdAt: this.createdAt(row.createdAt),
      updatedAt: this.updatedAt(row.updatedAt),
      author: {
        id: row.authorId,
        username: row.authorUsername,
        bio: row.authorBio,
        image: row.authorImage,
      },
    };
  }
}
