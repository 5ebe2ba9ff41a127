import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment, follow, newArticleFields } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  loginTokens,
  newCredentials,
  registerUser,
  type RegisteredUser,
} from '../support/users.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };

/**
 * Every key path a response may contain, per response type (`[]` marks array elements). A new
 * column or relation reaching a response fails here until it is consciously added.
 */
const PROFILE = ['username', 'bio', 'image', 'following'];
const ARTICLE = [
  'slug',
  'title',
  'description',
  'body',
  'tagList',
  'tagList[]',
  'createdAt',
  'updatedAt',
  'favorited',
  'favoritesCount',
  'author',
  ...PROFILE.map((key) => `author.${key}`),
];
const COMMENT = ['id', 'body', 'createdAt', 'updatedAt', 'author'].concat(
  PROFILE.map((key) => `author.${key}`),
);
const nest = (prefix: string, keys: string[]) => [prefix, ...keys.map((k) => `${prefix}.${k}`)];
const ALLOWED_KEYS = {
  user: nest('user', ['email', 'token', 'username', 'bio', 'image', 'emailVerified']),
  userWithRefresh: nest('user', [
    'email',
    'token',
    'username',
    'bio',
    'image',
    'emailVerified',
    'refreshToken',
  ]),
  profile: nest('profile', PROFILE),
  article: nest('article', ARTICLE),
  articleList: [
    ...nest(
      'articles[]',
      ARTICLE.filter((key) => key !== 'body'),
    ),
    'articles',
    'articlesCount',
    'nextCursor',
  ],
  comment: nest('comment', COMMENT),
  commentList: ['comments', ...nest('comments[]', COMMENT), 'nextCursor'],
  sessionList: [
    'sessions',
    ...nest('sessions[]', ['id', 'createdAt', 'lastUsedAt', 'expiresAt', 'userAgent', 'ip']),
    'sessions[].current',
    'sessionsCount',
    'nextCursor',
  ],
  adminUserList: [
    'users',
    ...nest('users[]', ['id', 'email', 'username', 'bio', 'image', 'role']),
    'users[].emailVerified',
    'users[].disabled',
    'users[].createdAt',
    'users[].updatedAt',
    'usersCount',
    'limit',
    'offset',
    'nextCursor',
  ],
  tags: ['tags', 'tags[]'],
};

/** All key paths of a JSON value, array elements as `[]`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item) => [`${prefix}[]`, ...keyPaths(item, `${prefix}[]`)]);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(child, path)];
  });
}

/** Arrays contribute `x[]` only when they have elements; the allowlist lists both forms. */
function expectOnlyAllowedKeys(response: ApiResponse, allowed: string[]) {
  expect(response.status).toBeLessThan(300);
  const unexpected = [...new Set(keyPaths(response.body))].filter(
    (path) => !allowed.includes(path),
  );
  expect(unexpected).toEqual([]);
}

/**
 * OWASP API3:2023 Broken Object Property Level Authorization: clients can neither write
 * properties they do not own (mass assignment) nor read properties they should not see
 * (excessive data exposure).
 */
