import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileView } from '../../profiles/index.js';

/** An article in a list: everything but the body (RealWorld since 2024-08). */
export class ArticleSummaryView {
  @ApiProperty({ example: 'how-to-train-your-dragon' }) slug: string;
  @ApiProperty({ example: 'How to train your dragon' }) title: string;
  @ApiProperty({ example: 'Ever wonder how?' }) description: string;
  @ApiProperty({
    type: [String],
    example: ['dragons', 'training'],
    description: 'Sorted alphabetically',
  })
  tagList: string[];
  @ApiProperty({ example: '2016-02-18T03:22:56.637Z' }) createdAt: string;
  @ApiProperty({ example: '2016-02-18T03:48:35.824Z' }) updatedAt: string;
  @ApiProperty({ description: 'Whether the caller favorited it (false when anonymous)' })
  favorited: boolean;
  @ApiProperty({ type: 'integer', example: 0 }) favoritesCount: number;
  @ApiProperty({ type: ProfileView }) author: ProfileView;
}

/** A single article, with its body. */
export class ArticleView extends ArticleSummaryView {
  @ApiProperty({ example: 'It takes a Jacobian' }) body: string;
}

export class ArticleResponse {
  @ApiProperty({ type: ArticleView }) article: ArticleView;
}

export class ArticleListResponse {
  @ApiProperty({ type: [ArticleSummaryView] }) articles: ArticleSummaryView[];
  @ApiProperty({ type: 'integer', description: 'Total articles matching the filters' })
  articlesCount: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Extension: pass as `cursor` to get the next page by keyset; null on the last page',
  })
  nextCursor: string | null;
}
