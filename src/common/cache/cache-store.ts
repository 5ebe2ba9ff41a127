/** Optional provider replacing the store {@link CacheService} would pick (tests, other backends). */
export const CACHE_STORE = Symbol('CACHE_STORE');

/**
 * Key–value storage behind {@link CacheService}: strings in, strings out, every key optionally
 * expiring. Implementations may throw (e.g. Redis unreachable); the service treats any failure
 * as a miss and falls back to the database.
 */
export interface CacheStore {
  /** The values of `keys`, in order; `undefined` where a key is absent or expired. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores `value` under `key`, replacing any value, expiring after `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Stores `value` only when `key` is absent; true when it did. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * For stores reached over a network: calls `listener` whenever the connection drops. While
   * it was down, other instances' invalidations may have failed to reach the store.
   */
  onDisconnect?(listener: () => void): void;
}
