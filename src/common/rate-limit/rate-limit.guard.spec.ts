import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { httpContext } from '../../../test/support/execution-context.js';
import type { AppConfig } from '../../config/app.config.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import { RedisCircuitBreaker } from '../redis/redis-circuit-breaker.js';
import { RateLimit, RateLimitGuard, RateLimitPerAccount } from './rate-limit.guard.js';

/** A breaker over a fake connected client (only the commands a test needs). */
const breakerOver = (commands: Partial<Record<'eval', unknown>>) =>
  new RedisCircuitBreaker(
    { status: 'ready', on: () => undefined, ...commands } as unknown as Redis,
    {
      commandTimeoutMs: 200,
      probeIntervalMs: 60_000,
    },
  );

class Routes {
  ordinary() {}
  @RateLimit('auth') login() {}
  @RateLimit('none') health() {}
  @RateLimit('auth')
  @RateLimitPerAccount((body) => (body as { user?: { email?: unknown } } | null)?.user?.email)
  accountLogin() {}
}

const config = {
  rateLimit: { windowSeconds: 60, max: 3, authMax: 2, loginAccountMax: 3, keyPrefix: 'rl:' },
} as AppConfig;

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
    const guard = new RateLimitGuard(new Reflector(), config, null);
    await expect(call(guard, 'ordinary')).resolves.toBe(true);
    expect(reply.sentHeaders).toEqual({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'ratelimit-reset': '60',
    });
  });

  it('throws RateLimitedError once the budget is spent', async () => {
    const guard = new RateLimitGuard(new Reflector(), config, null);
    for (let hit = 0; hit < 3; hit += 1) await call(guard, 'ordinary');
    await expect(call(guard, 'ordinary')).rejects.toBeInstanceOf(RateLimitedError);
    expect(reply.sentHeaders['ratelimit-remaining']).toBe('0');
  });

  it('gives @RateLimit("auth") routes their own, smaller budget', async () => {
    const guard = new RateLimitGuard(new Reflector(), config, null);
    await call(guard, 'login');
    await call(guard, 'login');
    await expect(call(guard, 'login')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(call(guard, 'ordinary')).resolves.toBe(true);
  });

  it('counts each client address separately', async () => {
    const guard = new RateLimitGuard(new Reflector(), config, null);
    await call(guard, 'login', '10.0.0.1');
    await call(guard, 'login', '10.0.0.1');
    await expect(call(guard, 'login', '10.0.0.2')).resolves.toBe(true);
  });

  describe('per account', () => {
    const attempt = (guard: RateLimitGuard, ip: string, body: unknown) =>
      guard.canActivate(httpContext(Routes, 'accountLogin', { ip, headers: {}, body }, reply));
    const loginAs = (email: unknown) => ({ user: { email, password: 'guess' } });

    it('refuses the account once its budget is spent, even from fresh addresses', async () => {
      const guard = new RateLimitGuard(new Reflector(), config, null);
      for (let hit = 1; hit <= 3; hit += 1)
        await expect(attempt(guard, `10.1.0.${hit}`, loginAs('jake@example.com'))).resolves.toBe(
          true,
        );
      await expect(attempt(guard, '10.1.0.9', loginAs('jake@example.com'))).rejects.toBeInstanceOf(
        RateLimitedError,
      );
      expect(reply.sentHeaders).toMatchObject({
        'ratelimit-limit': '3',
        'ratelimit-remaining': '0',
      });
      await expect(attempt(guard, '10.1.0.9', loginAs('amy@example.com'))).resolves.toBe(true);
    });

    it('normalises the email, so case and surrounding spaces do not open new budgets', async () => {
      const guard = new RateLimitGuard(new Reflector(), config, null);
      await attempt(guard, '10.2.0.1', loginAs('Jake@Example.com'));
      await attempt(guard, '10.2.0.2', loginAs(' jake@example.com '));
      await attempt(guard, '10.2.0.3', loginAs('JAKE@EXAMPLE.COM'));
      await expect(attempt(guard, '10.2.0.4', loginAs('jake@example.com'))).rejects.toBeInstanceOf(
        RateLimitedError,
      );
    });

    it('reports the budget closest to running out in the headers', async () => {
      const guard = new RateLimitGuard(new Reflector(), config, null);
      await attempt(guard, '10.3.0.1', loginAs('a@example.com'));
      // Address budget (2): 1 left; account budget (3): 2 left.
      expect(reply.sentHeaders).toMatchObject({
        'ratelimit-limit': '2',
        'ratelimit-remaining': '1',
      });
    });

    it('stores a hash of the email, never the email itself', async () => {
      const keys: string[] = [];
      const redis = breakerOver({
        eval: async (_script: string, _count: number, key: string) => {
          keys.push(key);
          return [1, 60_000];
        },
      });
      const guard = new RateLimitGuard(new Reflector(), config, redis);
      await attempt(guard, '10.4.0.1', loginAs('jake@example.com'));
      expect(keys).toHaveLength(2);
      expect(keys).toContain('rl:auth:10.4.0.1');
      expect(keys.find((key) => key.startsWith('rl:account:'))).toMatch(/^rl:account:[\w-]{43}$/);
      expect(keys.join()).not.toContain('jake');
    });

    it.each([undefined, null, 'text', [1, 2], { user: null }, loginAs(42), loginAs('  ')])(
      'only counts the address when the body names no account (%p)',
      async (body) => {
        const guard = new RateLimitGuard(new Reflector(), config, null);
        await expect(attempt(guard, '10.5.0.1', body)).resolves.toBe(true);
        expect(reply.sentHeaders['ratelimit-limit']).toBe('2');
      },
    );
  });

  it('exempts @RateLimit("none") routes entirely', async () => {
    const guard = new RateLimitGuard(new Reflector(), config, null);
    for (let hit = 0; hit < 10; hit += 1) await expect(call(guard, 'health')).resolves.toBe(true);
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
    const guard = new RateLimitGuard(new Reflector(), config, redis);
    for (let hit = 0; hit < 5; hit += 1) await expect(call(guard, 'login')).resolves.toBe(true);
    // Three failures open the breaker; the next requests neither wait nor log.
    expect(calls).toBe(3);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(redis.isOpen).toBe(true);
    redis.stop();
    warn.mockRestore();
  });
});
