import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment, mapWithConcurrency } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { normalizeTag } from '../../src/modules/tags/tag-name.js';
import { decodeClaims } from '../support/tokens.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };

/**
 * Metacharacters of SQL (both dialects), LIKE patterns, NoSQL operators, path traversal,
 * template engines, shells, markup, and Unicode edge cases. None may cause a 500 or change
 * stored data other than the value sent.
 */
const PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1' UNION SELECT password_hash FROM users --",
  '1; SELECT pg_sleep(5)',
  '%',
  '_',
  '\\',
  "\\' OR 1=1 --",
  '{"$gt":""}',
  '../../../../etc/passwd',
  '${7*7}{{7*7}}<%= 7*7 %>',
  '`id`$(id)|id;id&&id',
  '<script>alert(1)</script>',
  '\u202Egnp.exe',
  '𝕮𝖔𝖓𝖉𝖚𝖎𝖙 😀',
  '\r\nX-Injected: 1',
];

/**
 * The payload without characters a field rejects by design (tags hold no commas, invisible or
 * bidirectional control characters), in the normal form tags are stored in.
 */
const asTag = (payload: string) =>
  normalizeTag(payload.replace(/,/g, ' ').replace(/[\p{Cc}\p{Cf}]/gu, '')) || 'x';

/** A client error in the envelope or a success: anything but a 5xx. */
function expectHandled(response: ApiResponse, context: string) {
  expect({ context, status: response.status < 500 ? 'handled' : response.status }).toEqual({
    context,
    status: 'handled',
  });
  if (response.status >= 400) expectErrorEnvelope(response, response.status, response.body.code);
}

/**
 * Injection (API8:2019; in the 2023 list it belongs to API8 misconfiguration and API10): every
 * path, query and body field of the API receives the payloads. The database is reached only
 * through bound parameters, so payloads are data: stored values round-trip byte for byte and
 * nothing else changes.
 */
