import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { timestampColumnType } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';

/** What a one-time code is good for. */
export type OneTimeCodePurpose = 'exchange' | 'link';

/**
 * A short-lived, single-use code: `exchange` turns into a session (after the callback, so
 * tokens never travel in a URL); `link` starts a link flow for a logged-in user in a browser.
 * Only its SHA-256 is stored.
 */
@Entity('oidc_one_time_codes')
@Index('idx_oidc_one_time_codes_expires', ['expiresAt'])
export class OneTimeCode {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'varchar', length: 16 })
  purpose: OneTimeCodePurpose;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ name: 'provider_id', type: 'varchar', length: 32 })
  providerId: string;

  @Column({ name: 'created_at', type: timestampColumnType })
  createdAt: Date;

  @Column({ name: 'expires_at', type: timestampColumnType })
  expiresAt: Date;

  @Column({ name: 'used_at', type: timestampColumnType, nullable: true })
  usedAt: Date | null;
}
