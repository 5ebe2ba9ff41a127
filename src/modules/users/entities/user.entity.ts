import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumnType } from '../../../database/column-types.js';
import { Timestamped } from '../../../database/timestamped.entity.js';
import type { Role } from '../../../common/auth/role.js';

@Entity('users')
@Index('idx_users_created_id', ['createdAt', 'id'])
export class User extends Timestamped {
  @PrimaryGeneratedColumn()
  id: number;

  /** Stored lower-cased; unique. */
  @Column({ type: 'varchar', length: 255, unique: true })
  email: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  /** argon2id hash; never selected unless asked for explicitly. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'text', nullable: true })
  bio: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  image: string | null;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: Role;

  /** When the current email was confirmed through a mailed link; null while unverified. */
  @Column({ name: 'email_verified_at', type: timestampColumnType, nullable: true })
  emailVerifiedAt: Date | null;

  /** Set by an administrator: login is refused and every session has ended. */
  @Column({ name: 'disabled_at', type: timestampColumnType, nullable: true })
  disabledAt: Date | null;
}
