import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArticlesModule } from '../articles/index.js';
import { ProfilesModule } from '../profiles/index.js';
import { CommentOwnershipPolicy } from './comment-ownership.policy.js';
import { CommentsController } from './comments.controller.js';
import { CommentsService } from './comments.service.js';
import { Comment } from './entities/comment.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([Comment]), ArticlesModule, ProfilesModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentOwnershipPolicy],
})
export class CommentsModule {}
