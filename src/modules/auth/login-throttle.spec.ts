import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../../common/errors/domain-errors.js';
import { RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { RedisCircuitBreaker } from '../../common/redis/redis-circuit-breaker.js';
import type { AppConfig } from '../../config/app.config.js';
import { LoginThrottle } from './login-throttle.js';
import type { SessionsService } from './sessions.service.js';

const config = {
  rateLimit: { windowSeconds: 60, loginAddressMax: 2, loginAccountMax: 3, keyPrefix: 'rl:' },
} as AppConfig;

/** The owner (user 7) has logged in from 10.0.0.7 before. */
const sessions = {
  hasStartedFrom: async (userId: number, ip: string) => userId === 7 && ip === '10.0.0.7',
} as unknown as SessionsService;

/** A breaker over a fake connected client, as the app wires Redis into the rate limiter. */
const breakerOver = (redis: Redis) =>
  new RedisCircuitBreaker(
    { status: 'ready', on: () => undefined, ...(redis as object) } as unknown as Redis,
    {
      commandTimeoutMs: 200,
      probeIntervalMs: 60_000,
    },
  );

const throttle = (redis: Redis | null = null) =>
  new LoginThrottle(config, new RateLimiter(config, redis && breakerOver(redis)), sessions);

/** A failed attempt: admitted, never released. */
const fail = async (subject: LoginThrottle, email: string, ip: string, userId?: number) => {
  await subject.admit(email, ip, userId);
};

describe('LoginThrottle', () => {
  it('stops an address after its failures on one account, leaving other addresses free', async () => {
    const subject = throttle();
    await fail(subject, 'jake@example.com', '10.0.0.1');
    await fail(subject, 'jake@example.com', '10.0.0.1');
    await expect(subject.admit('jake@example.com', '10.0.0.1', 7)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await expect(subject.admit('jake@example.com', '10.0.0.2', 7)).resolves.toBeDefined();
  });

  it("closes the account to new addresses past its ceiling, not to the owner's addresses", async () => {
    const subject = throttle();
    for (const ip of ['10.1.0.1', '10.1.0.2', '10.1.0.3'])
      await fail(subject, 'jake@example.com', ip, 7);
    await expect(subject.admit('jake@example.com', '10.1.0.4', 7)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await expect(subject.admit('jake@example.com', '10.0.0.7', 7)).resolves.toBeDefined();
    // An unknown email has no owner's address: closed to everyone.
    for (const ip of ['10.2.0.1', '10.2.0.2', '10.2.0.3'])
      await fail(subject, 'ghost@example.com', ip);
    await expect(subject.admit('ghost@example.com', '10.0.0.7', undefined)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('takes successful attempts back, so only failures use the budgets up', async () => {
    const subject = throttle();
    for (let attempt = 0; attempt < 5; attempt += 1)
      await (await subject.admit('amy@example.com', '10.3.0.1', 8)).release();
    await fail(subject, 'amy@example.com', '10.3.0.1', 8);
    await expect(subject.admit('amy@example.com', '10.3.0.1', 8)).resolves.toBeDefined();
  });

  it('normalises the email, so case and surrounding spaces do not open new budgets', async () => {
    const subject = throttle();
    await fail(subject, 'Jake@Example.com', '10.4.0.1');
    await fail(subject, ' jake@example.com ', '10.4.0.1');
    await expect(subject.admit('JAKE@EXAMPLE.COM', '10.4.0.1', undefined)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('stores a hash of the email, never the email itself', async () => {
    const keys: string[] = [];
    const redis = {
      eval: async (_script: string, _count: number, key: string) => {
        keys.push(key);
        return [1, 60_000];
      },
    } as unknown as Redis;
    await throttle(redis).admit('jake@example.com', '10.5.0.1', 7);
    expect(keys).toHaveLength(2);
    expect(keys.every((key) => /^rl:login-failed:[\w-]{43}(:10\.5\.0\.1)?$/.test(key))).toBe(true);
    expect(keys.join()).not.toContain('jake');
  });
});
