import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { CommentsService } from './comments.service.js';

/** A comment belongs to its author; it must also belong to the article in the URL. */
@Injectable()
export class CommentOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'comment';

  constructor(private readonly comments: CommentsService) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    const id = /^\d{1,15}$/.test(params.id) ? Number(params.id) : Number.NaN;
    return this.comments.authorIdOf(params.slug, id);
  }
}
