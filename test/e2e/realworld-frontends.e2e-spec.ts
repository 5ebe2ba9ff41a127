import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims, signTestToken } from '../support/tokens.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const INVALID_TOKEN = 'Bearer error="invalid_token"';

/**
 * What published RealWorld frontends (the Angular one and a Vue 3 one) send, request for
 * request: no frontend build is available offline, so their requests are reproduced here
 * rather than driven in a browser. Each case failed before the API tolerated it: a trailing
 * slash (404), the article the editor received sent back with its changes (422 "slug is not
 * allowed"), the settings form's empty password (422) and a token that expired because the
 * frontend never refreshes it (401 on public pages, which then stayed on "Loading articles...").
 */
describe('RealWorld frontends', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'frontend');
  });
  afterAll(() => testApp.close());

  describe('trailing slashes', () => {
    it('publishes an article posted to /api/articles/ (the Angular editor)', async () => {
      const response = await api.post('/api/articles/', {
        token: user.token,
        body: {
          article: { title: 'Slashed', description: 'd', body: 'b', tagList: ['slash'] },
        },
      });
      expect(response.status).toBe(201);
      expect(response.body.article).toMatchObject({ title: 'Slashed', tagList: ['slash'] });
    });

    it('lists articles and tags at /api/articles/ and /api/tags/', async () => {
      const articles = await api.get('/api/articles/?limit=10&offset=0');
      expect(articles.status).toBe(200);
      expect(articles.body.articlesCount).toBeGreaterThan(0);
      const tags = await api.get('/api/tags/');
      expect(tags.status).toBe(200);
      expect(tags.body.tags).toContain('slash');
    });

    it('answers every documented operation with and without a trailing slash alike', async () => {
      const article = await createArticle(api, user);
      const comment = await createComment(api, user, article.slug);
      const values: Record<string, string> = {
        slug: article.slug,
        username: user.username,
        id: String(comment.id),
      };
      const document = (await api.get('/docs-json')).body;
      let compared = 0;
      for (const [template, pathItem] of Object.entries<Record<string, unknown>>(document.paths)) {
        const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? '1');
        for (const method of Object.keys(pathItem)) {
          if (!['get', 'post', 'put', 'delete'].includes(method)) continue;
          // Anonymous and without a body: what matters is that the same route answers.
          const plain = await api.request(method.toUpperCase(), path);
          const slashed = await api.request(method.toUpperCase(), `${path}/`);
          expect({ route: `${method} ${path}/`, status: slashed.status }).toEqual({
            route: `${method} ${path}/`,
            status: plain.status,
          });
          expect(slashed.body?.code).not.toBe('ROUTE_NOT_FOUND');
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(15);
    });
  });

  describe('tolerant reader', () => {
    it('updates an article sent back whole, as received, with the edited fields', async () => {
      const created = await createArticle(api, user, { tagList: ['before'] });
      const received = (await api.get(`/api/articles/${created.slug}`, { token: user.token })).body
        .article;
      const response = await api.put(`/api/articles/${created.slug}/`, {
        token: user.token,
        body: { article: { ...received, body: 'Edited in the editor', tagList: ['after'] } },
      });
      expect(response.status).toBe(200);
      expect(response.body.article).toMatchObject({
        slug: created.slug,
        body: 'Edited in the editor',
        tagList: ['after'],
        favoritesCount: 0,
        author: { username: user.username },
      });
    });

    it('ignores echoed read-only fields whatever their value, and keeps the real ones', async () => {
      const other = await registerUser(api, 'other');
      const created = await createArticle(api, user);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: user.token,
        body: {
          article: {
            description: 'new description',
            slug: 'another-slug',
            favoritesCount: 1000,
            favorited: true,
            createdAt: '2000-01-01T00:00:00.000Z',
            updatedAt: '2000-01-01T00:00:00.000Z',
            author: { username: other.username, following: true },
          },
        },
      });
      expect(response.status).toBe(200);
      const stored = (await api.get(`/api/articles/${created.slug}`)).body.article;
      expect(stored).toMatchObject({
        slug: created.slug,
        description: 'new description',
        favoritesCount: 0,
        favorited: false,
        createdAt: created.createdAt,
        author: { username: user.username },
      });
      expect(stored.updatedAt > '2000-01-01').toBe(true);
      expect((await api.get('/api/articles/another-slug')).status).toBe(404);
    });

    it('still refuses fields that are not in the article with 422 (authorId, id)', async () => {
      const created = await createArticle(api, user);
      for (const extra of [{ authorId: 1 }, { id: 1 }]) {
        const response = await api.put(`/api/articles/${created.slug}`, {
          token: user.token,
          body: { article: { description: 'x', ...extra } },
        });
        const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
        expect(errors[Object.keys(extra)[0]]).toEqual(['is not allowed']);
      }
    });

    it('saves the settings form: the user as received plus an empty password (unchanged)', async () => {
      const settings = await registerUser(api, 'settings');
      const other = await loginTokens(api, settings.email, settings.password);
      const received = (await api.get('/api/user', { token: settings.token })).body.user;
      const response = await api.put('/api/user/', {
        token: settings.token,
        body: { user: { ...received, bio: 'I edit my settings', password: '' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({
        username: settings.username,
        email: settings.email,
        bio: 'I edit my settings',
        image: null,
        token: settings.token,
      });
      // The password did not change, so no other session was ended.
      expect((await login(api, settings.email, settings.password)).status).toBe(200);
      expect((await api.get('/api/user', { token: other.token })).status).toBe(200);
    });

    it('ignores an echoed token and refresh token in PUT /api/user', async () => {
      const echo = await registerUser(api, 'echo');
      const response = await api.put('/api/user', {
        token: echo.token,
        body: { user: { bio: 'x', token: 'forged', refreshToken: 'forged' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.user.token).toBe(echo.token);
      expect((await api.get('/api/user', { token: echo.token })).status).toBe(200);
    });
  });

  describe('a token that expired because the frontend never refreshes it', () => {
    let expired: string;
    let slug: string;

    beforeAll(async () => {
      const { sub, sid } = decodeClaims(user.token);
      expired = signTestToken({ sub, sid }, { expiresIn: -60 });
      slug = (await createArticle(api, user)).slug;
    });

    it.each([
      ['the home page', () => '/api/articles?limit=10&offset=0'],
      ['the tag list', () => '/api/tags'],
      ['an article', () => `/api/articles/${slug}`],
      ['its comments', () => `/api/articles/${slug}/comments`],
      ['a profile', () => `/api/profiles/${user.username}`],
    ])('still gets %s, answered as to an anonymous visitor', async (_label, path) => {
      const response = await api.get(path(), { token: expired });
      expect(response.status).toBe(200);
      if (path() !== '/api/tags')
        expect(response.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
    });

    it('keeps getting 401 where a token is needed', async () => {
      expectErrorEnvelope(await api.get('/api/user', { token: expired }), 401, 'UNAUTHORIZED');
      expectErrorEnvelope(
        await api.get('/api/articles/feed', { token: expired }),
        401,
        'UNAUTHORIZED',
      );
    });
  });
});
