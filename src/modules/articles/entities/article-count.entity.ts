import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What an {@link ArticleCount} row counts; its `keyId` is the user or tag id (0 for `all`),
 * and for `favoriters` (the users who favorited one article) the article id.
 */
export type ArticleCountScope = 'all' | 'author' | 'tag' | 'favorited' | 'favoriters';

/**
 * How many articles a list matches, maintained by database triggers in the writing
 * transaction (see the CreateArticleCounts migration). Read-only for the application: never
 * insert or update these rows from code, except to repair them.
 */
@Entity('article_counts')
export class ArticleCount {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  scope: ArticleCountScope;

  @PrimaryColumn({ name: 'key_id', type: 'integer' })
  keyId: number;

  @Column({ type: 'integer', default: 0 })
  total: number;
}
