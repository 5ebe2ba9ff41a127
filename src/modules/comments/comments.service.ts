import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { ListDefinition } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { ArticlesService } from '../articles/index.js';
import { ProfilesService } from '../profiles/index.js';
import type { User } from '../users/index.js';
import type { CommentView } from './dto/comment.response.js';
import type { ListCommentsQuery } from './dto/list-comments.query.js';
import { Comment } from './entities/comment.entity.js';

const COMMENT_LIST: ListDefinition<Comment> = {
  name: 'comments',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'comment.createdAt', type: 'date' },
  },
  tieBreaker: { column: 'comment.id' },
};

/** Comments on articles. Deleting is restricted to the author by the ownership guard. */
@Injectable()
export class CommentsService {
  constructor(
    @InjectRepository(Comment) private readonly comments: Repository<Comment>,
    private readonly articles: ArticlesService,
    private readonly profiles: ProfilesService,
    private readonly paginator: Paginator,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
  ) {}

  async list(slug: string, query: ListCommentsQuery, viewerId: number | undefined) {
    const articleId = await this.articles.idOf(slug);
    const builder = this.comments
      .createQueryBuilder('comment')
      .innerJoinAndSelect('comment.author', 'author')
      .where('comment.articleId = :articleId', { articleId });
    const page = await this.paginator.paginate(
      builder,
      { ...query, limit: query.limit ?? this.config.pagination.maxLimit },
      COMMENT_LIST,
      { withTotal: false },
    );
    return { comments: await this.views(page.items, viewerId), nextCursor: page.nextCursor };
  }

  /** The response is built inside the transaction: nothing is read after COMMIT. */
  async create(slug: string, authorId: number, body: string): Promise<CommentView> {
    const articleId = await this.articles.idOf(slug);
    return this.tx.run(async (manager) => {
      const { identifiers } = await manager.insert(Comment, { body, articleId, authorId });
      const comment = await manager.findOneOrFail(Comment, {
        where: { id: Number(identifiers[0].id) },
        relations: { author: true },
      });
      const [view] = await this.views([comment], authorId, manager);
      return view;
    });
  }

  async delete(id: number): Promise<void> {
    await this.tx.run((manager) => manager.delete(Comment, { id }));
  }

  /** The comment's author, if the comment exists on that article (for the ownership guard). */
  async authorIdOf(slug: string, id: number): Promise<number | undefined> {
    // No slug contains a NUL character, and PostgreSQL fails a query with one: not found.
    if (!Number.isSafeInteger(id) || slug.includes('\u0000')) return undefined;
    const comment = await this.comments
      .createQueryBuilder('comment')
      .innerJoin('comment.article', 'article')
      .select(['comment.id', 'comment.authorId'])
      .where('comment.id = :id', { id })
      .andWhere('article.slug = :slug', { slug })
      .getOne();
    return comment?.authorId;
  }

  private async views(
    comments: Comment[],
    viewerId: number | undefined,
    manager?: EntityManager,
  ): Promise<CommentView[]> {
    const profiles = await this.profiles.viewsOf(
      comments.map((comment) => comment.author as User),
      viewerId,
      manager,
    );
    return comments.map((comment) => ({
      id: comment.id,
      createdAt: comment.createdAt.toISOString(),
      updatedAt: comment.updatedAt.toISOString(),
      body: comment.body,
      author: profiles.get(comment.authorId)!,
    }));
  }
}
