import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/role.js';
import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';
import { NoNulCharacters } from '../../../common/validation/no-nul-characters.js';

/** `GET /api/users` (admin): paging, sort (`createdAt`, `username`, `email`, `id`) and filters. */
export class ListUsersQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: ROLES, description: 'Only users with this role' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Username or email contains this text (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNulCharacters()
  search?: string;
}
