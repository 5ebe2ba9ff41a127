import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, favorite, follow } from '../support/articles.js';
import { Api } from '../support/http.js';
import { countQueries } from '../support/query-counter.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  startTestApp,
  startTestCluster,
  TEST_REDIS_URL,
  type TestApp,
  type TestCluster,
} from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** GET `path` on `testApp`, with the number of SQL statements it cost. */
async function measuredGet(testApp: TestApp, path: string, token?: string) {
  const api = new Api(testApp.baseUrl);
  let response: Awaited<ReturnType<Api['get']>> | undefined;
  const { count } = await countQueries(testApp.dataSource, async () => {
    response = await api.get(path, { token });
  });
  return { status: response!.status, body: response!.body, queries: count };
}

const uniqueTag = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

/**
 * GET /api/tags and GET /api/articles/:slug are cached (in-process, or in Redis shared by all
 * instances). A cache hit costs no SQL statement, which is how these tests tell a hit from a
 * miss; whatever is cached, a read after a write answers must show the write.
 */
describe('read cache', () => {
  describe('on one instance with the in-process store', () => {
    let testApp: TestApp;
    let api: Api;
    let author: RegisteredUser;

    beforeAll(async () => {
      testApp = await startTestApp();
      api = new Api(testApp.baseUrl);
      author = await registerUser(api, 'author');
    });
    afterAll(() => testApp.close());

    it('serves a repeated GET /api/articles/:slug from the cache with the same body', async () => {
      const { slug } = await createArticle(api, author);
      const miss = await measuredGet(testApp, `/api/articles/${slug}`);
      const hit = await measuredGet(testApp, `/api/articles/${slug}`);
      expect(miss.status).toBe(200);
      expect(miss.queries).toBeGreaterThan(0);
      expect(hit.queries).toBe(0);
      expect(hit.body).toEqual(miss.body);
    });

    it('shows an update of a cached article in the very next read', async () => {
      const { slug } = await createArticle(api, author);
      await measuredGet(testApp, `/api/articles/${slug}`);
      const update = await api.put(`/api/articles/${slug}`, {
        token: author.token,
        body: { article: { body: 'Rewritten', title: `Renamed ${uniqueTag('t')}` } },
      });
      expect(update.status).toBe(200);
      const renamed = update.body.article.slug;

      const read = await measuredGet(testApp, `/api/articles/${renamed}`);
      expect(read.body.article).toEqual(update.body.article);
      expect((await measuredGet(testApp, `/api/articles/${slug}`)).status).toBe(404);
    });

    it('serves GET /api/tags from the cache and shows a new tag in the very next read', async () => {
      await createArticle(api, author, { tagList: [uniqueTag('first')] });
      await measuredGet(testApp, '/api/tags');
      const hit = await measuredGet(testApp, '/api/tags');
      expect(hit.queries).toBe(0);

      const tag = uniqueTag('second');
      await createArticle(api, author, { tagList: [tag] });
      const after = await measuredGet(testApp, '/api/tags');
      expect(after.body.tags).toContain(tag);
    });
  });

  describe('with CACHE_TTL_SECONDS=0', () => {
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = await startTestApp({ CACHE_TTL_SECONDS: '0' });
    });
    afterAll(() => testApp.close());

    it('reads from the database every time', async () => {
      const api = new Api(testApp.baseUrl);
      const author = await registerUser(api, 'uncached');
      const { slug } = await createArticle(api, author);
      await measuredGet(testApp, `/api/articles/${slug}`);
      expect((await measuredGet(testApp, `/api/articles/${slug}`)).queries).toBeGreaterThan(0);
      await measuredGet(testApp, '/api/tags');
      expect((await measuredGet(testApp, '/api/tags')).queries).toBe(1);
    });
  });

  describe('across two instances sharing one database and Redis', () => {
    let cluster: TestCluster;
    let appA: TestApp;
    let appB: TestApp;
    let a: Api;
    let b: Api;
    let author: RegisteredUser;
    let fan: RegisteredUser;

    beforeAll(async () => {
      cluster = await startTestCluster(2);
      [appA, appB] = cluster.apps;
      [a, b] = [new Api(appA.baseUrl), new Api(appB.baseUrl)];
      author = await registerUser(a, 'author');
      fan = await registerUser(b, 'fan');
    });
    afterAll(() => cluster.close());

    /** Reads the article on both instances, so each has served (and Redis holds) it. */
    const warm = async (slug: string) => {
      for (const testApp of [appA, appB]) {
        expect((await measuredGet(testApp, `/api/articles/${slug}`)).status).toBe(200);
      }
    };

    it('serves an article cached by one instance from Redis on the other', async () => {
      const { slug } = await createArticle(a, author);
      const miss = await measuredGet(appA, `/api/articles/${slug}`);
      const hit = await measuredGet(appB, `/api/articles/${slug}`);
      expect(miss.queries).toBeGreaterThan(0);
      expect(hit.queries).toBe(0);
      expect(hit.body).toEqual(miss.body);
    });

    it('shows an update made on one instance in the next read on the other', async () => {
      const { slug } = await createArticle(a, author);
      await warm(slug);
      const update = await a.put(`/api/articles/${slug}`, {
        token: author.token,
        body: { article: { body: 'Edited on A', description: 'New description' } },
      });
      expect(update.status).toBe(200);

      const onB = await measuredGet(appB, `/api/articles/${slug}`);
      expect(onB.body.article).toMatchObject({
        body: 'Edited on A',
        description: 'New description',
      });
      expect(onB.body.article).toEqual(update.body.article);
      expect((await measuredGet(appA, `/api/articles/${slug}`)).body).toEqual(onB.body);
    });

    it('shows a new title (and slug) made on one instance on the other, the old slug gone', async () => {
      const { slug } = await createArticle(a, author);
      await warm(slug);
      const update = await b.put(`/api/articles/${slug}`, {
        token: author.token,
        body: { article: { title: `Retitled ${uniqueTag('x')}` } },
      });
      expect(update.status).toBe(200);
      const renamed = update.body.article.slug;
      expect(renamed).not.toBe(slug);
      expect((await measuredGet(appA, `/api/articles/${slug}`)).status).toBe(404);
      expect((await measuredGet(appA, `/api/articles/${renamed}`)).body.article).toEqual(
        update.body.article,
      );
    });

    it('answers 404 on the other instance as soon as a deletion has answered', async () => {
      const { slug } = await createArticle(a, author);
      await warm(slug);
      expect((await a.delete(`/api/articles/${slug}`, { token: author.token })).status).toBe(204);
      expect((await measuredGet(appB, `/api/articles/${slug}`)).status).toBe(404);
      expect((await measuredGet(appA, `/api/articles/${slug}`)).status).toBe(404);
    });

    it('shows favorites made on one instance in the counts the other serves', async () => {
      const { slug } = await createArticle(a, author);
      await warm(slug);
      await favorite(b, fan, slug);

      const anonymous = await measuredGet(appA, `/api/articles/${slug}`);
      expect(anonymous.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      const asFan = await measuredGet(appA, `/api/articles/${slug}`, fan.token);
      expect(asFan.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });

      expect((await a.delete(`/api/articles/${slug}/favorite`, { token: fan.token })).status).toBe(
        200,
      );
      const afterwards = await measuredGet(appB, `/api/articles/${slug}`, fan.token);
      expect(afterwards.body.article).toMatchObject({ favorited: false, favoritesCount: 0 });
    });

    it('personalises a cached article for each viewer without leaking it to others', async () => {
      const writer = await registerUser(a, 'writer');
      const { slug } = await createArticle(a, writer);
      await warm(slug);
      await follow(b, fan, writer.username);
      await favorite(b, fan, slug);

      const asFan = await measuredGet(appA, `/api/articles/${slug}`, fan.token);
      expect(asFan.body.article).toMatchObject({
        favorited: true,
        author: { username: writer.username, following: true },
      });
      const anonymous = await measuredGet(appA, `/api/articles/${slug}`);
      expect(anonymous.queries).toBe(0);
      expect(anonymous.body.article).toMatchObject({
        favorited: false,
        author: { following: false },
      });
      const asAuthor = await measuredGet(appB, `/api/articles/${slug}`, author.token);
      expect(asAuthor.body.article).toMatchObject({
        favorited: false,
        author: { following: false },
      });
    });

    it("shows a change of the author's profile in articles read on the other instance", async () => {
      const writer = await registerUser(a, 'profiled');
      const { slug } = await createArticle(a, writer);
      await warm(slug);
      const username = `renamed_${randomBytes(4).toString('hex')}`;
      const update = await a.put('/api/user', {
        token: writer.token,
        body: { user: { username, bio: 'New bio', image: 'https://example.com/me.png' } },
      });
      expect(update.status).toBe(200);

      const onB = await measuredGet(appB, `/api/articles/${slug}`);
      expect(onB.body.article.author).toEqual({
        username,
        bio: 'New bio',
        image: 'https://example.com/me.png',
        following: false,
      });
    });

    it('shows new and removed tags in the tag list of the other instance at once', async () => {
      const tag = uniqueTag('shared');
      await measuredGet(appA, '/api/tags');
      await measuredGet(appB, '/api/tags');

      const { slug } = await createArticle(a, author, { tagList: [tag] });
      expect((await measuredGet(appB, '/api/tags')).body.tags).toContain(tag);
      expect((await measuredGet(appA, '/api/tags')).body.tags).toContain(tag);

      expect((await b.delete(`/api/articles/${slug}`, { token: author.token })).status).toBe(204);
      expect((await measuredGet(appA, '/api/tags')).body.tags).not.toContain(tag);
      expect((await measuredGet(appB, '/api/tags')).body.tags).not.toContain(tag);
    });

    it('shows a tag list change made by an update on the other instance at once', async () => {
      const before = uniqueTag('before');
      const after = uniqueTag('after');
      const { slug } = await createArticle(a, author, { tagList: [before] });
      expect((await measuredGet(appB, '/api/tags')).body.tags).toContain(before);
      await a.put(`/api/articles/${slug}`, {
        token: author.token,
        body: { article: { tagList: [after] } },
      });
      const tags = (await measuredGet(appB, '/api/tags')).body.tags;
      expect(tags).toContain(after);
      expect(tags).not.toContain(before);
      expect((await measuredGet(appB, `/api/articles/${slug}`)).body.article.tagList).toEqual([
        after,
      ]);
    });
  });

  describe('while Redis is unreachable, and after it is back', () => {
    let proxy: TcpProxy;
    let cluster: TestCluster;
    let appA: TestApp;
    let appB: TestApp;
    let a: Api;
    let author: RegisteredUser;

    beforeAll(async () => {
      const redis = new URL(TEST_REDIS_URL);
      proxy = await startTcpProxy(Number(redis.port || 6379), redis.hostname);
      cluster = await startTestCluster(2, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      [appA, appB] = cluster.apps;
      a = new Api(appA.baseUrl);
      author = await registerUser(a, 'outage');
    });
    afterAll(async () => {
      await cluster.close();
      await proxy.close();
    });

    it('answers from the database during the outage and serves no stale entry after it', async () => {
      const { slug } = await createArticle(a, author, { body: 'Before the outage' });
      const path = `/api/articles/${slug}`;
      await measuredGet(appA, path);
      expect((await measuredGet(appB, path)).queries).toBe(0); // cached in Redis

      proxy.cut();
      const update = await a.put(path, {
        token: author.token,
        body: { article: { body: 'Written during the outage' } },
      });
      expect(update.status).toBe(200); // its invalidation could not reach Redis
      for (const testApp of [appA, appB]) {
        const read = await measuredGet(testApp, path);
        expect(read.status).toBe(200);
        expect(read.body.article.body).toBe('Written during the outage');
        expect((await measuredGet(testApp, '/api/tags')).status).toBe(200);
      }

      // Redis comes back still holding the entry from before the write: nobody may serve it.
      proxy.restore();
      const deadline = Date.now() + 15_000;
      const cachedAgain = new Set<TestApp>();
      while (cachedAgain.size < 2 && Date.now() < deadline) {
        for (const testApp of [appA, appB]) {
          const read = await measuredGet(testApp, path);
          expect(read.status).toBe(200);
          expect(read.body.article.body).toBe('Written during the outage');
          if (read.queries === 0) cachedAgain.add(testApp);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(cachedAgain.size).toBe(2); // and both use the cache again
    });
  });
});
