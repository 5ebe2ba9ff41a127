import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileView } from '../../profiles/index.js';

export class CommentView {
  @ApiProperty({ type: 'integer', example: 1 }) id: number;
  @ApiProperty({ example: '2016-02-18T03:22:56.637Z' }) createdAt: string;
  @ApiProperty({ example: '2016-02-18T03:22:56.637Z' }) updatedAt: string;
  @ApiProperty({ example: 'It takes a Jacobian' }) body: string;
  @ApiProperty({ type: ProfileView }) author: ProfileView;
}

export class CommentResponse {
  @ApiProperty({ type: CommentView }) comment: CommentView;
}

export class CommentListResponse {
  @ApiProperty({ type: [CommentView] }) comments: CommentView[];
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Extension: cursor of the next page',
  })
  nextCursor: string | null;
}
