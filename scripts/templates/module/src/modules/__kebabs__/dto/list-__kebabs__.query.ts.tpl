import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, NotContains } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';

/**
 * `GET /api/{{kebabs}}`: paging (offset or cursor), sorts `createdAt` (default `-createdAt`) and
 * `title`, and a title search. Any other parameter is refused with a 422.
 */
export class List{{Entities}}Query extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'Only {{labels}} whose title contains this text (case-insensitive)',
    example: 'later',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NotContains('\u0000', { message: 'must not contain NUL characters' })
  search?: string;
}
