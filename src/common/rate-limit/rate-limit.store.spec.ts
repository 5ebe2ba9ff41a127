import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';
import { MemoryRateLimitStore, RedisRateLimitStore } from './rate-limit.store.js';

describe('MemoryRateLimitStore', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts hits per key within a window', async () => {
    const store = new MemoryRateLimitStore();
    expect(await store.hit('a', 60)).toEqual({ count: 1, resetSeconds: 60 });
    expect(await store.hit('a', 60)).toEqual({ count: 2, resetSeconds: 60 });
    expect(await store.hit('b', 60)).toEqual({ count: 1, resetSeconds: 60 });
  });

  it('reports the seconds left in the window, rounded up', async () => {
    const store = new MemoryRateLimitStore();
    await store.hit('a', 60);
    jest.advanceTimersByTime(20_500);
    expect(await store.hit('a', 60)).toEqual({ count: 2, resetSeconds: 40 });
  });

  it('starts a new window once the old one has passed', async () => {
    const store = new MemoryRateLimitStore();
    await store.hit('a', 60);
    await store.hit('a', 60);
    jest.advanceTimersByTime(60_000);
    expect(await store.hit('a', 60)).toEqual({ count: 1, resetSeconds: 60 });
  });
});

describe('RedisRateLimitStore', () => {
  /** Records the eval call and answers like the Lua script would. */
  const fakeRedis = (reply: [number, number]) => {
    const calls: unknown[][] = [];
    const client = {
      status: 'ready',
      on: () => undefined,
      eval: async (...args: unknown[]) => {
        calls.push(args);
        return reply;
      },
    } as unknown as Redis;
    const redis = new RedisCircuitBreaker(client, { commandTimeoutMs: 200, probeIntervalMs: 1000 });
    return { redis, calls };
  };

  it('increments a prefixed key with the window in milliseconds in one script call', async () => {
    const { redis, calls } = fakeRedis([3, 42_000]);
    expect(await new RedisRateLimitStore(redis).hit('auth:10.0.0.1', 60)).toEqual({
      count: 3,
      resetSeconds: 42,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].slice(1)).toEqual([1, 'ratelimit:auth:10.0.0.1', 60_000]);
    expect(calls[0][0]).toEqual(expect.stringContaining('PEXPIRE'));
  });

  it('puts the configured prefix in front of the key', async () => {
    const { redis, calls } = fakeRedis([1, 60_000]);
    await new RedisRateLimitStore(redis, 'staging:rl:').hit('default:10.0.0.1', 60);
    expect(calls[0][2]).toBe('staging:rl:default:10.0.0.1');
  });

  it('never reports less than one second to wait', async () => {
    const { redis } = fakeRedis([9, 0]);
    expect((await new RedisRateLimitStore(redis).hit('k', 60)).resetSeconds).toBe(1);
  });
});
