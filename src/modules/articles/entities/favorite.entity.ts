import {
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { timestampColumn } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';
import { Article } from './article.entity.js';

/** A user's favorite; the primary key makes favoriting idempotent and counts exact. */
@Entity('favorites')
@Index('idx_favorites_article', ['articleId'])
export class Favorite {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @PrimaryColumn({ name: 'article_id', type: 'integer' })
  articleId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'article_id' })
  article?: Relation<Article>;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;
}
