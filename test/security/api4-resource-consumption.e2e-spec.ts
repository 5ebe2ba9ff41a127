import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, newArticleFields } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, newCredentials, registerUser, type RegisteredUser } from '../support/users.js';

/** The production default of BODY_LIMIT_BYTES (1 MiB); this file runs with the defaults. */
const DEFAULT_BODY_LIMIT = 1_048_576;

/** `depth` nested JSON objects around `leaf`, e.g. `{"a":{"a":1}}` for depth 2. */
const nestedObject = (depth: number, leaf = '1') =>
  '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * OWASP API4:2023 Unrestricted Resource Consumption: every input is bounded (page sizes, body
 * size, nesting, string lengths, list sizes) and credential guessing is throttled. Bounds are
 * answered with the envelope's 4xx before any expensive work.
 */
describe('API4:2023 unrestricted resource consumption', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;
  let slug: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'consumer');
    slug = (await createArticle(api, user)).slug;
  });
  afterAll(() => testApp.close());

  describe('page sizes are capped', () => {
    const lists = () => [
      '/api/articles',
      '/api/articles/feed',
      `/api/articles/${slug}/comments`,
      '/api/auth/sessions',
    ];

    it('answers 422 for limit=101 on every list, and accepts limit=100', async () => {
      for (const path of lists()) {
        const over = await api.get(`${path}?limit=101`, { token: user.token });
        expect(expectErrorEnvelope(over, 422, 'VALIDATION_FAILED')).toHaveProperty('limit');
        const max = await api.get(`${path}?limit=100`, { token: user.token });
        expect(max.status).toBe(200);
      }
    });

    it.each([
      ['an exponent', 'limit=1e9'],
      ['a huge integer', 'limit=99999999999999999999'],
      ['a negative size', 'limit=-1'],
      ['zero', 'limit=0'],
      ['a repeated parameter', 'limit=1&limit=1000'],
      ['a huge offset', 'offset=1e400'],
      ['an over-long sort', `sort=${'-createdAt,'.repeat(30)}`],
      ['an over-long cursor', `cursor=${'A'.repeat(2000)}`],
      ['an over-long tag filter', `tag=${'t'.repeat(65)}`],
    ])('answers 422 for %s', async (_label, query) => {
      const response = await api.get(`/api/articles?${query}`);
      expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    });
  });

  describe('bodies are bounded', () => {
    it('answers 413 for a body over the limit, before parsing or authenticating it', async () => {
      const body = JSON.stringify({ user: { bio: 'x'.repeat(DEFAULT_BODY_LIMIT) } });
      const authenticated = await api.put('/api/user', {
        token: user.token,
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expectErrorEnvelope(authenticated, 413, 'PAYLOAD_TOO_LARGE');
      const anonymous = await api.post('/api/users/login', {
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expectErrorEnvelope(anonymous, 413, 'PAYLOAD_TOO_LARGE');
    });

    it.each([
      ['objects inside a field', () => `{"user":{"email":${nestedObject(50_000)}}}`],
      ['objects as the wrapper', () => `{"user":${nestedObject(50_000)}}`],
      ['objects in an unknown field', () => `{"user":{"x":${nestedObject(50_000)}}}`],
      ['arrays inside a field', () => `{"user":{"email":${nestedArray(100_000)}}}`],
      ['arrays as the whole body', () => nestedArray(100_000)],
    ])('answers 4xx, never 500, for deeply nested %s', async (_label, body) => {
      const response = await api.post('/api/users/login', {
        rawBody: body(),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.code).toMatch(/^(VALIDATION_FAILED|BAD_REQUEST|MALFORMED_JSON)$/);
      // The server is still healthy afterwards.
      expect((await api.get('/api/health')).status).toBe(200);
    });

    it('answers 422 for deep nesting in an authenticated update', async () => {
      const response = await api.put(`/api/articles/${slug}`, {
        token: user.token,
        rawBody: `{"article":{"tagList":${nestedArray(50_000)}}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    });
  });

  describe('strings and lists have maximum lengths (422)', () => {
    it.each([
      ['username', 'username', 'u'.repeat(65)],
      ['email', 'email', `${'e'.repeat(250)}@example.com`],
      ['password', 'password', 'p'.repeat(257)],
    ])('registration: %s', async (_label, field, value) => {
      const response = await api.post('/api/users', {
        body: { user: { ...newCredentials(), [field]: value } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty(field);
    });

    it.each([
      ['bio', 'b'.repeat(10_001)],
      ['image', `https://example.com/${'i'.repeat(2048)}`],
    ])('profile settings: %s', async (field, value) => {
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { [field]: value } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty(field);
    });

    it.each([
      ['title', { title: 't'.repeat(256) }],
      ['description', { description: 'd'.repeat(1001) }],
      ['body', { body: 'b'.repeat(100_001) }],
      ['tagList', { tagList: Array.from({ length: 21 }, (_, i) => `tag${i}`) }],
      ['tagList', { tagList: ['t'.repeat(65)] }],
    ])('articles: %s', async (field, overrides) => {
      const response = await api.post('/api/articles', {
        token: user.token,
        body: { article: newArticleFields(overrides) },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty(field);
    });

    it('comments: body', async () => {
      const response = await api.post(`/api/articles/${slug}/comments`, {
        token: user.token,
        body: { comment: { body: 'c'.repeat(20_001) } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty('body');
    });

    it('login: a password longer than any valid one is refused before hashing', async () => {
      const response = await login(api, user.email, 'p'.repeat(100_000));
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty('password');
    });

    it('refresh: an over-long refresh token', async () => {
      const response = await api.post('/api/auth/refresh', {
        body: { refreshToken: 'r'.repeat(10_000) },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty(
        'refreshToken',
      );
    });
  });

  it('answers 431 (from Node, before the app) for oversized headers', async () => {
    const response = await api.get('/api/tags', { headers: { 'x-padding': 'h'.repeat(20_000) } });
    expect(response.status).toBe(431);
  });
});

describe('API4:2023 login brute force', () => {
  /** Failed logins one address may make on one account (RATE_LIMIT_LOGIN_ADDRESS_MAX). */
  const ACCOUNT_MAX = 5;
  const AUTH_MAX = 12;
  let testApp: TestApp;
  let api: Api;
  let victim: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
      RATE_LIMIT_LOGIN_ADDRESS_MAX: String(ACCOUNT_MAX),
    });
    api = new Api(testApp.baseUrl);
    victim = await registerUser(api, 'victim');
  });
  afterAll(() => testApp.close());

  it('answers 429 once an address has had its guesses at an account, even for the right password', async () => {
    for (let attempt = 1; attempt <= ACCOUNT_MAX; attempt += 1) {
      const guess = await login(api, victim.email, `wrong-password-${attempt}`);
      expectErrorEnvelope(guess, 401, 'UNAUTHORIZED');
    }
    const limited = await login(api, victim.email.toUpperCase(), victim.password);
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.user).toBeUndefined();
  });

  it('answers 429 once an address has spent its credential budget on many accounts', async () => {
    // Registration (1) and the account test (6) already spent part of this address's budget.
    let status = 0;
    for (let attempt = 0; attempt < AUTH_MAX && status !== 429; attempt += 1) {
      status = (await login(api, `spray-${attempt}@example.com`, 'password123')).status;
      expect([401, 429]).toContain(status);
    }
    const limited = await api.post('/api/auth/refresh', {
      body: { refreshToken: victim.refreshToken },
    });
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    // Other routes keep their own, larger budget.
    expect((await api.get('/api/user', { token: victim.token })).status).toBe(200);
  });
});
