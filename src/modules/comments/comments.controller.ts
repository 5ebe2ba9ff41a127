import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OptionalAuth } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OwnedBy } from '../../common/auth/ownership.guard.js';
import { CommentOwnershipPolicy } from './comment-ownership.policy.js';
import { CommentsService } from './comments.service.js';
import { CommentListResponse, CommentResponse } from './dto/comment.response.js';
import { CreateCommentDto } from './dto/create-comment.dto.js';
import { ListCommentsQuery } from './dto/list-comments.query.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';

@ApiTags('Comments')
@Controller('articles/:slug/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Get()
  @OptionalAuth()
  @ApiOperation({ summary: "An article's comments, newest first" })
  list(
    @Param('slug') slug: string,
    @Query() query: ListCommentsQuery,
    @CurrentUser() caller?: AuthenticatedUser,
  ): Promise<CommentListResponse> {
    return this.comments.list(slug, query, caller?.id);
  }

  @Post()
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Comment on an article' })
  async create(
    @Param('slug') slug: string,
    @Body() body: CreateCommentDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<CommentResponse> {
    return { comment: await this.comments.create(slug, caller.id, body.comment.body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @OwnedBy(CommentOwnershipPolicy)
  @ApiOperation({ summary: 'Delete a comment (its author only)' })
  // The ownership policy has already checked that comment :id belongs to article :slug.
  @ApiParam({ name: 'slug', type: String, description: 'Slug of the commented article' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.comments.delete(Number(id));
  }
}
