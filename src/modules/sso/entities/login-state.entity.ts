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

/**
 * A pending OIDC login between authorize and callback. Kept in the database so that any
 * instance can finish a flow another one started; deleted when consumed (single use).
 */
@Entity('oidc_login_states')
@Index('idx_oidc_login_states_expires', ['expiresAt'])
export class LoginState {
  /** SHA-256 of the `state` parameter sent to the provider. */
  @PrimaryColumn({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash: string;

  /** SHA-256 of the random value in the browser's binding cookie. */
  @Column({ name: 'browser_hash', type: 'varchar', length: 64 })
  browserHash: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 32 })
  providerId: string;

  @Column({ type: 'varchar', length: 128 })
  nonce: string;

  @Column({ name: 'code_verifier', type: 'varchar', length: 128 })
  codeVerifier: string;

  /** The callback URL sent to the provider; the token request must repeat it exactly. */
  @Column({ name: 'callback_url', type: 'varchar', length: 2048 })
  callbackUrl: string;

  /** Where the client wants its one-time code (already checked against the allow-list). */
  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri: string;

  /** Set when a logged-in user links this provider to their account. */
  @Column({ name: 'link_user_id', type: 'integer', nullable: true })
  linkUserId: number | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'link_user_id' })
  linkUser?: Relation<User>;

  @Column({ name: 'created_at', type: timestampColumnType })
  createdAt: Date;

  @Column({ name: 'expires_at', type: timestampColumnType })
  expiresAt: Date;
}
