import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Article } from '../../articles/entities/article.entity.js';
import { Tag } from './tag.entity.js';

/** Link between an article and a tag; removed with either side. */
@Entity('article_tags')
@Index('idx_article_tags_tag', ['tagId', 'articleId'])
export class ArticleTag {
  @PrimaryColumn({ name: 'article_id', type: 'integer' })
  articleId: number;

  @PrimaryColumn({ name: 'tag_id', type: 'integer' })
  tagId: number;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'article_id' })
  article?: Relation<Article>;

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: Relation<Tag>;
}
