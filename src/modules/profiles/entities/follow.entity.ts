import {
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { timestampColumn } from '../../../database/column-types.js';
import { User } from '../../users/entities/user.entity.js';

/** `follower` follows `followee`. The primary key makes following idempotent. */
@Entity('follows')
@Index('idx_follows_followee', ['followeeId'])
export class Follow {
  @PrimaryColumn({ name: 'follower_id', type: 'integer' })
  followerId: number;

  @PrimaryColumn({ name: 'followee_id', type: 'integer' })
  followeeId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'follower_id' })
  follower?: Relation<User>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'followee_id' })
  followee?: Relation<User>;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;
}
