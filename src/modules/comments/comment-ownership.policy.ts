import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { parseEntityId } from '../../common/validation/entity-id.js';
import { CommentsService } from './comments.service.js';

/** A comment belongs to its author; it must also belong to the article in the URL. */
@Injectable()
export class CommentOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'comment';

  constructor(private readonly comments: CommentsService) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    // Guards run before pipes: the id is checked here as EntityIdParam checks it for handlers.
    const id = parseEntityId(params.id);
    return id === undefined
      ? Promise.resolve(undefined)
      : this.comments.authorIdOf(params.slug, id);
  }
}
