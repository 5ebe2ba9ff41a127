import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProfilesModule } from '../profiles/index.js';
import { TagsModule } from '../tags/index.js';
import { ArticleCounts } from './article-counts.js';
import { ArticleOwnershipPolicy } from './article-ownership.policy.js';
import { ArticleViews } from './article-views.js';
import { ArticlesController } from './articles.controller.js';
import { ArticlesService } from './articles.service.js';
import { ArticleCount } from './entities/article-count.entity.js';
import { Article } from './entities/article.entity.js';
import { Favorite } from './entities/favorite.entity.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Article, Favorite, ArticleCount]),
    ProfilesModule,
    TagsModule,
  ],
  controllers: [ArticlesController],
  providers: [ArticlesService, ArticleViews, ArticleOwnershipPolicy, ArticleCounts],
  exports: [ArticlesService, ArticleCounts],
})
export class ArticlesModule {}
