import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit-event-type.js';
import type { AuditEvent } from '../entities/audit-event.entity.js';

/** One audit event as administrators see it. */
export class AuditEventView {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'login.failed' }) event: AuditEventType;
  @ApiProperty({ type: Number, nullable: true, example: null, description: 'Who acted' })
  actorId: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 7, description: 'The account acted on' })
  targetId: number | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.9' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0' }) userAgent: string | null;
  @ApiProperty({ type: String, nullable: true, example: '9f0c6a4e-…' }) requestId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { reason: 'bad_password' },
  })
  details: Record<string, unknown> | null;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) createdAt: string;

  static from(event: AuditEvent): AuditEventView {
    return {
      id: event.id,
      event: event.event,
      actorId: event.actorId,
      targetId: event.targetId,
      ip: event.ip,
      userAgent: event.userAgent,
      requestId: event.requestId,
      details: event.details ? (JSON.parse(event.details) as Record<string, unknown>) : null,
      createdAt: event.createdAt.toISOString(),
    };
  }
}

export class AuditEventListResponse {
  @ApiProperty({ type: [AuditEventView] }) auditEvents: AuditEventView[];
  @ApiProperty({ description: 'Events matching the filters' }) auditEventsCount: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
