import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, expectArticleShape } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('favorites', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let fan: RegisteredUser;
  let otherFan: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [author, fan, otherFan] = await Promise.all(
      ['author', 'fan', 'fan'].map((prefix) => registerUser(api, prefix)),
    );
  });
  afterAll(() => testApp.close());

  const favoriteRows = async (slug: string) =>
    Number(
      (
        await testApp.dataSource.query(
          `SELECT COUNT(*) AS n FROM favorites f JOIN articles a ON a.id = f.article_id WHERE a.slug = '${slug}'`,
        )
      )[0].n,
    );

  describe('POST /api/articles/:slug/favorite', () => {
    it('favorites the article and returns it with favorited true and the new count', async () => {
      const article = await createArticle(api, author, { tagList: ['fav'] });
      const response = await api.post(`/api/articles/${article.slug}/favorite`, {
        token: fan.token,
      });

      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['article']);
      expectArticleShape(response.body.article, { withBody: true });
      expect(response.body.article).toMatchObject({
        slug: article.slug,
        body: article.body,
        tagList: ['fav'],
        favorited: true,
        favoritesCount: 1,
      });
      expect(response.body.article.author.following).toBe(false);
    });

    it('is idempotent: favoriting twice keeps one favorite', async () => {
      const article = await createArticle(api, author);
      const first = await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      const second = await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });

      expect(second.status).toBe(200);
      expect(second.body.article).toEqual(first.body.article);
      expect(second.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
      expect(await favoriteRows(article.slug)).toBe(1);
    });

    it('counts every user and shows favorited per caller', async () => {
      const article = await createArticle(api, author);
      await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      const response = await api.post(`/api/articles/${article.slug}/favorite`, {
        token: otherFan.token,
      });
      expect(response.body.article).toMatchObject({ favorited: true, favoritesCount: 2 });

      const asAuthor = await api.get(`/api/articles/${article.slug}`, { token: author.token });
      expect(asAuthor.body.article).toMatchObject({ favorited: false, favoritesCount: 2 });
      const anonymous = await api.get(`/api/articles/${article.slug}`);
      expect(anonymous.body.article).toMatchObject({ favorited: false, favoritesCount: 2 });
    });

    it('lets authors favorite their own article', async () => {
      const article = await createArticle(api, author);
      const response = await api.post(`/api/articles/${article.slug}/favorite`, {
        token: author.token,
      });
      expect(response.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    });

    it('does not change the article’s updatedAt', async () => {
      const article = await createArticle(api, author);
      await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      const reread = await api.get(`/api/articles/${article.slug}`);
      expect(reread.body.article.updatedAt).toBe(article.updatedAt);
    });

    it('returns 401 to an anonymous caller and records nothing', async () => {
      const article = await createArticle(api, author);
      const response = await api.post(`/api/articles/${article.slug}/favorite`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(await favoriteRows(article.slug)).toBe(0);
    });

    it('returns 404 when the article does not exist', async () => {
      const response = await api.post('/api/articles/no-such-article/favorite', {
        token: fan.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /api/articles/:slug/favorite', () => {
    it('unfavorites the article and returns it with favorited false and the new count', async () => {
      const article = await createArticle(api, author);
      await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      await api.post(`/api/articles/${article.slug}/favorite`, { token: otherFan.token });

      const response = await api.delete(`/api/articles/${article.slug}/favorite`, {
        token: fan.token,
      });

      expect(response.status).toBe(200);
      expectArticleShape(response.body.article, { withBody: true });
      expect(response.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      expect(await favoriteRows(article.slug)).toBe(1);
    });

    it('is idempotent: unfavoriting twice, or without a favorite, is not an error', async () => {
      const article = await createArticle(api, author);
      await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      await api.post(`/api/articles/${article.slug}/favorite`, { token: otherFan.token });

      for (let i = 0; i < 2; i++) {
        const response = await api.delete(`/api/articles/${article.slug}/favorite`, {
          token: fan.token,
        });
        expect(response.status).toBe(200);
        expect(response.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      }
      const never = await api.delete(`/api/articles/${article.slug}/favorite`, {
        token: author.token,
      });
      expect(never.status).toBe(200);
      expect(never.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    });

    it('returns 401 to an anonymous caller and keeps the favorite', async () => {
      const article = await createArticle(api, author);
      await api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token });
      const response = await api.delete(`/api/articles/${article.slug}/favorite`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(await favoriteRows(article.slug)).toBe(1);
    });

    it('returns 404 when the article does not exist', async () => {
      const response = await api.delete('/api/articles/no-such-article/favorite', {
        token: fan.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });

  describe('GET /api/articles?favorited=', () => {
    it('lists what a user favorited, and stops listing it after unfavoriting', async () => {
      const collector = await registerUser(api, 'collector');
      const kept = await createArticle(api, author);
      const dropped = await createArticle(api, author);
      await api.post(`/api/articles/${kept.slug}/favorite`, { token: collector.token });
      await api.post(`/api/articles/${dropped.slug}/favorite`, { token: collector.token });
      await api.delete(`/api/articles/${dropped.slug}/favorite`, { token: collector.token });

      const response = await api.get(`/api/articles?favorited=${collector.username}`, {
        token: collector.token,
      });
      expect(response.body.articles.map((article: any) => article.slug)).toEqual([kept.slug]);
      expect(response.body.articles[0].favorited).toBe(true);
      expect(response.body.articlesCount).toBe(1);
    });
  });
});
