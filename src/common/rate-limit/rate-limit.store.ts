import type { Redis } from 'ioredis';

/** Result of counting one request against a key's current window. */
export interface RateLimitHit {
  count: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Fixed-window counters. Redis makes the limit shared across instances. */
export interface RateLimitStore {
  hit(key: string, windowSeconds: number): Promise<RateLimitHit>;
  /** The key's current count without counting (0 when no window is open). */
  peek(key: string): Promise<RateLimitHit>;
  /** Takes back one count of the current window (an attempt that turned out legitimate). */
  release(key: string): Promise<void>;
}

/** Per-process store for single-instance deployments and development. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async hit(key: string, windowSeconds: number): Promise<RateLimitHit> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 100_000) this.evictExpired(now);
      window = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetSeconds: Math.ceil((window.resetAt - now) / 1000) };
  }

  async peek(key: string): Promise<RateLimitHit> {
    const now = Date.now();
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now) return { count: 0, resetSeconds: 0 };
    return { count: window.count, resetSeconds: Math.ceil((window.resetAt - now) / 1000) };
  }

  async release(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.resetAt > Date.now() && window.count > 0) window.count -= 1;
  }

  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

// INCR and set the expiry on the first hit, atomically, so concurrent instances share one window.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }
`;

const PEEK_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return { 0, 0 } end
return { tonumber(count), redis.call('PTTL', KEYS[1]) }
`;

const RELEASE_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

/** Shared store: every instance pointed at the same Redis (and prefix) counts into one window. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'ratelimit:',
  ) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitHit> {
    const [count, ttlMs] = (await this.redis.eval(
      HIT_SCRIPT,
      1,
      `${this.keyPrefix}${key}`,
      windowSeconds * 1000,
    )) as [number, number];
    return { count, resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  async peek(key: string): Promise<RateLimitHit> {
    const [count, ttlMs] = (await this.redis.eval(PEEK_SCRIPT, 1, `${this.keyPrefix}${key}`)) as [
      number,
      number,
    ];
    return { count, resetSeconds: count === 0 ? 0 : Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, `${this.keyPrefix}${key}`);
  }
}
