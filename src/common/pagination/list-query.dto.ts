import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/**
 * Query parameters shared by every list endpoint. Extend it in a feature's query DTO and add
 * the endpoint's own filters. The maximum `limit` is enforced from configuration by the
 * paginator (default 100), so it can be raised without touching DTOs.
 */
export class ListQueryDto {
  @ApiPropertyOptional({
    description: 'Page size (default 20, maximum 100)',
    minimum: 1,
    example: 20,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Rows to skip (offset mode)', minimum: 0, example: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({
    description:
      "Opaque cursor from a previous page's `nextCursor` (keyset mode; excludes `offset`)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;

  @ApiPropertyOptional({
    description:
      "Comma-separated sort fields from the endpoint's whitelist; prefix `-` for descending",
    example: '-createdAt',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[-+]?[A-Za-z]+(,[-+]?[A-Za-z]+)*$/, {
    message: 'must look like "-createdAt,username"',
  })
  sort?: string;
}
