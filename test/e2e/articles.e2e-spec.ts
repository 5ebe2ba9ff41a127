import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createArticle,
  expectArticleShape,
  expectProfile,
  favorite,
  follow,
  newArticleFields,
  postArticle,
} from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { signTestToken } from '../support/tokens.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('articles', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let reader: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [author, reader] = await Promise.all([
      registerUser(api, 'author'),
      registerUser(api, 'reader'),
    ]);
  });
  afterAll(() => testApp.close());

  const countArticles = async () =>
    Number((await testApp.dataSource.query('SELECT COUNT(*) AS n FROM articles'))[0].n);

  describe('POST /api/articles', () => {
    it('creates an article and returns 201 with the exact single-article shape', async () => {
      const fields = newArticleFields({ tagList: ['training', 'dragons'] });
      const response = await postArticle(api, author.token, fields);

      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(response.body)).toEqual(['article']);
      const { article } = response.body;
      expectArticleShape(article, { withBody: true });
      expect(article).toMatchObject({
        title: fields.title,
        description: fields.description,
        body: fields.body,
        tagList: ['dragons', 'training'],
        favorited: false,
        favoritesCount: 0,
      });
      expectProfile(article.author, author, false);
      expect(Date.parse(article.updatedAt)).toBeGreaterThanOrEqual(Date.parse(article.createdAt));
    });

    it('derives a URL-safe slug from the title', async () => {
      const suffix = Date.now().toString(36);
      const article = await createArticle(api, author, {
        title: `  How to Train Your Dragon — Élan & Co. ${suffix}!  `,
      });
      expect(article.slug).toBe(`how-to-train-your-dragon-elan-co-${suffix}`);
      expect(article.title).toBe(`How to Train Your Dragon — Élan & Co. ${suffix}!`);
    });

    it('keeps the slug of a 255-character title short enough to be used in the URL', async () => {
      const title = `${'Dragons '.repeat(40)}${Date.now()}`.slice(-255);
      const first = await createArticle(api, author, { title });
      const second = await createArticle(api, author, { title });

      for (const article of [first, second]) {
        expect(article.slug.length).toBeLessThanOrEqual(100);
        const response = await api.get(`/api/articles/${article.slug}`);
        expect(response.status).toBe(200);
        expect(response.body.article.title).toBe(title);
        const comments = await api.get(`/api/articles/${article.slug}/comments`);
        expect(comments.status).toBe(200);
      }
      expect(first.slug).not.toBe(second.slug);
    });

    it.each(['feed', 'Feed!'])(
      'never gives the title %j a reserved slug: the article stays readable',
      async (title) => {
        const article = await createArticle(api, author, { title });
        expect(article.slug).not.toBe('feed');
        expect(article.slug).toMatch(/^feed-/);
        const response = await api.get(`/api/articles/${article.slug}`);
        expect(response.status).toBe(200);
        expect(response.body.article.title).toBe(title);
      },
    );

    it('never renames an article to a reserved slug', async () => {
      const article = await createArticle(api, author);
      const response = await api.put(`/api/articles/${article.slug}`, {
        token: author.token,
        body: { article: { title: 'Feed' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.article.slug).toMatch(/^feed-[0-9a-f]{8}$/);
    });

    it('returns an empty tagList when the article has no tags', async () => {
      const article = await createArticle(api, author);
      expect(article.tagList).toEqual([]);
    });

    it('trims, case-folds, de-duplicates and sorts the tag list', async () => {
      const article = await createArticle(api, author, {
        tagList: [' zebra ', 'apple', 'zebra', 'Mango', 'apple', 'APPLE'],
      });
      expect(article.tagList).toEqual(['apple', 'mango', 'zebra']);
    });

    it('returns 401 and writes nothing when the caller is anonymous', async () => {
      const before = await countArticles();
      const response = await postArticle(api, undefined, newArticleFields());
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(await countArticles()).toBe(before);
    });

    it('returns 401 when the token is not valid', async () => {
      const forged = signTestToken({ sub: String(author.id), sid: 'x' }, { secret: 'wrong' });
      const response = await postArticle(api, forged, newArticleFields());
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });

    it('returns 422 naming every missing required field', async () => {
      const response = await postArticle(api, author.token, {});
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors).sort()).toEqual(['body', 'description', 'title']);
    });

    it.each([
      ['a blank title', { title: '   ' }, 'title'],
      ['a blank description', { description: '' }, 'description'],
      ['a blank body', { body: ' \n ' }, 'body'],
      ['a numeric title', { title: 42 }, 'title'],
      ['a title longer than 255 characters', { title: 'x'.repeat(256) }, 'title'],
      ['a tag list that is not an array', { tagList: 'dragons' }, 'tagList'],
      ['a tag that is not a string', { tagList: ['dragons', 7] }, 'tagList'],
      ['a blank tag', { tagList: ['dragons', '  '] }, 'tagList'],
      ['a tag containing a comma', { tagList: ['a,b'] }, 'tagList'],
      ['a tag longer than 64 characters', { tagList: ['t'.repeat(65)] }, 'tagList'],
      [
        'more than 20 tags',
        { tagList: Array.from({ length: 21 }, (_, i) => `tag${i}`) },
        'tagList',
      ],
      // The article's read-only fields (slug, counters, author) are ignored, not refused:
      // test/e2e/realworld-frontends. Fields outside the article are refused.
      ['a client-chosen author id', { authorId: 99 }, 'authorId'],
      ['a client-chosen id', { id: 99 }, 'id'],
    ])('returns 422 keyed by the field and writes nothing for %s', async (_label, patch, field) => {
      const before = await countArticles();
      const response = await postArticle(api, author.token, { ...newArticleFields(), ...patch });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual([field]);
      expect(await countArticles()).toBe(before);
    });

    it.each([
      ['missing', {}],
      ['null', { article: null }],
      ['an array', { article: [] }],
      ['a string', { article: 'How to train your dragon' }],
    ])('returns 422 keyed by article when the article wrapper is %s', async (_label, body) => {
      const before = await countArticles();
      const response = await api.post('/api/articles', { token: author.token, body });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual(['article']);
      expect(await countArticles()).toBe(before);
    });

    it('returns 422 when a text field contains a NUL character', async () => {
      const response = await postArticle(api, author.token, newArticleFields({ body: 'a\u0000b' }));
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual(['body']);
    });
  });

  describe('GET /api/articles/:slug', () => {
    it('returns the article with its body to an anonymous caller, favorited and following false', async () => {
      const created = await createArticle(api, author, { tagList: ['b', 'a'] });
      await favorite(api, reader, created.slug);
      await follow(api, reader, author.username);

      const response = await api.get(`/api/articles/${created.slug}`);

      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['article']);
      expectArticleShape(response.body.article, { withBody: true });
      expect(response.body.article).toEqual({
        ...created,
        favorited: false,
        favoritesCount: 1,
      });
      expectProfile(response.body.article.author, author, false);
    });

    it('computes favorited and following for the caller', async () => {
      const created = await createArticle(api, author);
      await favorite(api, reader, created.slug);
      const other = await registerUser(api, 'other');

      const asReader = await api.get(`/api/articles/${created.slug}`, { token: reader.token });
      const asAuthor = await api.get(`/api/articles/${created.slug}`, { token: author.token });
      const asOther = await api.get(`/api/articles/${created.slug}`, { token: other.token });

      expect(asReader.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
      expect(asReader.body.article.author.following).toBe(true);
      expect(asAuthor.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      expect(asAuthor.body.article.author.following).toBe(false);
      expect(asOther.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      expect(asOther.body.article.author.following).toBe(false);
    });

    it('returns 404 when no article has the slug', async () => {
      const response = await api.get('/api/articles/no-such-article');
      const errors = expectErrorEnvelope(response, 404, 'NOT_FOUND');
      expect(errors.body[0]).toContain('no-such-article');
    });

    it('answers an invalid token as an anonymous caller, with WWW-Authenticate', async () => {
      const created = await createArticle(api, author);
      const response = await api.get(`/api/articles/${created.slug}`, { token: 'not-a-jwt' });
      expect(response.status).toBe(200);
      expect(response.body.article).toMatchObject({ slug: created.slug, favorited: false });
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  describe('PUT /api/articles/:slug', () => {
    it('lets the author change description and body without touching the slug', async () => {
      const created = await createArticle(api, author, { tagList: ['keep'] });
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { description: 'New description', body: 'New body' } },
      });

      expect(response.status).toBe(200);
      expectArticleShape(response.body.article, { withBody: true });
      expect(response.body.article).toMatchObject({
        slug: created.slug,
        title: created.title,
        description: 'New description',
        body: 'New body',
        tagList: ['keep'],
        createdAt: created.createdAt,
      });
      expect(Date.parse(response.body.article.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(created.updatedAt),
      );
      const reread = await api.get(`/api/articles/${created.slug}`);
      expect(reread.body.article).toMatchObject({
        description: 'New description',
        body: 'New body',
      });
    });

    it('regenerates the slug when the title changes, and the old slug is gone', async () => {
      const created = await createArticle(api, author);
      const suffix = Date.now().toString(36);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { title: `Did you train your dragon ${suffix}` } },
      });

      expect(response.status).toBe(200);
      expect(response.body.article.slug).toBe(`did-you-train-your-dragon-${suffix}`);
      expect((await api.get(`/api/articles/${response.body.article.slug}`)).status).toBe(200);
      expectErrorEnvelope(await api.get(`/api/articles/${created.slug}`), 404, 'NOT_FOUND');
    });

    it('keeps the slug when the title is sent unchanged', async () => {
      const created = await createArticle(api, author);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { title: created.title } },
      });
      expect(response.status).toBe(200);
      expect(response.body.article.slug).toBe(created.slug);
    });

    it('replaces the tags when a tag list is sent and keeps them when it is omitted', async () => {
      const created = await createArticle(api, author, { tagList: ['old', 'shared'] });
      const replaced = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { tagList: ['shared', 'new'] } },
      });
      expect(replaced.body.article.tagList).toEqual(['new', 'shared']);

      const untouched = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { body: 'Only the body' } },
      });
      expect(untouched.body.article.tagList).toEqual(['new', 'shared']);

      const cleared = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { tagList: [] } },
      });
      expect(cleared.body.article.tagList).toEqual([]);
    });

    it("returns 403 and changes nothing when a user updates another user's article", async () => {
      const created = await createArticle(api, author);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: reader.token,
        body: { article: { title: 'Hijacked', body: 'Hijacked' } },
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      const reread = await api.get(`/api/articles/${created.slug}`);
      expect(reread.body.article).toEqual(created);
    });

    it("returns 403, not 422, when a user sends an invalid update to another user's article", async () => {
      const created = await createArticle(api, author);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: reader.token,
        body: { article: { title: '' } },
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
    });

    it('returns 401 when an anonymous caller updates an article', async () => {
      const created = await createArticle(api, author);
      const response = await api.put(`/api/articles/${created.slug}`, {
        body: { article: { title: 'Anonymous' } },
      });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect((await api.get(`/api/articles/${created.slug}`)).body.article.title).toBe(
        created.title,
      );
    });

    it('returns 404 when the article to update does not exist', async () => {
      const response = await api.put('/api/articles/no-such-article', {
        token: author.token,
        body: { article: { title: 'Ghost' } },
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });

    it.each([
      ['a blank title', { article: { title: '  ' } }, 'title'],
      ['a blank body', { article: { body: '' } }, 'body'],
      ['a title longer than 255 characters', { article: { title: 'y'.repeat(256) } }, 'title'],
      ['an invalid tag', { article: { tagList: [''] } }, 'tagList'],
      ['a client-chosen author id', { article: { authorId: 1 } }, 'authorId'],
      ['a client-chosen id', { article: { id: 1 } }, 'id'],
      ['no article wrapper', { title: 'x' }, 'article'],
      ['an article array', { article: [] }, 'article'],
    ])('returns 422 and changes nothing when the author sends %s', async (_label, body, field) => {
      const created = await createArticle(api, author);
      const response = await api.put(`/api/articles/${created.slug}`, {
        token: author.token,
        body,
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
      expect((await api.get(`/api/articles/${created.slug}`)).body.article).toEqual(created);
    });
  });

  describe('DELETE /api/articles/:slug', () => {
    it('lets the author delete the article: 204 with no body, then 404', async () => {
      const created = await createArticle(api, author);
      const response = await api.delete(`/api/articles/${created.slug}`, { token: author.token });
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      expectErrorEnvelope(await api.get(`/api/articles/${created.slug}`), 404, 'NOT_FOUND');
    });

    it("returns 403 and keeps the article when a user deletes another user's article", async () => {
      const created = await createArticle(api, author);
      const response = await api.delete(`/api/articles/${created.slug}`, { token: reader.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get(`/api/articles/${created.slug}`)).status).toBe(200);
    });

    it('returns 401 and keeps the article when the caller is anonymous', async () => {
      const created = await createArticle(api, author);
      const response = await api.delete(`/api/articles/${created.slug}`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect((await api.get(`/api/articles/${created.slug}`)).status).toBe(200);
    });

    it('returns 404 when the article does not exist, also on a second delete', async () => {
      const created = await createArticle(api, author);
      expect(
        (await api.delete(`/api/articles/${created.slug}`, { token: author.token })).status,
      ).toBe(204);
      const again = await api.delete(`/api/articles/${created.slug}`, { token: author.token });
      expectErrorEnvelope(again, 404, 'NOT_FOUND');
    });
  });
});
