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
import { Session } from './session.entity.js';

/**
 * One refresh token of a session. Only its SHA-256 hash is stored; the token is single-use:
 * `usedAt` is set when it is exchanged, and presenting it again revokes the whole session.
 */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_refresh_tokens_session')
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: Relation<Session>;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;

  @Column({ name: 'used_at', type: timestampColumnType, nullable: true })
  usedAt: Date | null;

  /**
   * The pair this token's rotation issued, AES-256-GCM-encrypted under a key derived from this
   * token (which only its holder knows): a concurrent refresh within the grace window gets it.
   */
  @Column({ name: 'successor_sealed', type: 'text', nullable: true })
  successorSealed: string | null;
}
