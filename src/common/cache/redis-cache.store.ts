import type { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';
import type { CacheStore } from './cache-store.js';

/**
 * Shared store: every instance pointed at the same Redis and prefix sees the same entries and
 * generations. Its commands go through the {@link RedisCircuitBreaker}: they fail at once while
 * Redis is down or skipped and after REDIS_COMMAND_TIMEOUT_MS when it is silent, so an outage
 * costs a request a cache lookup, never its latency budget.
 */
export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly breaker: Pick<RedisCircuitBreaker, 'run' | 'onDisconnect'>,
    private readonly keyPrefix: string,
  ) {}

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.breaker.run((redis) =>
      redis.mget(keys.map((key) => this.keyPrefix + key)),
    );
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.breaker.run((redis) => redis.set(this.keyPrefix + key, value, 'EX', ttlSeconds));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.breaker.run((redis) =>
      redis.set(this.keyPrefix + key, value, 'EX', ttlSeconds, 'NX'),
    );
    return reply === 'OK';
  }

  onDisconnect(listener: () => void): void {
    this.breaker.onDisconnect(listener);
  }
}
