import type { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';

/** Result of counting one request against a key's current window. */
export interface RateLimitHit {
  count: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Fixed-window counters. Redis makes the limit shared across instances. */
export interface RateLimitStore {
  hit(key: string, windowSeconds: number): Promise<RateLimitHit>;
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

/** Shared store: every instance pointed at the same Redis (and prefix) counts into one window. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly breaker: Pick<RedisCircuitBreaker, 'run'>,
    private readonly keyPrefix = 'ratelimit:',
  ) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitHit> {
    const [count, ttlMs] = (await this.breaker.run((redis) =>
      redis.eval(HIT_SCRIPT, 1, `${this.keyPrefix}${key}`, windowSeconds * 1000),
    )) as [number, number];
    return { count, resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }
}
