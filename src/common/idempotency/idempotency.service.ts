import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module.js';
import {
  type Claim,
  DatabaseIdempotencyStore,
  type IdempotencyStore,
  RedisIdempotencyStore,
} from './idempotency.store.js';

/** How long a completed request's response is replayed for its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a key stays claimed by a request still running (or one whose process died). */
const PENDING_TTL_MS = 60_000;
/** How often expired keys are deleted from the database store. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** A response as replayed: its status and JSON body. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** A claim whose stored response (if any) is already unsealed. */
export type OpenedClaim =
  | { outcome: 'claimed' }
  | { outcome: 'in-flight'; fingerprint: string }
  | { outcome: 'completed'; fingerprint: string; response: StoredResponse };

/** JSON with object keys sorted, so equal bodies give equal fingerprints. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Idempotency-Key bookkeeping: which store, how a request is fingerprinted and how responses
 * are sealed. Bodies may hold passwords and responses tokens, so a fingerprint is an HMAC and a
 * stored response is encrypted (AES-256-GCM), both with keys derived from JWT_SECRET.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly store: IdempotencyStore;
  private readonly hmacKey: Buffer;
  private readonly sealKey: Buffer;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(config: AppConfig, @Inject(REDIS_CLIENT) redis: RedisClient, tx: TransactionRunner) {
    this.store = redis
      ? new RedisIdempotencyStore(redis, config.idempotency.keyPrefix)
      : new DatabaseIdempotencyStore(tx);
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', config.auth.jwtSecret, '', `idempotency:${info}`, 32));
    this.hmacKey = derive('fingerprint');
    this.sealKey = derive('response');
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purgeExpired(), PURGE_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** The stored key of a client key within a scope (a user, or anonymous callers). */
  storageKey(scope: string, key: string): string {
    return createHash('sha256').update(`${scope}\n${key}`).digest('hex');
  }

  /** What must be identical for a reused key: method, URL and (canonical) body. */
  fingerprint(method: string, url: string, body: unknown): string {
    return createHmac('sha256', this.hmacKey)
      .update(`${method} ${url}\n${canonicalJson(body)}`)
      .digest('hex');
  }

  /** Claims the key; `undefined` when the store cannot be reached (logged; requests go on). */
  async claim(key: string, fingerprint: string): Promise<OpenedClaim | undefined> {
    let claim: Claim;
    try {
      claim = await this.store.claim(key, fingerprint, PENDING_TTL_MS);
    } catch (error) {
      this.logger.warn(`idempotency store unavailable, key not honoured: ${String(error)}`);
      return undefined;
    }
    if (claim.outcome !== 'completed') return claim;
    return { ...claim, response: this.open(claim.response) };
  }

  /** Stores the response; a failure is logged, never turned into an error (the write is done). */
  async complete(key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    try {
      await this.store.complete(key, fingerprint, this.seal(response), IDEMPOTENCY_TTL_MS);
    } catch (error) {
      this.logger.warn(`idempotent response could not be stored: ${String(error)}`);
    }
  }

  /** Frees the key of a request that failed (and so wrote nothing). */
  async release(key: string): Promise<void> {
    try {
      await this.store.release(key);
    } catch (error) {
      // It expires after PENDING_TTL_MS anyway.
      this.logger.warn(`idempotency key could not be released: ${String(error)}`);
    }
  }

  /** Deletes expired keys (database store; Redis expires them itself). Runs every 10 minutes. */
  async purgeExpired(): Promise<void> {
    try {
      await this.store.purgeExpired();
    } catch (error) {
      this.logger.warn(`expired idempotency keys could not be purged: ${String(error)}`);
    }
  }

  private seal(response: StoredResponse): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(response)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  private open(sealed: string): StoredResponse {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as StoredResponse;
  }
}
