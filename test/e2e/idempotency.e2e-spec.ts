import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdempotencyService } from '../../src/common/idempotency/idempotency.service.js';
import { createArticle, newArticleFields } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, TEST_REDIS_URL, type TestApp } from '../support/test-app.js';
import { newCredentials, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * Idempotency-Key on creating POSTs: a retry with the same key replays the first response and
 * writes nothing; a reused key for another request is refused; concurrent duplicates write once.
 * Keys live in the database without REDIS_URL and in Redis with it: both stores are exercised.
 */
const stores: Array<[string, Record<string, string>]> = [
  ['the database (no REDIS_URL)', {}],
  [
    'Redis',
    {
      REDIS_URL: TEST_REDIS_URL,
      IDEMPOTENCY_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:idempotency:`,
      CACHE_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:cache:`,
      RATE_LIMIT_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:ratelimit:`,
    },
  ],
];

const withKey = (key: string) => ({ 'idempotency-key': key });

describe.each(stores)('Idempotency-Key, stored in %s', (_store, env) => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let other: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp(env);
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'idem');
    other = await registerUser(api, 'idem_other');
  });
  afterAll(() => testApp.close());

  const postArticle = (user: RegisteredUser, key: string, article: unknown) =>
    api.post('/api/articles', { token: user.token, body: { article }, headers: withKey(key) });
  const articlesOf = async (user: RegisteredUser): Promise<number> =>
    (await api.get(`/api/articles?author=${user.username}`)).body.articlesCount;

  it('replays the first response (status and body) to a retry, without a second article', async () => {
    const key = randomUUID();
    const fields = newArticleFields({ tagList: ['retry'] });
    const before = await articlesOf(author);
    const first = await postArticle(author, key, fields);
    const retry = await postArticle(author, key, fields);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect({ status: retry.status, body: retry.body }).toEqual({
      status: first.status,
      body: first.body,
    });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await articlesOf(author)).toBe(before + 1);
  });

  it('answers 422 when the key is reused with a different body, and writes nothing', async () => {
    const key = randomUUID();
    expect((await postArticle(author, key, newArticleFields())).status).toBe(201);
    const before = await articlesOf(author);
    const reused = await postArticle(author, key, newArticleFields());
    expect(expectErrorEnvelope(reused, 422, 'VALIDATION_FAILED')).toEqual({
      'Idempotency-Key': ['was already used for a different request'],
    });
    expect(await articlesOf(author)).toBe(before);
  });

  it('scopes keys per user: the same key from another user is a new request', async () => {
    const key = randomUUID();
    const fields = newArticleFields();
    expect((await postArticle(author, key, fields)).status).toBe(201);
    const theirs = await postArticle(other, key, fields);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.article.author.username).toBe(other.username);
  });

  it('writes once for concurrent duplicates: the others get 409 (in progress) or the replay', async () => {
    const key = randomUUID();
    const fields = newArticleFields();
    const before = await articlesOf(author);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => postArticle(author, key, fields)),
    );
    const created = responses.filter((response) => response.status === 201);
    const inProgress = responses.filter((response) => response.status === 409);
    expect(created.length + inProgress.length).toBe(responses.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.body.article.slug)).size).toBe(1);
    for (const response of inProgress) {
      expect(expectErrorEnvelope(response, 409, 'CONFLICT')).toEqual({
        'Idempotency-Key': ['is used by a request still in progress; retry shortly'],
      });
      expect(response.headers.get('retry-after')).toBe('1');
    }
    expect(await articlesOf(author)).toBe(before + 1);
  });

  it('stores no failed request: a retry after a 422 runs again', async () => {
    const key = randomUUID();
    const invalid = await postArticle(author, key, { title: '' });
    expectErrorEnvelope(invalid, 422, 'VALIDATION_FAILED');
    const fixed = await postArticle(author, key, newArticleFields());
    expect(fixed.status).toBe(201);
  });

  it('refuses a malformed key with 422', async () => {
    const response = await postArticle(author, 'x'.repeat(256), newArticleFields());
    expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toEqual({
      'Idempotency-Key': ['must be 1 to 255 visible ASCII characters'],
    });
  });

  it('replays a registration (anonymous: same key and same body) without a second account', async () => {
    const key = randomUUID();
    const user = newCredentials('idem_reg');
    const register = (body: unknown) => api.post('/api/users', { body, headers: withKey(key) });
    const first = await register({ user });
    const retry = await register({ user });
    expect(first.status).toBe(201);
    expect({ status: retry.status, body: retry.body }).toEqual({
      status: 201,
      body: first.body,
    });
    // Someone else with the same key but another body gets no replay of those tokens.
    const stranger = await register({ user: newCredentials('idem_reg') });
    expectErrorEnvelope(stranger, 422, 'VALIDATION_FAILED');
    // Exactly one account, still usable.
    const login = await api.post('/api/users/login', {
      body: { user: { email: user.email, password: user.password } },
    });
    expect(login.status).toBe(200);
  });

  it('replays a comment without a second one', async () => {
    const { slug } = await createArticle(api, author);
    const key = randomUUID();
    const comment = () =>
      api.post(`/api/articles/${slug}/comments`, {
        token: other.token,
        body: { comment: { body: 'Only once' } },
        headers: withKey(key),
      });
    const first = await comment();
    const retry = await comment();
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const list = await api.get(`/api/articles/${slug}/comments`);
    expect(list.body.comments).toHaveLength(1);
  });

  it('replays a refresh, so a client that lost the answer keeps its session', async () => {
    const user = await registerUser(api, 'idem_refresh');
    const key = randomUUID();
    const refresh = () =>
      api.post('/api/auth/refresh', {
        body: { refreshToken: user.refreshToken },
        headers: withKey(key),
      });
    const first: ApiResponse = await refresh();
    const retry = await refresh();
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    // Without the key, the same retry would count as refresh-token reuse and end the session.
    expect((await api.get('/api/user', { token: first.body.user.token })).status).toBe(200);
  });

  it('documents the header on the creating operations in Swagger', async () => {
    const document = (await api.get('/docs-json')).body;
    const creating = [
      ['/api/users', 'post'],
      ['/api/users/login', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/articles', 'post'],
      ['/api/articles/{slug}/comments', 'post'],
      ['/api/articles/{slug}/favorite', 'post'],
      ['/api/profiles/{username}/follow', 'post'],
    ];
    for (const [path, method] of creating) {
      const parameters = document.paths[path][method].parameters as Array<{
        in: string;
        name: string;
      }>;
      expect({
        path,
        header: parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
      }).toEqual({ path, header: true });
    }
  });
});

describe('expired Idempotency-Keys (database store)', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'idem_exp');
  });
  afterAll(() => testApp.close());

  it('treats a key older than 24 h as new, and purges expired keys', async () => {
    const key = randomUUID();
    const fields = newArticleFields();
    const post = () =>
      api.post('/api/articles', {
        token: author.token,
        body: { article: fields },
        headers: withKey(key),
      });
    expect((await post()).status).toBe(201);
    const rows = async () =>
      Number((await testApp.dataSource.query('SELECT COUNT(*) AS n FROM idempotency_keys'))[0].n);
    expect(await rows()).toBe(1);
    // As if 24 h had passed.
    await testApp.dataSource.query('UPDATE idempotency_keys SET expires_at = created_at');
    const again = await post();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();

    await testApp.dataSource.query('UPDATE idempotency_keys SET expires_at = created_at');
    await testApp.app.get(IdempotencyService).purgeExpired();
    expect(await rows()).toBe(0);
  });
});
