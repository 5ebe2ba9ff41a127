import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit-event-type.js';

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;

const UserIdFilter = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, example: 1, description }),
    IsOptional(),
    Transform(toInteger),
    IsInt(),
    Min(1),
    Max(2_147_483_647),
  );

/** `GET /api/admin/audit-events`: paging, sort (`createdAt`, `id`) and filters. */
export class ListAuditEventsQuery extends ListQueryDto {
  @UserIdFilter('Only events where this user id acted') actorId?: number;
  @UserIdFilter('Only events about this user id') targetId?: number;

  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPES, description: 'Only events of this kind' })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES)
  event?: AuditEventType;

  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00Z',
    description: 'Only events at or after this instant (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-02-01T00:00:00Z',
    description: 'Only events before this instant (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
