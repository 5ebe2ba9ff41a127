import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../../database/column-types.js';
import type { AuditEventType } from '../audit-event-type.js';

/**
 * One security-relevant event. Append-only (database triggers refuse UPDATE and DELETE). Users
 * are referenced by id without a foreign key, so the record outlives a deleted account without
 * keeping its personal data. Never holds a password, token or email address.
 */
@Entity('audit_events')
@Index('idx_audit_events_created_id', ['createdAt', 'id'])
@Index('idx_audit_events_actor_created', ['actorId', 'createdAt'])
@Index('idx_audit_events_target_created', ['targetId', 'createdAt'])
@Index('idx_audit_events_event_created', ['event', 'createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  event: AuditEventType;

  /** Who acted (null: anonymous, e.g. a failed login or a password reset by link). */
  @Column({ name: 'actor_id', type: 'integer', nullable: true })
  actorId: number | null;

  /** The account acted upon. */
  @Column({ name: 'target_id', type: 'integer', nullable: true })
  targetId: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** Small JSON object of non-personal facts (a reason, a session id, the new role). */
  @Column({ type: 'text', nullable: true })
  details: string | null;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;
}
