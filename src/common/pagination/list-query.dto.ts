import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_CURSOR_LENGTH } from './cursor-codec.js';

/**
 * Turns a query-string integer into a number, and nothing else: `10` and `-1` convert (the
 * validators then judge them), while `1.5`, `1e3`, `0x10`, `abc`, an empty value or a repeated
 * parameter stay as they are and fail `@IsInt()` instead of being coerced.
 */
function toInteger({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^-?\d{1,20}$/.test(value) ? Number(value) : value;
}

/**
 * Query parameters shared by every list endpoint. Extend it in a feature's query DTO and add
 * the endpoint's own filters (the global ValidationPipe rejects any parameter not declared).
 * The maximum `limit` is enforced from configuration by the paginator (PAGINATION_MAX_LIMIT),
 * so it can change without touching DTOs.
 */
export class ListQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 20,
    description: 'Page size: default 20, maximum 100 (PAGINATION_MAX_LIMIT); above it → 422',
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 0,
    description:
      'Rows to skip (offset mode), at most 100000 by default (PAGINATION_MAX_OFFSET; above it → ' +
      '422): a deep offset costs in proportion to its depth, so page deeper with `cursor`. ' +
      'Cannot be combined with `cursor`',
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  offset?: number;

  @ApiPropertyOptional({
    type: String,
    maxLength: MAX_CURSOR_LENGTH,
    description:
      "Keyset mode: the previous page's `nextCursor`, unchanged. Opaque and signed; it remembers " +
      'the sort, so `sort` may be omitted. Keep the same filters. Cannot be combined with `offset`',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 200,
    example: '-createdAt',
    description:
      "Comma-separated fields from the endpoint's whitelist, `-` prefix for descending. Ties " +
      'are broken by id, in the direction of the last field',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  sort?: string;
}
