import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn, timestampColumnType } from '../../database/column-types.js';

/**
 * One Idempotency-Key in use (the database store, when REDIS_URL is unset). Neither the client's
 * key nor the request is stored in clear: `key` hashes the caller's scope with the key,
 * `fingerprint` is an HMAC of the request, and `response` is sealed (AES-256-GCM), since it may
 * hold tokens.
 */
@Entity('idempotency_keys')
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'varchar', length: 64 })
  fingerprint: string;

  /** The sealed response; null while the first request is still in progress. */
  @Column({ type: 'text', nullable: true })
  response: string | null;

  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;

  @Index('idx_idempotency_keys_expires')
  @Column({ name: 'expires_at', type: timestampColumnType })
  expiresAt: Date;
}
