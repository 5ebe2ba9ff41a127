import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { httpContext } from '../../../test/support/execution-context.js';
import type { AppConfig } from '../../config/app.config.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import { RateLimit, RateLimitGuard } from './rate-limit.guard.js';
import { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';
import { RateLimiter } from './rate-limiter.js';

class Routes {
  ordinary() {}
  @RateLimit('auth') login() {}
  @RateLimit('none') health() {}
}

const config = {
  rateLimit: { windowSeconds: 60, max: 3, authMax: 2, loginAccountMax: 3, keyPrefix: 'rl:' },
} as AppConfig;

/** A breaker over a fake connected client (only the commands a test needs). */
const breakerOver = (commands: Partial<Record<'eval', unknown>>) =>
  new RedisCircuitBreaker(
    { status: 'ready', on: () => undefined, ...commands } as unknown as Redis,
    {
      commandTimeoutMs: 200,
      probeIntervalMs: 60_000,
    },
  );

const guardWith = (redis: RedisCircuitBreaker | null) =>
  new RateLimitGuard(new Reflector(), config, new RateLimiter(config, redis));

class FakeReply {
  sentHeaders: Record<string, string> = {};
  headers(values: Record<string, string>) {
    Object.assign(this.sentHeaders, values);
    return this;
  }
}

describe('RateLimitGuard', () => {
  let reply: FakeReply;
  const call = (guard: RateLimitGuard, handler: keyof Routes, ip = '10.0.0.1') =>
    guard.canActivate(httpContext(Routes, handler, { ip, headers: {} }, reply));

  beforeEach(() => {
    reply = new FakeReply();
  });

  it('allows requests within the default budget and reports what is left', async () => {
    const guard = guardWith(null);
    await expect(call(guard, 'ordinary')).resolves.toBe(true);
    expect(reply.sentHeaders).toEqual({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'ratelimit-reset': '60',
    });
  });

  it('throws RateLimitedError once the budget is spent', async () => {
    const guard = guardWith(null);
    for (let hit = 0; hit < 3; hit += 1) await call(guard, 'ordinary');
    await expect(call(guard, 'ordinary')).rejects.toBeInstanceOf(RateLimitedError);
    expect(reply.sentHeaders['ratelimit-remaining']).toBe('0');
  });

  it('gives @RateLimit("auth") routes their own, smaller budget', async () => {
    const guard = guardWith(null);
    await call(guard, 'login');
    await call(guard, 'login');
    await expect(call(guard, 'login')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(call(guard, 'ordinary')).resolves.toBe(true);
  });

  it('counts each client address separately', async () => {
    const guard = guardWith(null);
    await call(guard, 'login', '10.0.0.1');
    await call(guard, 'login', '10.0.0.1');
    await expect(call(guard, 'login', '10.0.0.2')).resolves.toBe(true);
  });

  it('exempts @RateLimit("none") routes entirely', async () => {
    const guard = guardWith(null);
    // Answered synchronously: no promise for Nest to await on a health probe.
    for (let hit = 0; hit < 10; hit += 1) expect(call(guard, 'health')).toBe(true);
    expect(reply.sentHeaders).toEqual({});
  });

  it('fails open, logging each failure, until the breaker skips Redis without asking it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let calls = 0;
    const redis = breakerOver({
      eval: async () => {
        calls += 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
    });
    const guard = guardWith(redis);
    for (let hit = 0; hit < 5; hit += 1) await expect(call(guard, 'login')).resolves.toBe(true);
    // Three failures open the breaker; the next requests neither wait nor log.
    expect(calls).toBe(3);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(redis.isOpen).toBe(true);
    redis.stop();
    warn.mockRestore();
  });
});
