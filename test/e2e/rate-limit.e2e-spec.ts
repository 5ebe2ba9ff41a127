import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client address of its own, so each test starts with full budgets (apps trust the proxy). */
const newClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const failedLogin = (api: Api, ip: string) =>
  api.post('/api/users/login', {
    body: { user: { email: 'nobody@example.com', password: 'wrong-password' } },
    headers: { 'x-forwarded-for': ip },
  });

describe('rate limiting', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: '3',
      RATE_LIMIT_MAX: '5',
    });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('returns 429 with Retry-After once a client exceeds the auth budget', async () => {
    const ip = newClientIp();
    const remaining: Array<string | null> = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await failedLogin(api, ip);
      expect(response.status).toBe(401);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await failedLogin(api, ip);
    const errors = expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(errors.body[0]).toMatch(/too many requests/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('keeps separate budgets per client address', async () => {
    const exhausted = newClientIp();
    for (let attempt = 0; attempt < 4; attempt += 1) await failedLogin(api, exhausted);
    expect((await failedLogin(api, exhausted)).status).toBe(429);
    expect((await failedLogin(api, newClientIp())).status).toBe(401);
  });

  it('counts the auth bucket apart from the default bucket', async () => {
    const ip = newClientIp();
    for (let attempt = 0; attempt < 4; attempt += 1) await failedLogin(api, ip);
    const response = await api.get('/api/user', { headers: { 'x-forwarded-for': ip } });
    expect(response.status).toBe(401);
    expect(response.headers.get('ratelimit-limit')).toBe('5');
  });

  it('limits other routes with the default budget, before authentication', async () => {
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      statuses.push((await api.get('/api/user', { headers: { 'x-forwarded-for': ip } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('never limits the health probes', async () => {
    const ip = newClientIp();
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await api.get('/api/health', { headers: { 'x-forwarded-for': ip } });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});

describe('rate limiting without TRUST_PROXY', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_AUTH_MAX: '2' });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('ignores X-Forwarded-For, so a client cannot reset its budget by forging it', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push((await failedLogin(api, newClientIp())).status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('rate limiting with REDIS_URL', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const env = { REDIS_URL, TRUST_PROXY: 'true', RATE_LIMIT_AUTH_MAX: '3' };
    [first, second] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(() => Promise.all([first?.close(), second?.close()]));

  it('shares one budget between instances', async () => {
    const ip = newClientIp();
    const apiA = new Api(first.baseUrl);
    const apiB = new Api(second.baseUrl);
    expect((await failedLogin(apiA, ip)).status).toBe(401);
    expect((await failedLogin(apiB, ip)).status).toBe(401);
    const third = await failedLogin(apiA, ip);
    expect(third.status).toBe(401);
    expect(third.headers.get('ratelimit-remaining')).toBe('0');

    const limited = await failedLogin(apiB, ip);
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
