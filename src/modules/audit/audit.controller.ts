import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/auth.decorators.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { AuditService } from './audit.service.js';
import { AuditEventListResponse, AuditEventView } from './dto/audit-event.response.js';
import { ListAuditEventsQuery } from './dto/list-audit-events.query.js';

@ApiTags('Admin')
@Controller('admin/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'List audit events (admin only), newest first, by offset or cursor',
    description:
      'Filter by `actorId`, `targetId`, `event` and the time range `from` (inclusive) to `to` ' +
      '(exclusive).',
  })
  @ApiForbiddenResponse({ description: 'The caller is not an administrator', type: ErrorEnvelope })
  async list(@Query() query: ListAuditEventsQuery): Promise<AuditEventListResponse> {
    const page = await this.audit.list(query);
    return {
      auditEvents: page.items.map((event) => AuditEventView.from(event)),
      auditEventsCount: page.total,
      nextCursor: page.nextCursor,
    };
  }
}
