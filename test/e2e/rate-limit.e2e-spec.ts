import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser } from '../support/users.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client address of its own, so each test starts with full budgets (apps trust the proxy). */
const newClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** An email no other test (or test file sharing the Redis) logs in as. */
const newEmail = () => `target-${randomBytes(6).toString('hex')}@example.com`;

const loginFrom = (api: Api, ip: string, email: string, password = 'wrong-password') =>
  api.post('/api/users/login', {
    body: { user: { email, password } },
    headers: { 'x-forwarded-for': ip },
  });

const failedLogin = (api: Api, ip: string) => loginFrom(api, ip, 'nobody@example.com');

/** A 429 in the error envelope, telling the client when to retry and which budget it hit. */
function expectLimited(response: ApiResponse, limit: number): void {
  expectErrorEnvelope(response, 429, 'RATE_LIMITED');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(response.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(response.headers.get('ratelimit-reset'))).toBe(retryAfter);
}

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
    expectLimited(limited, 3);
    expect((limited.body as { errors: { body: string[] } }).errors.body[0]).toMatch(
      /too many requests/,
    );
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

describe('rate limiting per login account', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: '1000',
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: '3',
    });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('refuses logins to an account after its budget, whatever address they come from', async () => {
    const email = newEmail();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1)
      statuses.push((await loginFrom(api, newClientIp(), email)).status);
    expect(statuses).toEqual([401, 401, 401]);
    expectLimited(await loginFrom(api, newClientIp(), email), 3);
  });

  it('refuses even the right password once the account is under attack', async () => {
    const user = await registerUser(api, 'victim');
    for (let attempt = 0; attempt < 3; attempt += 1)
      await loginFrom(api, newClientIp(), user.email);
    const response = await loginFrom(api, newClientIp(), user.email, user.password);
    expectLimited(response, 3);
  });

  it('treats differently written forms of one email as one account', async () => {
    const email = newEmail();
    const spellings = [email.toUpperCase(), ` ${email} `, email.replace('target', 'TARGET')];
    for (const spelling of spellings) await loginFrom(api, newClientIp(), spelling);
    expect((await loginFrom(api, newClientIp(), email)).status).toBe(429);
  });

  it('leaves other accounts and the same address free to log in', async () => {
    const ip = newClientIp();
    const attacked = newEmail();
    for (let attempt = 0; attempt < 4; attempt += 1) await loginFrom(api, ip, attacked);
    const other = await registerUser(api, 'bystander');
    expect((await loginFrom(api, ip, other.email, other.password)).status).toBe(200);
  });

  it('reports the account budget when it is the tighter one', async () => {
    const response = await loginFrom(api, newClientIp(), newEmail());
    expect(response.status).toBe(401);
    expect(response.headers.get('ratelimit-limit')).toBe('3');
    expect(response.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('does not count a malformed body against any account', async () => {
    const ip = newClientIp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await api.post('/api/users/login', {
        body: { user: { email: 42, password: 'x' } },
        headers: { 'x-forwarded-for': ip },
      });
      expect(response.status).toBe(422);
      expect(response.headers.get('ratelimit-limit')).toBe('1000');
    }
  });
});

describe('rate limiting with REDIS_URL across three instances', () => {
  const instances: TestApp[] = [];
  let apis: Api[];

  beforeAll(async () => {
    const env = {
      REDIS_URL,
      TRUST_PROXY: 'true',
      RATE_LIMIT_MAX: '6',
      RATE_LIMIT_AUTH_MAX: '4',
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: '5',
      // Test files run in parallel against one Redis: counters of their own.
      RATE_LIMIT_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    };
    for (let index = 0; index < 3; index += 1) instances.push(await startTestApp(env));
    apis = instances.map((instance) => new Api(instance.baseUrl));
  });
  afterAll(() => Promise.all(instances.map((instance) => instance.close())));

  it('refuses the request after the default budget, spread round-robin over instances', async () => {
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const api = apis[attempt % 3];
      statuses.push((await api.get('/api/tags', { headers: { 'x-forwarded-for': ip } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const limited = await apis[0].get('/api/tags', { headers: { 'x-forwarded-for': ip } });
    expectLimited(limited, 6);
  });

  it('shares the auth budget between instances', async () => {
    const ip = newClientIp();
    const remaining: Array<string | null> = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await failedLogin(apis[attempt % 3], ip);
      expect(response.status).toBe(401);
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    expectLimited(await failedLogin(apis[1], ip), 4);
  });

  it('shares the per-account login budget between instances', async () => {
    const email = newEmail();
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect((await loginFrom(apis[attempt % 3], newClientIp(), email)).status).toBe(401);
    expectLimited(await loginFrom(apis[2], newClientIp(), email), 5);
  });
});
