import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn, timestampColumnType } from '../../../database/column-types.js';

/**
 * A message waiting in (or delivered from) the outbox. Written in the transaction of the change
 * that causes it, so a crash can lose neither; the dispatcher claims due rows with a lease
 * (`claimedBy`/`claimedUntil`) so that one instance sends each message. The bodies, which may
 * hold single-use links, are blanked once the message is delivered.
 */
@Entity('mail_outbox')
@Index('idx_mail_outbox_due', ['sentAt', 'failedAt', 'nextAttemptAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn()
  id: number;

  /** What the message is about (e.g. `password_reset`), for operators. */
  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ type: 'varchar', length: 255 })
  recipient: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: timestampColumnType })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_until', type: timestampColumnType, nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'sent_at', type: timestampColumnType, nullable: true })
  sentAt: Date | null;

  /** Set when MAIL_MAX_ATTEMPTS attempts failed; the message is not tried again. */
  @Column({ name: 'failed_at', type: timestampColumnType, nullable: true })
  failedAt: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;
}
