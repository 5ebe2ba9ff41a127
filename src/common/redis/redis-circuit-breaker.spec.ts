import { describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisCircuitBreaker, RedisUnavailableError } from './redis-circuit-breaker.js';

const never = () => new Promise<never>(() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fake connected client whose commands a test controls. */
function fakeClient(overrides: Record<string, unknown> = {}) {
  return {
    status: 'ready',
    disconnect: jest.fn(),
    on: jest.fn(),
    ping: jest.fn<() => Promise<string>>(never),
    get: jest.fn<() => Promise<string>>(never),
    ...overrides,
  };
}

const breakerOver = (client: ReturnType<typeof fakeClient>, probeIntervalMs = 60_000) =>
  new RedisCircuitBreaker(client as unknown as Redis, { commandTimeoutMs: 50, probeIntervalMs });

describe('RedisCircuitBreaker', () => {
  it('opens when the connection closes: then fails at once, without queueing', async () => {
    const offline = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    offline.on('error', () => undefined);
    const breaker = new RedisCircuitBreaker(offline, {
      commandTimeoutMs: 5000,
      probeIntervalMs: 1000,
    });
    const closed = new Promise((resolve) => offline.once('close', resolve));
    offline.connect().catch(() => undefined);
    await closed;
    expect(breaker.isOpen).toBe(true);
    const started = Date.now();
    await expect(breaker.run((redis) => redis.get('a'))).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(100);
    breaker.stop();
    offline.disconnect();
  });

  it('gives up after the command timeout when Redis does not answer', async () => {
    const breaker = breakerOver(fakeClient());
    const started = Date.now();
    await expect(breaker.run((redis) => redis.get('a'))).rejects.toThrow(
      'did not answer within 50 ms',
    );
    expect(Date.now() - started).toBeLessThan(1000);
    breaker.stop();
  });

  it('opens after three failures in a row: then fails at once without asking Redis', async () => {
    const client = fakeClient();
    const breaker = breakerOver(client);
    for (let attempt = 0; attempt < 3; attempt += 1)
      await expect(breaker.run((redis) => redis.get('a'))).rejects.toThrow(RedisUnavailableError);
    expect(breaker.isOpen).toBe(true);
    const started = Date.now();
    const skipped = await breaker.run((redis) => redis.get('a')).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(20);
    expect(skipped).toBeInstanceOf(RedisUnavailableError);
    expect((skipped as RedisUnavailableError).skipped).toBe(true);
    expect(client.get).toHaveBeenCalledTimes(3);
    breaker.stop();
  });

  it('stays closed when failures are not consecutive', async () => {
    let fail = true;
    const client = fakeClient({
      get: jest.fn(() => (fail ? Promise.reject(new Error('boom')) : Promise.resolve('v'))),
    });
    const breaker = breakerOver(client);
    for (let round = 0; round < 3; round += 1) {
      fail = true;
      await expect(breaker.run((redis) => redis.get('a'))).rejects.toThrow('boom');
      await expect(breaker.run((redis) => redis.get('a'))).rejects.toThrow('boom');
      fail = false;
      await expect(breaker.run((redis) => redis.get('a'))).resolves.toBe('v');
    }
    expect(breaker.isOpen).toBe(false);
    breaker.stop();
  });

  it('probes in the background and closes once Redis answers a PING', async () => {
    const client = fakeClient();
    const breaker = breakerOver(client, 100);
    for (let attempt = 0; attempt < 3; attempt += 1)
      await breaker.run((redis) => redis.get('a')).catch(() => undefined);
    expect(breaker.isOpen).toBe(true);
    client.ping.mockImplementation(() => Promise.resolve('PONG'));
    client.get.mockImplementation(() => Promise.resolve('v'));
    await sleep(400);
    expect(breaker.isOpen).toBe(false);
    await expect(breaker.run((redis) => redis.get('a'))).resolves.toBe('v');
    breaker.stop();
  });

  it('replaces a connection that is up but silent (a frozen network)', async () => {
    const client = fakeClient();
    const breaker = breakerOver(client, 50);
    for (let attempt = 0; attempt < 3; attempt += 1)
      await breaker.run((redis) => redis.get('a')).catch(() => undefined);
    await sleep(300);
    expect(client.disconnect).toHaveBeenCalledWith(true);
    expect(breaker.isOpen).toBe(true);
    breaker.stop();
  });
});
