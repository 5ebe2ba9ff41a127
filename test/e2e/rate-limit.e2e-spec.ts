import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app.config.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, registerUser } from '../support/users.js';

/** The rate limits a deployment gets without configuring any. */
const SHIPPED = loadConfig({}).rateLimit;

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

describe('targeted login lock-out, with the default login budgets', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: '1000',
      // The shipped defaults (the test app raises every budget otherwise).
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: String(SHIPPED.loginAccountMax),
      RATE_LIMIT_LOGIN_ADDRESS_MAX: String(SHIPPED.loginAddressMax),
    });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('lets the owner in after 10 wrong passwords from 10 addresses, from anywhere', async () => {
    const owner = await registerUser(api, 'owner');
    for (let attempt = 0; attempt < 10; attempt += 1)
      expect((await loginFrom(api, newClientIp(), owner.email)).status).toBe(401);
    expect((await loginFrom(api, newClientIp(), owner.email, owner.password)).status).toBe(200);
    expect((await login(api, owner.email, owner.password)).status).toBe(200);
  });
});

describe('login budgets per account and address', () => {
  const ADDRESS_MAX = 3;
  const ACCOUNT_MAX = 6;
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: '1000',
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: String(ACCOUNT_MAX),
      RATE_LIMIT_LOGIN_ADDRESS_MAX: String(ADDRESS_MAX),
    });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('stops one address after its failed logins on an account, even with the right password', async () => {
    const user = await registerUser(api, 'guessed');
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < ADDRESS_MAX; attempt += 1)
      statuses.push((await loginFrom(api, ip, user.email)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await loginFrom(api, ip, user.email, user.password);
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Only that address, only that account.
    expect((await loginFrom(api, newClientIp(), user.email, user.password)).status).toBe(200);
    const other = await registerUser(api, 'bystander');
    expect((await loginFrom(api, ip, other.email, other.password)).status).toBe(200);
  });

  it('closes the account to new addresses under distributed guessing, but not to the owner', async () => {
    const owner = await registerUser(api, 'besieged'); // registered from 127.0.0.1
    for (let attempt = 0; attempt < ACCOUNT_MAX; attempt += 1)
      expect((await loginFrom(api, newClientIp(), owner.email)).status).toBe(401);
    // A new address (the next guesser, or the owner on a new network) is refused…
    expectErrorEnvelope(
      await loginFrom(api, newClientIp(), owner.email, owner.password),
      429,
      'RATE_LIMITED',
    );
    // …while the address the owner has logged in from before still gets in.
    expect((await login(api, owner.email, owner.password)).status).toBe(200);
    expect((await login(api, owner.email, 'wrong-password')).status).toBe(401);
  });

  it('does not use up the budgets with successful logins', async () => {
    const user = await registerUser(api, 'frequent');
    const ip = newClientIp();
    for (let attempt = 0; attempt < ADDRESS_MAX + 3; attempt += 1)
      expect((await loginFrom(api, ip, user.email, user.password)).status).toBe(200);
    expect((await loginFrom(api, ip, user.email)).status).toBe(401);
  });

  it('counts concurrent guesses atomically: no more than the budget reach the password check', async () => {
    const user = await registerUser(api, 'raced');
    const ip = newClientIp();
    const statuses = (
      await Promise.all(Array.from({ length: 10 }, () => loginFrom(api, ip, user.email)))
    ).map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(ADDRESS_MAX);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10 - ADDRESS_MAX);
  });

  it('treats differently written forms of one email as one account', async () => {
    const email = newEmail();
    const ip = newClientIp();
    const spellings = [email.toUpperCase(), ` ${email} `, email.replace('target', 'TARGET')];
    for (const spelling of spellings) await loginFrom(api, ip, spelling);
    expect((await loginFrom(api, ip, email)).status).toBe(429);
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
      RATE_LIMIT_LOGIN_ADDRESS_MAX: '4',
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
    const limited = await loginFrom(apis[2], newClientIp(), email);
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('shares the per-address login budget on an account between instances', async () => {
    const email = newEmail();
    const ip = newClientIp();
    for (let attempt = 0; attempt < 4; attempt += 1)
      expect((await loginFrom(apis[attempt % 3], ip, email)).status).toBe(401);
    expectErrorEnvelope(await loginFrom(apis[1], ip, email), 429, 'RATE_LIMITED');
  });
});