describe('injection in every path, query and body field', () => {
  let testApp: TestApp;
  let api: Api;
  let victim: RegisteredUser;
  let attacker: RegisteredUser;
  let admin: { token: string };
  let article: { slug: string };
  let comment: { id: number };
  let userCount: number;

  beforeAll(async () => {
    testApp = await startTestApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    api = new Api(testApp.baseUrl);
    [victim, attacker, admin] = await Promise.all([
      registerUser(api, 'victim'),
      registerUser(api, 'attacker'),
      loginTokens(api, ADMIN.email, ADMIN.password),
    ]);
    article = await createArticle(api, victim, { tagList: ['kept'] });
    comment = await createComment(api, victim, article.slug);
    userCount = (await api.get('/api/users', { token: admin.token })).body.usersCount;
  });

  afterAll(async () => {
    // Nothing outside the attacker's own values changed.
    const after = await api.get(`/api/articles/${article.slug}`, { token: victim.token });
    expect(after.body.article).toMatchObject({ slug: article.slug, tagList: ['kept'] });
    const comments = await api.get(`/api/articles/${article.slug}/comments`);
    expect(comments.body.comments.map((c: { id: number }) => c.id)).toContain(comment.id);
    expect((await api.get('/api/user', { token: victim.token })).body.user.email).toBe(
      victim.email,
    );
    await testApp.close();
  });

  it('path parameters: slug, username, comment id and session id', async () => {
    await mapWithConcurrency(PAYLOADS, 4, async (payload) => {
      const p = encodeURIComponent(payload);
      const token = attacker.token;
      const requests: Array<[string, string]> = [
        ['GET', `/api/profiles/${p}`],
        ['POST', `/api/profiles/${p}/follow`],
        ['DELETE', `/api/profiles/${p}/follow`],
        ['GET', `/api/articles/${p}`],
        ['PUT', `/api/articles/${p}`],
        ['DELETE', `/api/articles/${p}`],
        ['POST', `/api/articles/${p}/favorite`],
        ['DELETE', `/api/articles/${p}/favorite`],
        ['GET', `/api/articles/${p}/comments`],
        ['POST', `/api/articles/${p}/comments`],
        ['DELETE', `/api/articles/${article.slug}/comments/${p}`],
        ['DELETE', `/api/articles/${p}/comments/${comment.id}`],
        ['DELETE', `/api/auth/sessions/${p}`],
      ];
      for (const [method, path] of requests) {
        const body = method === 'PUT' ? { article: { body: 'x' } } : undefined;
        const response = await api.request(method, path, {
          token,
          body: method === 'POST' && path.endsWith('comments') ? { comment: { body: 'x' } } : body,
        });
        expectHandled(response, `${method} ${path}`);
        expect(response.status).not.toBe(200);
      }
    });
  });

  it('query parameters of every list', async () => {
    await mapWithConcurrency(PAYLOADS, 4, async (payload) => {
      const q = encodeURIComponent(payload);
      const paths = [
        `/api/articles?tag=${q}`,
        `/api/articles?author=${q}`,
        `/api/articles?favorited=${q}`,
        `/api/articles?limit=${q}`,
        `/api/articles?offset=${q}`,
        `/api/articles?cursor=${q}`,
        `/api/articles?sort=${q}`,
        `/api/articles/feed?sort=${q}`,
        `/api/articles/${article.slug}/comments?sort=${q}`,
        `/api/auth/sessions?sort=${q}`,
        `/api/users?search=${q}`,
        `/api/users?role=${q}`,
        `/api/users?sort=${q}`,
        `/api/articles?${q}=1`,
      ];
      for (const path of paths) {
        const response = await api.get(path, {
          token: path.startsWith('/api/users') ? admin.token : attacker.token,
        });
        expectHandled(response, path);
        // A filter that matched everything would be a successful injection.
        if (response.status === 200 && response.body.articles)
          expect(response.body.articlesCount).toBe(0);
        if (response.status === 200 && response.body.users)
          expect(response.body.usersCount).toBeLessThan(userCount);
      }
    });
  });

  it('account fields: registration, login, settings and refresh', async () => {
    await mapWithConcurrency(PAYLOADS, 2, async (payload) => {
      const responses = await Promise.all([
        api.post('/api/users', {
          body: { user: { username: payload, email: `${payload}@example.com`, password: payload } },
        }),
        api.post('/api/users/login', { body: { user: { email: payload, password: payload } } }),
        api.post('/api/users/login', {
          body: { user: { email: victim.email, password: payload } },
        }),
        api.post('/api/auth/refresh', { body: { refreshToken: payload.padEnd(16, '_') } }),
        api.put('/api/user', {
          token: attacker.token,
          body: { user: { username: payload, email: payload, image: payload } },
        }),
      ]);
      for (const response of responses) {
        expectHandled(response, `account field ${JSON.stringify(payload)}`);
        expect(response.body?.user?.username).not.toBe(victim.username);
      }
    });
    expect((await api.get('/api/users', { token: admin.token })).body.usersCount).toBe(userCount);
  });

  it('stores free-text fields exactly as sent: bio, article, tags and comment', async () => {
    for (const payload of PAYLOADS) {
      const bio = await api.put('/api/user', {
        token: attacker.token,
        body: { user: { bio: payload } },
      });
      expectHandled(bio, `bio ${payload}`);
      expect(bio.body.user.bio).toBe(payload);
      const profile = await api.get(`/api/profiles/${attacker.username}`);
      expect(profile.body.profile.bio).toBe(bio.body.user.bio);

      const created = await api.post('/api/articles', {
        token: attacker.token,
        body: {
          article: {
            title: `t ${payload}`,
            description: payload,
            body: payload,
            tagList: [asTag(payload)],
          },
        },
      });
      expectHandled(created, `article ${payload}`);
      expect(created.status).toBe(201);
      const stored = (await api.get(`/api/articles/${created.body.article.slug}`)).body.article;
      expect(stored).toMatchObject({
        title: `t ${payload}`.trim(),
        description: payload.trim(),
        body: payload.trim(),
        tagList: [asTag(payload)],
      });
      expect(stored.slug).toMatch(/^[a-z0-9-]+$/);
      const byTag = await api.get(`/api/articles?tag=${encodeURIComponent(asTag(payload))}`);
      expect(byTag.body.articles.map((a: { slug: string }) => a.slug)).toEqual([stored.slug]);

      const commented = await api.post(`/api/articles/${stored.slug}/comments`, {
        token: attacker.token,
        body: { comment: { body: payload } },
      });
      expectHandled(commented, `comment ${payload}`);
      expect(commented.body.comment.body).toBe(payload.trim());
    }
  });

  it('refuses text that is not valid Unicode rather than storing something else', async () => {
    // JSON can escape a lone surrogate; the database would keep U+FFFD in its place.
    for (const [path, method, body] of [
      ['/api/articles', 'POST', '{"article":{"title":"a\\ud800b","description":"d","body":"b"}}'],
      ['/api/user', 'PUT', '{"user":{"bio":"\\udfff"}}'],
      [`/api/articles/${article.slug}/comments`, 'POST', '{"comment":{"body":"x\\ud83d"}}'],
    ]) {
      const response = await api.request(method, path, {
        token: attacker.token,
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').body).toEqual([
        'must be valid Unicode (no lone surrogate escapes)',
      ]);
    }
    const pair = await api.put('/api/user', {
      token: attacker.token,
      rawBody: '{"user":{"bio":"\\ud83d\\ude00"}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(pair.body.user.bio).toBe('😀');
  });

  it('headers: Authorization and X-Request-Id with metacharacters', async () => {
    for (const payload of PAYLOADS.filter((p) => !/[\r\n\u202E\u{1D56E}-\u{1D59F}😀]/u.test(p))) {
      const response = await api.get('/api/user', {
        headers: { authorization: `Token ${payload}`, 'x-request-id': payload },
      });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    }
    const { sid } = decodeClaims(victim.token);
    const sessions = await api.get('/api/auth/sessions', { token: victim.token });
    expect(sessions.body.sessions.map((s: { id: string }) => s.id)).toContain(sid);
  });
});
