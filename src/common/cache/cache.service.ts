import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import { type OptionalRedisBreaker, REDIS_BREAKER } from '../redis/redis.module.js';
import { CACHE_STORE, type CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './memory-cache.store.js';
import { RedisCacheStore } from './redis-cache.store.js';

/** How often a failed invalidation is retried in the background until the store takes it. */
const INVALIDATION_RETRY_MS = 1000;
/**
 * Namespace every entry depends on. An instance that lost its connection to the store renews
 * it once the store is back (before it reads any entry), in case an invalidation from any
 * instance failed during the outage.
 */
const EPOCH = 'epoch';

/**
 * Read-through cache with generation-based invalidation, shared by all instances when Redis is
 * configured (in-process otherwise).
 *
 * Every entry depends on one or more namespaces (e.g. `article:<slug>`, `user-profiles`), and
 * its key embeds each namespace's current generation: a random token. {@link invalidate}
 * replaces the token, so every entry built on the old one can never be read again; it expires
 * on its own. Why this is never stale: a reader fetches the tokens before it loads from the
 * database, and a writer replaces them after its transaction commits (and before it answers).
 * A read that starts after a write has answered therefore either finds an entry stored under the
 * new token (loaded after the commit) or loads fresh data itself. Tokens are random rather than
 * counters, so a token that expired or was evicted can never be re-created with a value that
 * old entries still carry.
 *
 * Store failures never fail a request: reads fall back to `load()`. An invalidation that could
 * not be written is remembered; until it succeeds (retried in the background and before every
 * read of that namespace) this instance bypasses the cache for the namespace. After a lost
 * connection to Redis every instance renews the {@link EPOCH} before reading again, which makes
 * all older entries unreadable: after an outage of Redis itself, no instance serves an entry
 * that a failed invalidation should have removed. (The one gap: a network partition between
 * one writing instance and Redis, while the others still reach it; then their entries may be
 * stale until the writer's retry gets through or the entries expire, CACHE_TTL_SECONDS.)
 */
@Injectable()
export class CacheService implements OnModuleDestroy {
  private readonly logger = new Logger(CacheService.name);
  private readonly store: CacheStore | undefined;
  private readonly ttlSeconds: number;
  /**
   * Namespaces whose invalidation has not reached the store yet, each with a counter of the
   * invalidations asked for, so a flush that started before the latest one cannot clear it.
   */
  private readonly pending = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private degraded = false;
  private stopped = false;

  constructor(
    config: AppConfig,
    @Inject(REDIS_BREAKER) redis: OptionalRedisBreaker,
    @Optional() @Inject(CACHE_STORE) store?: CacheStore,
  ) {
    this.ttlSeconds = config.cache.ttlSeconds;
    if (this.ttlSeconds === 0) return;
    this.store =
      store ??
      (redis
        ? new RedisCacheStore(redis, config.cache.keyPrefix)
        : new MemoryCacheStore(config.cache.maxEntries, config.cache.maxBytes));
    this.store.onDisconnect?.(() => {
      if (this.stopped) return;
      this.markPending(EPOCH);
      this.scheduleRetry();
    });
  }

  /** False when CACHE_TTL_SECONDS=0: every read goes to the database. */
  get enabled(): boolean {
    return this.store !== undefined;
  }

  /**
   * The value cached under `key` for the current generations of `dependsOn`, or `load()`'s
   * result, which is then cached. Values go through JSON: pass plain data. A failing `load()`
   * (e.g. not found) is not cached.
   */
  async getOrLoad<T>(
    key: string,
    dependsOn: readonly string[],
    load: () => Promise<T>,
  ): Promise<T> {
    const store = this.store;
    if (!store) return load();
    const tokens = await this.attempt(() => this.generations(store, dependsOn));
    if (!tokens.ok) return load();
    const entryKey = `entry:${key}@${tokens.value.join('.')}`;
    const cached = await this.attempt(() => store.getMany([entryKey]));
    if (cached.ok && cached.value[0] !== undefined) return JSON.parse(cached.value[0]) as T;
    const value = await load();
    await this.attempt(() => store.set(entryKey, JSON.stringify(value), this.ttlSeconds));
    return value;
  }

  /**
   * Makes every entry depending on any of `namespaces` unreadable, on every instance sharing the
   * store. Call after the write's transaction has committed and before answering the request.
   */
  async invalidate(...namespaces: string[]): Promise<void> {
    if (!this.store) return;
    for (const namespace of namespaces) this.markPending(namespace);
    await this.flush(namespaces);
  }

  /** Stops retrying (before the Redis connection is closed, which would look like an outage). */
  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async generations(store: CacheStore, dependsOn: readonly string[]): Promise<string[]> {
    const namespaces = [EPOCH, ...dependsOn];
    const unflushed = namespaces.filter((namespace) => this.pending.has(namespace));
    if (unflushed.length > 0 && !(await this.flush(unflushed))) {
      throw new Error(`invalidation of ${unflushed.join(', ')} not yet stored`);
    }
    const keys = namespaces.map(generationKey);
    const tokens = await store.getMany(keys);
    const missing = keys.filter((_, index) => tokens[index] === undefined);
    if (missing.length === 0) return tokens as string[];
    // First use, or the token expired: start a new generation. Of concurrent starters one wins
    // (NX), and everybody reads the winner's token back.
    for (const key of missing) await store.setIfAbsent(key, newToken(), this.generationTtl());
    const current = await store.getMany(keys);
    if (current.some((token) => token === undefined)) throw new Error('generation vanished');
    return current as string[];
  }

  /** Writes new tokens for those of `namespaces` still pending; true when none is left. */
  private async flush(namespaces: readonly string[]): Promise<boolean> {
    const store = this.store!;
    for (const namespace of namespaces) {
      const requested = this.pending.get(namespace);
      if (requested === undefined) continue;
      const stored = await this.attempt(() =>
        store.set(generationKey(namespace), newToken(), this.generationTtl()),
      );
      if (!stored.ok) {
        this.scheduleRetry();
        return false;
      }
      if (this.pending.get(namespace) === requested) this.pending.delete(namespace);
    }
    return true;
  }

  private markPending(namespace: string): void {
    this.pending.set(namespace, (this.pending.get(namespace) ?? 0) + 1);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush([...this.pending.keys()]);
    }, INVALIDATION_RETRY_MS);
    this.retryTimer.unref();
  }

  /**
   * Outlives the entries built on it (a shorter life would only cost misses: a new token is
   * random, never one an old entry carries).
   */
  private generationTtl(): number {
    return this.ttlSeconds * 2;
  }

  /** Runs a store operation, logging (once per outage) instead of throwing when it fails. */
  private async attempt<T>(
    operation: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const value = await operation();
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('cache store reachable again');
      }
      return { ok: true, value };
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(
          `cache store unavailable, reading from the database: ${(error as Error).message}`,
        );
      }
      return { ok: false };
    }
  }
}

/** Store key of a namespace's current generation token. */
function generationKey(namespace: string): string {
  return `gen:${namespace}`;
}

function newToken(): string {
  return randomBytes(9).toString('base64url');
}
