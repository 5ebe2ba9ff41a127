import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, registerUsers } from '../support/articles.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { newCredentials, registerUser, type RegisteredUser } from '../support/users.js';

const CROWD = 100;

describe('RealWorld under concurrent requests', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let crowd: RegisteredUser[];

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'author');
    crowd = await registerUsers(api, CROWD, 'fan');
  });
  afterAll(() => testApp.close());

  const count = async (sql: string) =>
    Number(Object.values((await testApp.dataSource.query(sql))[0])[0]);
  const favoriteRows = (slug: string) =>
    count(
      `SELECT COUNT(*) FROM favorites f JOIN articles a ON a.id = f.article_id WHERE a.slug = '${slug}'`,
    );

  it(`counts exactly ${CROWD} favorites when ${CROWD} users favorite one article at once`, async () => {
    const article = await createArticle(api, author);
    const responses = await Promise.all(
      crowd.map((user) =>
        api.post(`/api/articles/${article.slug}/favorite`, { token: user.token }),
      ),
    );

    expect(responses.map((response) => response.status)).toEqual(crowd.map(() => 200));
    for (const response of responses) expect(response.body.article.favorited).toBe(true);
    expect((await api.get(`/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(
      CROWD,
    );
    expect(await favoriteRows(article.slug)).toBe(CROWD);

    const undone = await Promise.all(
      crowd.map((user) =>
        api.delete(`/api/articles/${article.slug}/favorite`, { token: user.token }),
      ),
    );
    expect(undone.map((response) => response.status)).toEqual(crowd.map(() => 200));
    expect((await api.get(`/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(0);
    expect(await favoriteRows(article.slug)).toBe(0);
  });

  it('keeps one favorite when one user favorites the same article many times at once', async () => {
    const article = await createArticle(api, author);
    const [fan] = crowd;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post(`/api/articles/${article.slug}/favorite`, { token: fan.token }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(await favoriteRows(article.slug)).toBe(1);
    expect((await api.get(`/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(1);
  });

  it('keeps one follow when one user follows the same author many times at once', async () => {
    const [, follower] = crowd;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post(`/api/profiles/${author.username}/follow`, { token: follower.token }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(
      await count(
        `SELECT COUNT(*) FROM follows WHERE follower_id = ${follower.id} AND followee_id = ${author.id}`,
      ),
    ).toBe(1);
  });

  it.each([1, 2, 3, 4, 5])(
    'registers exactly one of two simultaneous sign-ups with the same username, never failing with 500 (round %i)',
    async () => {
      const username = newCredentials('twin').username;
      const responses = await Promise.all(
        [newCredentials('twin'), newCredentials('twin')].map((credentials) =>
          api.post('/api/users', { body: { user: { ...credentials, username } } }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect([
        [201, 409],
        [201, 422],
      ]).toContainEqual(statuses);
      const loser = responses.find((response) => response.status !== 201)!;
      expect(loser.body.errors).toEqual({ username: ['has already been taken'] });
      expect(await count(`SELECT COUNT(*) FROM users WHERE username = '${username}'`)).toBe(1);
    },
  );

  it.each([1, 2, 3])(
    'registers exactly one of two simultaneous sign-ups with the same email (round %i)',
    async () => {
      const email = newCredentials('twin').email;
      const responses = await Promise.all(
        [newCredentials('twin'), newCredentials('twin')].map((credentials) =>
          api.post('/api/users', { body: { user: { ...credentials, email } } }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect([
        [201, 409],
        [201, 422],
      ]).toContainEqual(statuses);
      expect(await count(`SELECT COUNT(*) FROM users WHERE email = '${email}'`)).toBe(1);
    },
  );

  it('gives every one of many simultaneous articles with one title its own slug', async () => {
    const title = `Simultaneous ${Date.now()}`;
    const responses = await Promise.all(
      crowd.slice(0, 20).map((user) =>
        api.post('/api/articles', {
          token: user.token,
          body: { article: { title, description: 'd', body: 'b' } },
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
    const slugs = responses.map((response) => response.body.article.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(await count(`SELECT COUNT(*) FROM articles WHERE title = '${title}'`)).toBe(20);
  });

  it('creates a new tag once when many articles introduce it at the same moment', async () => {
    const tag = `race-${Date.now()}`;
    const responses = await Promise.all(
      crowd.slice(0, 20).map((user) =>
        api.post('/api/articles', {
          token: user.token,
          body: { article: { title: 'Tagged', description: 'd', body: 'b', tagList: [tag] } },
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
    for (const response of responses) expect(response.body.article.tagList).toEqual([tag]);
    expect(await count(`SELECT COUNT(*) FROM tags WHERE name = '${tag}'`)).toBe(1);
    const listed = await api.get(`/api/articles?tag=${tag}`);
    expect(listed.body.articlesCount).toBe(20);
  });

  it('keeps a tag on a new article while the last other article using it is deleted', async () => {
    for (let round = 0; round < 10; round++) {
      const tag = `contested-${round}-${Date.now()}`;
      const old = await createArticle(api, author, { tagList: [tag] });
      const [deleted, created] = await Promise.all([
        api.delete(`/api/articles/${old.slug}`, { token: author.token }),
        api.post('/api/articles', {
          token: author.token,
          body: { article: { title: 'Newcomer', description: 'd', body: 'b', tagList: [tag] } },
        }),
      ]);
      expect(deleted.status).toBe(204);
      expect(created.status).toBe(201);
      const reread = await api.get(`/api/articles/${created.body.article.slug}`);
      expect(reread.body.article.tagList).toEqual([tag]);
      expect((await api.get('/api/tags')).body.tags).toContain(tag);
    }
  });
});
