import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { timestampColumn, timestampColumnType } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';

/**
 * A login session: one refresh-token family. Every access token carries its session id, so
 * revoking the session invalidates both its refresh tokens and its access tokens at once.
 */
@Entity('sessions')
@Index('idx_sessions_user_created', ['userId', 'createdAt'])
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;

  /**
   * When the user last really authenticated in this session (the login that started it);
   * carried unchanged through refreshes, unlike `lastUsedAt`.
   */
  @Column({ name: 'authenticated_at', type: timestampColumnType })
  authenticatedAt: Date;

  @Column({ name: 'last_used_at', type: timestampColumnType })
  lastUsedAt: Date;

  @Column({ name: 'expires_at', type: timestampColumnType })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: timestampColumnType, nullable: true })
  revokedAt: Date | null;

  /** Why the session ended: logout, revoked by the user, or refresh-token reuse. */
  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;
}
