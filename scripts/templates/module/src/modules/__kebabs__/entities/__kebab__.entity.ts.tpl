import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Timestamped } from '../../../database/timestamped.entity.js';
// Entity files may import another module's entity file directly (for relations); everything
// else goes through that module's index.ts.
import { User } from '../../users/entities/user.entity.js';

/** Longest title accepted and stored (the column is `varchar(255)`). */
export const TITLE_MAX_LENGTH = 255;

/**
 * A {{label}}: private to the user who created it (its owner) and deleted with them. The index
 * serves the list: the owner's rows in `created_at, id` order, read forwards or backwards.
 */
@Entity('{{table}}')
@Index('idx_{{table}}_owner_created_id', ['ownerId', 'createdAt', 'id'])
export class {{Entity}} extends Timestamped {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: TITLE_MAX_LENGTH })
  title: string;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'owner_id', type: 'integer' })
  ownerId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: Relation<User>;
}
