import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../entities/session.entity.js';

/** One of the caller's active sessions (devices). */
export class SessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() lastUsedAt: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ description: 'True for the session of the token making this request' })
  current: boolean;

  static from(session: Session, currentSessionId: string): SessionView {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSessionId,
    };
  }
}

export class SessionListResponse {
  @ApiProperty({ type: [SessionView] }) sessions: SessionView[];
  @ApiProperty({ description: 'Active sessions in total' }) sessionsCount: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
