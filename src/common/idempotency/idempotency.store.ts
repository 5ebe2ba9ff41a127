import { Injectable } from '@nestjs/common';
import { IsNull, LessThan } from 'typeorm';
import { currentTimestampSql } from '../../database/column-types.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { RedisClient } from '../redis/redis.module.js';
import { uniqueViolationField } from '../errors/unique-violation.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';

/** What a key holds when a request claims it. */
export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'in-flight'; fingerprint: string }
  | { outcome: 'completed'; fingerprint: string; response: string };

/**
 * Where Idempotency-Keys live: Redis when configured (shared by every instance), the database
 * otherwise. Keys and fingerprints arrive hashed, responses sealed.
 */
export interface IdempotencyStore {
  /** Takes the key for a new request (held `pendingMs`), or says who has it. */
  claim(key: string, fingerprint: string, pendingMs: number): Promise<Claim>;
  /** Stores the response of the request that claimed the key, kept `ttlMs`. */
  complete(key: string, fingerprint: string, response: string, ttlMs: number): Promise<void>;
  /** Frees a key whose request failed (it wrote nothing), so a retry runs again. */
  release(key: string): Promise<void>;
  /** Removes expired keys (Redis expires them by itself). */
  purgeExpired(): Promise<void>;
}

interface RedisEntry {
  f: string;
  r: string | null;
}

/** Keys as Redis strings with a TTL: `SET NX` claims, so exactly one request of a race wins. */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: NonNullable<RedisClient>,
    private readonly prefix: string,
  ) {}

  async claim(key: string, fingerprint: string, pendingMs: number): Promise<Claim> {
    const entry: RedisEntry = { f: fingerprint, r: null };
    // Twice at most: the holder's entry may expire between our SET and GET.
    for (let attempt = 0; attempt < 2; attempt++) {
      const set = await this.redis.set(
        this.prefix + key,
        JSON.stringify(entry),
        'PX',
        pendingMs,
        'NX',
      );
      if (set === 'OK') return { outcome: 'claimed' };
      const held = await this.redis.get(this.prefix + key);
      if (held === null) continue;
      const { f, r } = JSON.parse(held) as RedisEntry;
      return r === null
        ? { outcome: 'in-flight', fingerprint: f }
        : { outcome: 'completed', fingerprint: f, response: r };
    }
    throw new Error('idempotency key could not be claimed');
  }

  async complete(key: string, fingerprint: string, response: string, ttlMs: number) {
    const entry: RedisEntry = { f: fingerprint, r: response };
    await this.redis.set(this.prefix + key, JSON.stringify(entry), 'PX', ttlMs);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async purgeExpired(): Promise<void> {}
}

/**
 * Keys as rows of `idempotency_keys`: the primary key decides a race (the loser's INSERT
 * fails), expired rows are treated as absent and purged periodically.
 */
@Injectable()
export class DatabaseIdempotencyStore implements IdempotencyStore {
  constructor(private readonly tx: TransactionRunner) {}

  async claim(key: string, fingerprint: string, pendingMs: number): Promise<Claim> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.tx.run((manager) =>
          manager.insert(IdempotencyRecord, {
            key,
            fingerprint,
            response: null,
            expiresAt: new Date(Date.now() + pendingMs),
          }),
        );
        return { outcome: 'claimed' };
      } catch (error) {
        if (uniqueViolationField(error) === undefined) throw error;
      }
      const held = await this.tx.run((manager) => manager.findOneBy(IdempotencyRecord, { key }));
      if (!held) continue;
      if (held.expiresAt.getTime() <= Date.now()) {
        await this.tx.run((manager) =>
          manager.delete(IdempotencyRecord, { key, expiresAt: LessThan(new Date()) }),
        );
        continue;
      }
      return held.response === null
        ? { outcome: 'in-flight', fingerprint: held.fingerprint }
        : { outcome: 'completed', fingerprint: held.fingerprint, response: held.response };
    }
    throw new Error('idempotency key could not be claimed');
  }

  async complete(key: string, fingerprint: string, response: string, ttlMs: number) {
    await this.tx.run((manager) =>
      manager.update(
        IdempotencyRecord,
        { key, fingerprint },
        { response, expiresAt: new Date(Date.now() + ttlMs) },
      ),
    );
  }

  async release(key: string): Promise<void> {
    await this.tx.run((manager) => manager.delete(IdempotencyRecord, { key, response: IsNull() }));
  }

  async purgeExpired(): Promise<void> {
    await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .delete()
        .from(IdempotencyRecord)
        .where(`expires_at < ${currentTimestampSql}`)
        .execute(),
    );
  }
}