describe('API3:2023 broken object property level authorization', () => {
  let testApp: TestApp;
  let api: Api;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let admin: { token: string };
  let article: { slug: string };
  let comment: { id: number };

  beforeAll(async () => {
    testApp = await startTestApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    api = new Api(testApp.baseUrl);
    [alice, bob, admin] = await Promise.all([
      registerUser(api, 'alice'),
      registerUser(api, 'bob'),
      loginTokens(api, ADMIN.email, ADMIN.password),
    ]);
    article = await createArticle(api, alice, { tagList: ['exposure'] });
    comment = await createComment(api, alice, article.slug);
    await follow(api, bob, alice.username);
  });
  afterAll(() => testApp.close());

  const roleOf = async (username: string) => {
    const response = await api.get(`/api/users?search=${username}`, { token: admin.token });
    return response.body.users.find((u: { username: string }) => u.username === username)?.role;
  };

  describe('mass assignment is refused with 422 and changes nothing', () => {
    it.each([
      ['role', { role: 'admin' }],
      ['id', { id: 1 }],
      ['createdAt', { createdAt: '2000-01-01T00:00:00.000Z' }],
      ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged' }],
    ])('rejects `%s` at registration', async (field, extra) => {
      const credentials = newCredentials('mass');
      const response = await api.post('/api/users', {
        body: { user: { ...credentials, ...extra } },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(errors[field]).toEqual(['is not allowed']);
      // Nothing was created: the same credentials register normally afterwards.
      expect((await api.post('/api/users', { body: { user: credentials } })).status).toBe(201);
      expect(await roleOf(credentials.username)).toBe('user');
    });

    it.each([
      ['role', { role: 'admin' }],
      ['id', { id: 1 }],
      ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged' }],
      ['updatedAt', { updatedAt: '2000-01-01T00:00:00.000Z' }],
    ])('rejects `%s` in PUT /api/user', async (field, extra) => {
      const response = await api.put('/api/user', {
        token: alice.token,
        body: { user: { bio: 'still me', ...extra } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')[field]).toEqual([
        'is not allowed',
      ]);
      expect(await roleOf(alice.username)).toBe('user');
      expect((await api.get('/api/user', { token: alice.token })).body.user.bio).toBeNull();
    });

    it('ignores `token` and `refreshToken` echoed in PUT /api/user (read-only fields of the user)', async () => {
      // Tolerant reader: clients send back the user they received; these fields change nothing.
      const response = await api.put('/api/user', {
        token: alice.token,
        body: { user: { token: 'forged', refreshToken: 'forged' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.user.token).toBe(alice.token);
      expect(await roleOf(alice.username)).toBe('user');
      expect((await api.get('/api/user', { token: alice.token })).status).toBe(200);
      expect((await api.get('/api/user', { token: 'forged' })).status).toBe(401);
    });

    it('rejects `role` wrapped outside the user object', async () => {
      const response = await api.put('/api/user', {
        token: alice.token,
        body: { user: { bio: 'x' }, role: 'admin' },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').role).toEqual([
        'is not allowed',
      ]);
      expect(await roleOf(alice.username)).toBe('user');
    });

    it.each([
      ['authorId', { authorId: 1 }],
      ['id', { id: 1 }],
      ['authorUsername', { authorUsername: 'someone-else' }],
      ['deletedAt', { deletedAt: null }],
    ])('rejects `%s` when creating an article', async (field, extra) => {
      const response = await api.post('/api/articles', {
        token: bob.token,
        body: { article: { ...newArticleFields(), ...extra } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')[field]).toEqual([
        'is not allowed',
      ]);
    });

    it('ignores the article’s read-only fields when creating one: bob is the author of a fresh article', async () => {
      // Tolerant reader: `slug`, counters, timestamps and `author` are what the API returns;
      // sent back, they are dropped before the service sees the body.
      const fields = newArticleFields();
      const response = await api.post('/api/articles', {
        token: bob.token,
        body: {
          article: {
            ...fields,
            slug: 'chosen-slug',
            favoritesCount: 1000,
            favorited: true,
            createdAt: '2000-01-01T00:00:00.000Z',
            updatedAt: '2000-01-01T00:00:00.000Z',
            author: { username: alice.username, following: true },
          },
        },
      });
      expect(response.status).toBe(201);
      const created = (await api.get(`/api/articles/${response.body.article.slug}`)).body.article;
      expect(created.slug).not.toBe('chosen-slug');
      expect(created.slug).toMatch(/^how-to-train-your-dragon-/);
      expect(created).toMatchObject({
        title: fields.title,
        favoritesCount: 0,
        favorited: false,
        author: { username: bob.username },
      });
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);
      expect((await api.get('/api/articles/chosen-slug')).status).toBe(404);
    });

    it.each([
      ['authorId', { authorId: 2 }],
      ['id', { id: 1 }],
    ])('rejects `%s` when updating an article, which stays as it was', async (field, extra) => {
      const before = (await api.get(`/api/articles/${article.slug}`)).body.article;
      const response = await api.put(`/api/articles/${article.slug}`, {
        token: alice.token,
        body: { article: { description: 'changed', ...extra } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')[field]).toEqual([
        'is not allowed',
      ]);
      expect((await api.get(`/api/articles/${article.slug}`)).body.article).toEqual(before);
    });

    it('ignores echoed `slug`, `favoritesCount` and `author` when updating: only the description changes', async () => {
      const before = (await api.get(`/api/articles/${article.slug}`)).body.article;
      const response = await api.put(`/api/articles/${article.slug}`, {
        token: alice.token,
        body: {
          article: {
            description: 'changed by its author',
            slug: 'hijacked',
            favoritesCount: 1000,
            author: { username: bob.username },
          },
        },
      });
      expect(response.status).toBe(200);
      const after = (await api.get(`/api/articles/${article.slug}`)).body.article;
      expect(after).toEqual({
        ...before,
        description: 'changed by its author',
        updatedAt: after.updatedAt,
      });
      expect((await api.get('/api/articles/hijacked')).status).toBe(404);
    });

    it.each([
      ['author', { author: { username: 'someone-else' } }],
      ['id', { id: 1 }],
    ])('rejects `%s` when commenting', async (field, extra) => {
      const response = await api.post(`/api/articles/${article.slug}/comments`, {
        token: bob.token,
        body: { comment: { body: 'hi', ...extra } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')[field]).toEqual([
        'is not allowed',
      ]);
    });

    it('ignores nothing silently: `__proto__` and `constructor` keys are refused too', async () => {
      const response = await api.post('/api/users', {
        rawBody:
          '{"user":{"username":"proto_x","email":"proto@example.com","password":"password123",' +
          '"__proto__":{"role":"admin"}}}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.code).toEqual(expect.any(String));
      const constructor = await api.post('/api/users', {
        rawBody:
          '{"user":{"username":"proto_y","email":"proto-y@example.com","password":"password123",' +
          '"constructor":{"prototype":{"role":"admin"}}}}',
        headers: { 'content-type': 'application/json' },
      });
      expect(constructor.status).toBeGreaterThanOrEqual(400);
      expect(constructor.status).toBeLessThan(500);
      expect(await roleOf('proto_x')).toBeUndefined();
      expect(await roleOf('proto_y')).toBeUndefined();
    });
  });

  describe('responses expose only allowlisted properties', () => {
    it('user: register, login, refresh (with refresh token) and current user (without)', async () => {
      const credentials = newCredentials('shape');
      const registered = await api.post('/api/users', { body: { user: credentials } });
      expectOnlyAllowedKeys(registered, ALLOWED_KEYS.userWithRefresh);
      const loggedIn = await api.post('/api/users/login', {
        body: { user: { email: credentials.email, password: credentials.password } },
      });
      expectOnlyAllowedKeys(loggedIn, ALLOWED_KEYS.userWithRefresh);
      const refreshed = await api.post('/api/auth/refresh', {
        body: { refreshToken: loggedIn.body.user.refreshToken },
      });
      expectOnlyAllowedKeys(refreshed, ALLOWED_KEYS.userWithRefresh);
      const current = await api.get('/api/user', { token: refreshed.body.user.token });
      expectOnlyAllowedKeys(current, ALLOWED_KEYS.user);
      const updated = await api.put('/api/user', {
        token: refreshed.body.user.token,
        body: { user: { bio: 'hi' } },
      });
      expectOnlyAllowedKeys(updated, ALLOWED_KEYS.user);
    });

    it('profile, article, article list, feed, comment, comment list and tags', async () => {
      expectOnlyAllowedKeys(
        await api.get(`/api/profiles/${alice.username}`, { token: bob.token }),
        ALLOWED_KEYS.profile,
      );
      expectOnlyAllowedKeys(
        await api.get(`/api/articles/${article.slug}`, { token: bob.token }),
        ALLOWED_KEYS.article,
      );
      expectOnlyAllowedKeys(
        await api.post(`/api/articles/${article.slug}/favorite`, { token: bob.token }),
        ALLOWED_KEYS.article,
      );
      expectOnlyAllowedKeys(await api.get('/api/articles'), ALLOWED_KEYS.articleList);
      expectOnlyAllowedKeys(
        await api.get('/api/articles/feed', { token: bob.token }),
        ALLOWED_KEYS.articleList,
      );
      expectOnlyAllowedKeys(
        await api.post(`/api/articles/${article.slug}/comments`, {
          token: bob.token,
          body: { comment: { body: 'shape' } },
        }),
        ALLOWED_KEYS.comment,
      );
      expectOnlyAllowedKeys(
        await api.get(`/api/articles/${article.slug}/comments`),
        ALLOWED_KEYS.commentList,
      );
      expectOnlyAllowedKeys(await api.get('/api/tags'), ALLOWED_KEYS.tags);
    });

    it('sessions and the admin user list', async () => {
      expectOnlyAllowedKeys(
        await api.get('/api/auth/sessions', { token: alice.token }),
        ALLOWED_KEYS.sessionList,
      );
      expectOnlyAllowedKeys(
        await api.get('/api/users', { token: admin.token }),
        ALLOWED_KEYS.adminUserList,
      );
    });

    it('never shows hashes, secrets or another user’s email in any response', async () => {
      const responses = await Promise.all([
        api.get(`/api/profiles/${alice.username}`, { token: bob.token }),
        api.get(`/api/articles/${article.slug}`, { token: bob.token }),
        api.get('/api/articles', { token: bob.token }),
        api.get('/api/articles/feed', { token: bob.token }),
        api.get(`/api/articles/${article.slug}/comments`, { token: bob.token }),
        api.get('/api/auth/sessions', { token: bob.token }),
        api.get('/api/user', { token: bob.token }),
        api.get('/api/users', { token: bob.token }),
        api.delete(`/api/articles/${article.slug}/comments/${comment.id}`, { token: bob.token }),
      ]);
      for (const response of responses) {
        const text = JSON.stringify(response.body);
        expect(text).not.toContain(alice.email);
        expect(text).not.toMatch(/\$argon2|password|hash|secret/i);
        expect(text).not.toContain(alice.refreshToken);
      }
    });
  });
});
