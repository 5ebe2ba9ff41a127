import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from './user.entity.js';

/**
 * A username given up by a rename, reserved for its former owner until `expiresAtMs`
 * (USERNAME_HOLD_SECONDS), so nobody else can take it over and pose as them meanwhile.
 */
@Entity('username_holds')
export class UsernameHold {
  /** The username lower-cased (usernames are unique case-insensitively). */
  @PrimaryColumn({ name: 'username_key', type: 'varchar', length: 64 })
  usernameKey: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** Epoch milliseconds: a plain number reads the same on both databases. */
  @Column({
    name: 'expires_at_ms',
    type: 'bigint',
    transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) },
  })
  expiresAtMs: number;
}
