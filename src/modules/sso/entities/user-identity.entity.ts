import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { timestampColumnType } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';

/**
 * A provider account linked to a user, keyed by (issuer, subject) as OpenID Connect requires:
 * never by email, which a provider may reassign.
 */
@Entity('user_identities')
@Index('uq_user_identities_issuer_subject', ['issuer', 'subject'], { unique: true })
@Index('idx_user_identities_user', ['userId'])
export class UserIdentity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** Configured provider id at link time (display; the key is issuer + subject). */
  @Column({ name: 'provider_id', type: 'varchar', length: 32 })
  providerId: string;

  @Column({ type: 'varchar', length: 512 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** Email the provider last asserted (informational only). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: timestampColumnType })
  createdAt: Date;

  @Column({ name: 'last_login_at', type: timestampColumnType, nullable: true })
  lastLoginAt: Date | null;
}
