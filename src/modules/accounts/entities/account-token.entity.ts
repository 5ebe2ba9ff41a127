import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import { timestampColumn, timestampColumnType } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';

/** What a mailed link is for. */
export type AccountTokenPurpose = 'email_verification' | 'email_change' | 'password_reset';

/**
 * A single-use token sent by mail. Only its SHA-256 hash is stored; `email` is the address the
 * link was sent to (the address to verify, or the new address of an email change).
 */
@Entity('account_tokens')
@Index('idx_account_tokens_user_purpose', ['userId', 'purpose', 'createdAt'])
export class AccountToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 32 })
  purpose: AccountTokenPurpose;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @Column({ type: 'varchar', length: 255 })
  email: string;

  @Column({ name: 'expires_at', type: timestampColumnType })
  expiresAt: Date;

  @Column({ name: 'used_at', type: timestampColumnType, nullable: true })
  usedAt: Date | null;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;
}
