import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OptionalAuth } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OwnedBy } from '../../common/auth/ownership.guard.js';
import type { Page } from '../../common/pagination/list-definition.js';
import { ArticleOwnershipPolicy } from './article-ownership.policy.js';
import { ArticlesService } from './articles.service.js';
import {
  ArticleListResponse,
  ArticleResponse,
  type ArticleSummaryView,
} from './dto/article.response.js';
import { CreateArticleDto } from './dto/create-article.dto.js';
import { FeedQuery, ListArticlesQuery } from './dto/list-articles.query.js';
import { UpdateArticleDto } from './dto/update-article.dto.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';

function listResponse(page: Page<ArticleSummaryView>): ArticleListResponse {
  return { articles: page.items, articlesCount: page.total, nextCursor: page.nextCursor };
}

@ApiTags('Articles')
@Controller('articles')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  @OptionalAuth()
  @ApiOperation({ summary: 'List articles, newest first; filter by tag, author or favorited' })
  async list(
    @Query() query: ListArticlesQuery,
    @CurrentUser() caller?: AuthenticatedUser,
  ): Promise<ArticleListResponse> {
    return listResponse(await this.articles.list(query, caller?.id));
  }

  @Get('feed')
  @ApiOperation({ summary: 'Articles by authors the caller follows, newest first' })
  async feed(
    @Query() query: FeedQuery,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ArticleListResponse> {
    return listResponse(await this.articles.feed(query, caller.id));
  }

  @Get(':slug')
  @OptionalAuth()
  @ApiOperation({ summary: 'Get an article' })
  async get(
    @Param('slug') slug: string,
    @CurrentUser() caller?: AuthenticatedUser,
  ): Promise<ArticleResponse> {
    return { article: await this.articles.get(slug, caller?.id) };
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create an article' })
  async create(
    @Body() body: CreateArticleDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ArticleResponse> {
    return { article: await this.articles.create(caller.id, body.article) };
  }

  @Put(':slug')
  @OwnedBy(ArticleOwnershipPolicy)
  @ApiOperation({ summary: 'Update an article (author only)' })
  async update(
    @Param('slug') slug: string,
    @Body() body: UpdateArticleDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ArticleResponse> {
    return { article: await this.articles.update(slug, body.article, caller.id) };
  }

  @Delete(':slug')
  @HttpCode(204)
  @OwnedBy(ArticleOwnershipPolicy)
  @ApiOperation({ summary: 'Delete an article with its comments and favorites (author only)' })
  async delete(@Param('slug') slug: string): Promise<void> {
    await this.articles.delete(slug);
  }

  @Post(':slug/favorite')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Favorite an article (idempotent)' })
  async favorite(
    @Param('slug') slug: string,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ArticleResponse> {
    return { article: await this.articles.favorite(slug, caller.id) };
  }

  @Delete(':slug/favorite')
  @ApiOperation({ summary: 'Unfavorite an article (idempotent)' })
  async unfavorite(
    @Param('slug') slug: string,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ArticleResponse> {
    return { article: await this.articles.unfavorite(slug, caller.id) };
  }
}
