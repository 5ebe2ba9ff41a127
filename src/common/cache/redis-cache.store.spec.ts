import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';
import { RedisCacheStore } from './redis-cache.store.js';

/** Runs against the real Redis the e2e suite uses (always available locally and in CI). */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisCacheStore', () => {
  let redis: Redis;
  let breaker: RedisCircuitBreaker;
  const prefix = `unit-${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping();
    breaker = new RedisCircuitBreaker(redis, { commandTimeoutMs: 1000, probeIntervalMs: 1000 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('stores values under the prefixed key with the given expiry', async () => {
    const store = new RedisCacheStore(breaker, prefix);
    await store.set('a', 'value', 30);
    expect(await redis.get(`${prefix}a`)).toBe('value');
    const ttl = await redis.ttl(`${prefix}a`);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('reads several keys in order, undefined where absent', async () => {
    const store = new RedisCacheStore(breaker, prefix);
    await store.set('x', '1', 30);
    await store.set('y', '2', 30);
    expect(await store.getMany(['y', 'nope', 'x'])).toEqual(['2', undefined, '1']);
    expect(await store.getMany([])).toEqual([]);
  });

  it('sets only absent keys with setIfAbsent', async () => {
    const store = new RedisCacheStore(breaker, prefix);
    expect(await store.setIfAbsent('once', 'first', 30)).toBe(true);
    expect(await store.setIfAbsent('once', 'second', 30)).toBe(false);
    expect(await store.getMany(['once'])).toEqual(['first']);
  });

  it('keeps instances with different prefixes apart', async () => {
    const one = new RedisCacheStore(breaker, `${prefix}one:`);
    const two = new RedisCacheStore(breaker, `${prefix}two:`);
    await one.set('k', 'from one', 30);
    expect(await two.getMany(['k'])).toEqual([undefined]);
  });
});
