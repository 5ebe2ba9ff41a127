import type { Redis } from 'ioredis';
import type { CacheStore } from './cache-store.js';

/** Thrown instead of waiting when Redis is not connected or too slow to answer. */
export class CacheUnavailableError extends Error {}

/**
 * Shared store: every instance pointed at the same Redis and prefix sees the same entries and
 * generations. Fails fast while the connection is down (instead of queueing commands until
 * ioredis gives up) and after `timeoutMs` when Redis is slow, so an outage costs a request a
 * cache lookup, never its latency budget.
 */
export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly timeoutMs = 250,
  ) {}

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.call(() => this.redis.mget(keys.map((key) => this.keyPrefix + key)));
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.call(() => this.redis.set(this.keyPrefix + key, value, 'EX', ttlSeconds));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.set(this.keyPrefix + key, value, 'EX', ttlSeconds, 'NX'),
    );
    return reply === 'OK';
  }

  onDisconnect(listener: () => void): void {
    this.redis.on('close', listener);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') {
      throw new CacheUnavailableError(`redis is ${this.redis.status}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CacheUnavailableError(`redis did not answer in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([command(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
