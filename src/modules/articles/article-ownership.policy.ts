import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { ArticlesService } from './articles.service.js';

/** An article belongs to its author. */
@Injectable()
export class ArticleOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'article';

  constructor(private readonly articles: ArticlesService) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    return this.articles.authorIdOf(params.slug);
  }
}
