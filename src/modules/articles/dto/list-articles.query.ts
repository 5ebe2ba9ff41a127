import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';
import { NoNulCharacters } from '../../../common/validation/no-nul-characters.js';
import { NormalizedTag } from './article-fields.js';

/** `GET /api/articles` filters (combinable) plus paging; sorts: `createdAt` (default `-createdAt`). */
export class ListArticlesQuery extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'Only articles with this tag (normalised like stored tags: "Dragons" = "dragons")',
    example: 'dragons',
  })
  @IsOptional()
  @NormalizedTag()
  @IsString()
  @MaxLength(64)
  @NoNulCharacters()
  tag?: string;

  @ApiPropertyOptional({ description: 'Only articles written by this username', example: 'jake' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @NoNulCharacters()
  author?: string;

  @ApiPropertyOptional({ description: 'Only articles favorited by this username', example: 'jake' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @NoNulCharacters()
  favorited?: string;
}

/** `GET /api/articles/feed`: paging only. */
export class FeedQuery extends ListQueryDto {}
