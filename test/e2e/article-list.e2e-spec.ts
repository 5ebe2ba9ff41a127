import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createArticle,
  expectArticleShape,
  favorite,
  follow,
  newArticleFields,
} from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

const FILLER_ARTICLES = 21;

describe('GET /api/articles', () => {
  let testApp: TestApp;
  let api: Api;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  /** Every article's slug, newest first (the order the API must list them in). */
  let newestFirst: string[];
  const slugs: Record<string, string> = {};

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    let dave: RegisteredUser;
    [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((prefix) => registerUser(api, prefix)),
    );
    // Created one at a time so that creation order is the expected listing order.
    const created: string[] = [];
    for (let i = 0; i < FILLER_ARTICLES; i++)
      created.push((await createArticle(api, dave, { tagList: ['filler'] })).slug);
    const fixtures: Array<[string, RegisteredUser, string[]]> = [
      ['alice1', alice, ['dragons']],
      ['alice2', alice, ['dragons', 'training']],
      ['alice3', alice, ['training']],
      ['bob1', bob, ['dragons']],
      ['bob2', bob, []],
    ];
    for (const [name, author, tagList] of fixtures) {
      slugs[name] = (await createArticle(api, author, { tagList })).slug;
      created.push(slugs[name]);
    }
    newestFirst = created.reverse();
    await favorite(api, carol, slugs.alice2);
    await favorite(api, carol, slugs.bob1);
    await favorite(api, bob, slugs.alice2);
    await follow(api, carol, alice.username);
  });
  afterAll(() => testApp.close());

  const list = (query: string, token?: string) => api.get(`/api/articles${query}`, { token });
  const slugsOf = (response: { body: { articles: Array<{ slug: string }> } }) =>
    response.body.articles.map((article) => article.slug);

  it('lists every article newest first, without bodies, with articlesCount the total', async () => {
    const response = await list('?limit=100');

    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['articles', 'articlesCount', 'nextCursor']);
    expect(response.body.articlesCount).toBe(FILLER_ARTICLES + 5);
    expect(slugsOf(response)).toEqual(newestFirst);
    for (const article of response.body.articles) expectArticleShape(article, { withBody: false });
    const created = response.body.articles.map((article: any) => Date.parse(article.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('returns 20 articles when no limit is given, still counting them all', async () => {
    const response = await list('');
    expect(response.status).toBe(200);
    expect(slugsOf(response)).toEqual(newestFirst.slice(0, 20));
    expect(response.body.articlesCount).toBe(newestFirst.length);
  });

  it('filters by tag', async () => {
    const response = await list('?tag=dragons');
    expect(slugsOf(response)).toEqual([slugs.bob1, slugs.alice2, slugs.alice1]);
    expect(response.body.articlesCount).toBe(3);
    for (const article of response.body.articles) expect(article.tagList).toContain('dragons');
  });

  it('returns all tags of an article found through the tag filter', async () => {
    const response = await list('?tag=training');
    expect(response.body.articles.map((article: any) => article.tagList)).toEqual([
      ['training'],
      ['dragons', 'training'],
    ]);
  });

  it('filters by author', async () => {
    const response = await list(`?author=${bob.username}`);
    expect(slugsOf(response)).toEqual([slugs.bob2, slugs.bob1]);
    expect(response.body.articlesCount).toBe(2);
    for (const article of response.body.articles)
      expect(article.author.username).toBe(bob.username);
  });

  it('filters by the user who favorited', async () => {
    const response = await list(`?favorited=${carol.username}`);
    expect(slugsOf(response)).toEqual([slugs.bob1, slugs.alice2]);
    expect(response.body.articlesCount).toBe(2);
  });

  it('combines filters', async () => {
    const byAliceAboutDragons = await list(`?tag=dragons&author=${alice.username}`);
    expect(slugsOf(byAliceAboutDragons)).toEqual([slugs.alice2, slugs.alice1]);
    expect(byAliceAboutDragons.body.articlesCount).toBe(2);

    const all = await list(`?tag=training&author=${alice.username}&favorited=${carol.username}`);
    expect(slugsOf(all)).toEqual([slugs.alice2]);
    expect(all.body.articlesCount).toBe(1);
  });

  it.each([
    ['an unknown tag', '?tag=no-such-tag'],
    ['an unknown author', '?author=nobody_at_all'],
    ['a user who favorited nothing', '?favorited=%s'],
    ['an unknown favoriting user', '?favorited=nobody_at_all'],
  ])('returns an empty list for %s', async (_label, query) => {
    const response = await list(query.replace('%s', alice.username));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ articles: [], articlesCount: 0, nextCursor: null });
  });

  it('pages through the list with limit and offset, articlesCount staying the total', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < newestFirst.length; offset += 7) {
      const response = await list(`?limit=7&offset=${offset}`);
      expect(response.status).toBe(200);
      expect(response.body.articles.length).toBe(Math.min(7, newestFirst.length - offset));
      expect(response.body.articlesCount).toBe(newestFirst.length);
      seen.push(...slugsOf(response));
    }
    expect(seen).toEqual(newestFirst);
  });

  it('applies limit and offset after the filters', async () => {
    const response = await list('?tag=dragons&limit=1&offset=1');
    expect(slugsOf(response)).toEqual([slugs.alice2]);
    expect(response.body.articlesCount).toBe(3);
  });

  it('returns an empty page past the end, still counting every match', async () => {
    const response = await list('?offset=1000');
    expect(response.status).toBe(200);
    expect(response.body.articles).toEqual([]);
    expect(response.body.articlesCount).toBe(newestFirst.length);
  });

  it('accepts the maximum page size of 100', async () => {
    const response = await list('?limit=100');
    expect(response.status).toBe(200);
  });

  it('returns 422 keyed by limit when the page size is above 100', async () => {
    const errors = expectErrorEnvelope(await list('?limit=101'), 422, 'VALIDATION_FAILED');
    expect(Object.keys(errors)).toEqual(['limit']);
  });

  it.each([
    ['limit', '?limit=0'],
    ['limit', '?limit=-1'],
    ['limit', '?limit=2.5'],
    ['limit', '?limit=ten'],
    ['offset', '?offset=-1'],
    ['offset', '?offset=first'],
  ])('returns 422 keyed by %s for %s', async (field, query) => {
    const errors = expectErrorEnvelope(await list(query), 422, 'VALIDATION_FAILED');
    expect(Object.keys(errors)).toEqual([field]);
  });

  it('returns favorited and following as false to anonymous callers', async () => {
    const response = await list(`?author=${alice.username}`);
    for (const article of response.body.articles) {
      expect(article.favorited).toBe(false);
      expect(article.author.following).toBe(false);
    }
    const alice2 = response.body.articles.find((article: any) => article.slug === slugs.alice2);
    expect(alice2.favoritesCount).toBe(2);
  });

  it('computes favorited and following for the caller', async () => {
    const response = await list('?limit=100', carol.token);
    const bySlug = new Map(response.body.articles.map((article: any) => [article.slug, article]));
    const view = (name: string) => bySlug.get(slugs[name]) as any;

    expect(view('alice2')).toMatchObject({ favorited: true, favoritesCount: 2 });
    expect(view('bob1')).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(view('alice1')).toMatchObject({ favorited: false, favoritesCount: 0 });
    for (const name of ['alice1', 'alice2', 'alice3'])
      expect(view(name).author.following).toBe(true);
    for (const name of ['bob1', 'bob2']) expect(view(name).author.following).toBe(false);
    expect(view('bob2').favorited).toBe(false);

    const asBob = await list(`?favorited=${carol.username}`, bob.token);
    expect(asBob.body.articles.map((article: any) => article.favorited)).toEqual([false, true]);
  });

  it('answers an invalid token as an anonymous caller, with WWW-Authenticate', async () => {
    const response = await list('', 'garbage.token.value');
    expect(response.status).toBe(200);
    expect(response.body.articles.length).toBeGreaterThan(0);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('returns 422 when a filter contains a NUL character', async () => {
    for (const filter of ['tag', 'author', 'favorited']) {
      const errors = expectErrorEnvelope(await list(`?${filter}=a%00b`), 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual([filter]);
    }
  });

  it('does not list an article that was deleted', async () => {
    const doomed = await createArticle(api, bob, newArticleFields({ tagList: ['doomed'] }));
    await api.delete(`/api/articles/${doomed.slug}`, { token: bob.token });
    const response = await list('?tag=doomed');
    expect(response.body).toEqual({ articles: [], articlesCount: 0, nextCursor: null });
  });
});
