import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, expectArticleShape, favorite, follow } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('GET /api/articles/feed', () => {
  let testApp: TestApp;
  let api: Api;
  let reader: RegisteredUser;
  let followed1: RegisteredUser;
  let followed2: RegisteredUser;
  let stranger: RegisteredUser;
  /** Slugs by followed authors, newest first. */
  let feedSlugs: string[];

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [reader, followed1, followed2, stranger] = await Promise.all(
      ['reader', 'followed', 'followed', 'stranger'].map((prefix) => registerUser(api, prefix)),
    );
    const created: string[] = [];
    for (const author of [followed1, stranger, followed2, reader, followed1, stranger, followed2]) {
      const article = await createArticle(api, author, { tagList: ['feed'] });
      if (author === followed1 || author === followed2) created.push(article.slug);
    }
    feedSlugs = created.reverse();
    await follow(api, reader, followed1.username);
    await follow(api, reader, followed2.username);
    await favorite(api, reader, feedSlugs[0]);
    await favorite(api, stranger, feedSlugs[0]);
  });
  afterAll(() => testApp.close());

  const feed = (token: string | undefined, query = '') =>
    api.get(`/api/articles/feed${query}`, { token });

  it('lists only articles by followed authors, newest first, without bodies', async () => {
    const response = await feed(reader.token);

    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['articles', 'articlesCount', 'nextCursor']);
    expect(response.body.articles.map((article: any) => article.slug)).toEqual(feedSlugs);
    expect(response.body.articlesCount).toBe(feedSlugs.length);
    for (const article of response.body.articles) {
      expectArticleShape(article, { withBody: false });
      expect([followed1.username, followed2.username]).toContain(article.author.username);
      expect(article.author.following).toBe(true);
    }
  });

  it('computes favorited for the caller', async () => {
    const response = await feed(reader.token);
    expect(response.body.articles.map((article: any) => article.favorited)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(response.body.articles[0].favoritesCount).toBe(2);
  });

  it('is empty for a user who follows nobody', async () => {
    const response = await feed(stranger.token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ articles: [], articlesCount: 0, nextCursor: null });
  });

  it('pages with limit and offset, articlesCount staying the total', async () => {
    const first = await feed(reader.token, '?limit=3');
    const second = await feed(reader.token, '?limit=3&offset=3');
    expect(first.body.articles.map((article: any) => article.slug)).toEqual(feedSlugs.slice(0, 3));
    expect(second.body.articles.map((article: any) => article.slug)).toEqual(feedSlugs.slice(3));
    expect(first.body.articlesCount).toBe(feedSlugs.length);
    expect(second.body.articlesCount).toBe(feedSlugs.length);
  });

  it('drops an author’s articles after unfollowing and brings them back after following', async () => {
    const viewer = await registerUser(api, 'viewer');
    await follow(api, viewer, followed1.username);
    expect((await feed(viewer.token)).body.articlesCount).toBe(2);

    await api.delete(`/api/profiles/${followed1.username}/follow`, { token: viewer.token });
    expect((await feed(viewer.token)).body).toEqual({
      articles: [],
      articlesCount: 0,
      nextCursor: null,
    });

    await follow(api, viewer, followed1.username);
    expect((await feed(viewer.token)).body.articlesCount).toBe(2);
  });

  it('returns 401 to an anonymous caller', async () => {
    expectErrorEnvelope(await feed(undefined), 401, 'UNAUTHORIZED');
  });

  it('returns 422 keyed by limit when the page size is above 100', async () => {
    const errors = expectErrorEnvelope(
      await feed(reader.token, '?limit=101'),
      422,
      'VALIDATION_FAILED',
    );
    expect(Object.keys(errors)).toEqual(['limit']);
  });

  it('returns 422 keyed by offset when the offset is negative', async () => {
    const errors = expectErrorEnvelope(
      await feed(reader.token, '?offset=-5'),
      422,
      'VALIDATION_FAILED',
    );
    expect(Object.keys(errors)).toEqual(['offset']);
  });

  it('is not mistaken for an article slug', async () => {
    const response = await api.get('/api/articles/feed');
    expect(response.status).toBe(401);
  });
});
